package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pophealth.dashboard.SectionTables.chart;
import static org.pophealth.dashboard.SectionTables.psv;
import static org.pophealth.dashboard.SectionTables.values;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.RiskGapsSection.Gaps;
import org.pophealth.dashboard.RiskGapsSection.Kind;
import org.pophealth.dashboard.RiskGapsSection.Label;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.FixtureTables;
import org.pophealth.testing.SharedSpark;

/**
 * The risk-adjustment gaps section (threshold 11): its query over a hand-made gold.hcc_gap, and its build from
 * hand-made figures. Rows of payment year 2026 (the configured one), persons P01..P64; a gap is one (person,
 * kind, HCC label), its V24 and V28 rows counted once:
 * <ul>
 *   <li>recapture: P01..P12 Diabetes with Chronic Complications open in V24 (0.302) and V28 (0.166): 12 open
 *       gaps (not 24), 0.302 each; P01..P05 Morbid Obesity V28 open 0.186: 5; P13..P27 COPD closed: 15;
 *       P28..P30 Major Depression dismissed: 3; P31 Specified Heart Arrhythmias open in V24 (0.268), closed in
 *       V28: one open gap worth 0.268. Open 18, closed 15, dismissed 3; persons with an open gap P01..P12 and
 *       P31 = 13; value 12 x 0.302 + 5 x 0.186 + 0.268 = 3.624 + 0.930 + 0.268 = 4.822.
 *   <li>suspect: P40..P47 Diabetes V28 open 0.166 and P63, P64 Cirrhosis of Liver V28 open 0.363: 10 open;
 *       P40..P51 Morbid Obesity closed: 12; P52..P62 Vascular Disease dismissed: 11; persons 10; value
 *       8 x 0.166 + 2 x 0.363 = 2.054.
 *   <li>labels by persons with an open gap (any kind): Diabetes 12 + 8 = 20, Morbid Obesity 5, Cirrhosis of
 *       Liver 2, Specified Heart Arrhythmias 1.
 *   <li>payment year 2025 (P01 Morbid Obesity open, P70 Diabetes closed): not counted.
 * </ul>
 */
class RiskGapsSectionTest {
  private static final String DIABETES = "Diabetes with Chronic Complications";
  private static final String OBESITY = "Morbid Obesity";

  @Test
  void queryCountsAConditionOncePerPersonInThePaymentYear() throws IOException {
    Lakehouse lh = SharedSpark.newLakehouse();
    List<String> rows = new ArrayList<>();
    for (int p = 1; p <= 12; p++) {
      rows.add(gap(2026, p, "V24", "recapture", 18, DIABETES, "open", 0.302));
      rows.add(gap(2026, p, "V28", "recapture", 37, DIABETES, "open", 0.166));
    }
    for (int p = 1; p <= 5; p++) {
      rows.add(gap(2026, p, "V28", "recapture", 48, OBESITY, "open", 0.186));
    }
    for (int p = 13; p <= 27; p++) {
      rows.add(gap(2026, p, "V28", "recapture", 280, "Chronic Obstructive Pulmonary Disease", "closed", 0.319));
    }
    for (int p = 28; p <= 30; p++) {
      rows.add(gap(2026, p, "V28", "recapture", 155, "Major Depression", "dismissed", 0.299));
    }
    rows.add(gap(2026, 31, "V24", "recapture", 96, "Specified Heart Arrhythmias", "open", 0.268));
    rows.add(gap(2026, 31, "V28", "recapture", 238, "Specified Heart Arrhythmias", "closed", 0.299));
    for (int p = 40; p <= 47; p++) {
      rows.add(gap(2026, p, "V28", "suspect", 37, DIABETES, "open", 0.166));
    }
    for (int p = 63; p <= 64; p++) {
      rows.add(gap(2026, p, "V28", "suspect", 65, "Cirrhosis of Liver", "open", 0.363));
    }
    for (int p = 40; p <= 51; p++) {
      rows.add(gap(2026, p, "V28", "suspect", 48, OBESITY, "closed", 0.186));
    }
    for (int p = 52; p <= 62; p++) {
      rows.add(gap(2026, p, "V24", "suspect", 108, "Vascular Disease", "dismissed", 0.288));
    }
    rows.add(gap(2025, 1, "V28", "recapture", 48, OBESITY, "open", 0.186));
    rows.add(gap(2025, 70, "V28", "recapture", 37, DIABETES, "closed", 0.166));
    Path file = Files.createTempFile("pophealth-hcc-gap-", ".ndjson");
    Files.write(file, rows);
    FixtureTables.replace(lh, "gold.hcc_gap", file);

    Gaps g = RiskGapsSection.query(new DashboardTables(lh), 2026);
    assertTrue(g.table());
    assertEquals(2026, g.year());
    assertEquals(2, g.kinds().size());
    Kind recapture = g.kinds().get(0);
    assertEquals("recapture", recapture.kind());
    assertEquals(List.of(18L, 15L, 3L), recapture.byStatus());
    assertEquals(13, recapture.persons());
    assertEquals(4.822, recapture.openValue(), 1e-9);
    Kind suspect = g.kinds().get(1);
    assertEquals(List.of(10L, 12L, 11L), suspect.byStatus());
    assertEquals(10, suspect.persons());
    assertEquals(2.054, suspect.openValue(), 1e-9);
    assertEquals(List.of(new Label(DIABETES, 20), new Label(OBESITY, 5), new Label("Cirrhosis of Liver", 2),
        new Label("Specified Heart Arrhythmias", 1)), g.labels());

    // no payment year configured: the latest in the table, 2026
    assertEquals(g, RiskGapsSection.query(new DashboardTables(lh), null));
    // a year without rows: computed for none
    Gaps none = RiskGapsSection.query(new DashboardTables(lh), 2027);
    assertTrue(none.table() && none.kinds().isEmpty());
    assertEquals("No risk-adjustment gaps computed for payment year 2027 (gold.hcc_gap: find-hcc-gaps runs after "
        + "score-risk).", RiskGapsSection.build(none, 11).note());
    // without the table: not an error, the section says so
    Gaps absent = RiskGapsSection.query(new DashboardTables(SharedSpark.newLakehouse()), 2026);
    assertFalse(absent.table());
    Section s = RiskGapsSection.build(absent, 11);
    assertEquals("No risk-adjustment gaps computed: gold.hcc_gap does not exist yet (find-hcc-gaps runs after "
        + "score-risk).", s.note());
    assertTrue(s.panels().isEmpty());
  }

  @Test
  void smallCountsAndTheValueOfFewPersonsAreHidden() {
    Section s = RiskGapsSection.build(figures(), 11);
    Panel status = chart(s, "risk-gaps-status");
    assertEquals(List.of("Gap kind|Open|Closed|Dismissed|Persons with an open gap|Value of open gaps",
        // dismissed 3 is small; no total is shown, so nothing else needs hiding
        "Recapture|18|15|<11|13|4.822",
        // 10 open gaps of 10 persons: both hidden, and the value of those 10 persons with them
        "Suspect|<11|12|11|<11|<11"), psv(status));
    assertEquals(Arrays.asList(18.0, null), values(status, 0));
    assertEquals(Arrays.asList(15.0, 12.0), values(status, 1));
    assertEquals(Arrays.asList(null, 11.0), values(status, 2));
    assertEquals("Risk-adjustment gaps, payment year 2026 (a condition once per person)", status.table().caption());
    assertEquals(List.of("Open", "Closed", "Dismissed"),
        status.chart().series().stream().map(DashboardModel.Series::label).toList());
  }

  @Test
  void labelsUnderTheThresholdAreHiddenAndListedByName() {
    Panel hcc = chart(RiskGapsSection.build(figures(), 11), "risk-gaps-hcc");
    // Cirrhosis (2) before Morbid Obesity (5): the hidden ones by name, so their order tells nothing
    assertEquals(List.of("HCC|Persons with an open gap", DIABETES + "|20", "Cirrhosis of Liver|<11",
        OBESITY + "|<11", "Specified Heart Arrhythmias|<11"), psv(hcc));
    assertEquals(Arrays.asList(20.0, null, null, null), values(hcc, 0));
    assertEquals("HCCs with the most persons with an open gap, payment year 2026", hcc.chart().title());
  }

  @Test
  void aKindWithoutGapsShowsZerosAndNoValue() {
    Section s = RiskGapsSection.build(new Gaps(true, 2026, List.of(
        new Kind("recapture", List.of(0L, 11L, 0L), 0, null), new Kind("suspect", List.of(0L, 0L, 0L), 0, null)),
        List.of()), 11);
    assertEquals(List.of("Gap kind|Open|Closed|Dismissed|Persons with an open gap|Value of open gaps",
        "Recapture|0|11|0|0|", "Suspect|0|0|0|0|"), psv(chart(s, "risk-gaps-status")));
    // no open gap: no HCC panel
    assertEquals(List.of("risk-gaps-status"), s.panels().stream().map(p -> p.chart().id()).toList());
    assertTrue(s.note().startsWith("Risk-adjustment gaps of payment year 2026 from gold.hcc_gap"), s.note());
    // an empty table and no payment year configured
    Section empty = RiskGapsSection.build(new Gaps(true, null, List.of(), List.of()), 11);
    assertTrue(empty.panels().isEmpty());
    assertEquals("No risk-adjustment gaps computed (gold.hcc_gap: find-hcc-gaps runs after score-risk).", empty.note());
  }

  /** The figures the query derives from the fixture above. */
  private static Gaps figures() {
    return new Gaps(true, 2026, List.of(new Kind("recapture", List.of(18L, 15L, 3L), 13, 4.822),
        new Kind("suspect", List.of(10L, 12L, 11L), 10, 2.054)), List.of(new Label(DIABETES, 20),
        new Label(OBESITY, 5), new Label("Cirrhosis of Liver", 2), new Label("Specified Heart Arrhythmias", 1)));
  }

  private static String gap(int year, int person, String model, String kind, int hcc, String label, String status,
      double value) {
    return String.format(Locale.ROOT, "{\"payment_year\":%d,\"person_key\":\"P%02d\",\"model\":\"%s\","
        + "\"gap_kind\":\"%s\",\"hcc\":%d,\"hcc_label\":\"%s\",\"status\":\"%s\",\"segment\":\"CNA\",\"value\":%s}",
        year, person, model, kind, hcc, label, status, value);
  }
}
