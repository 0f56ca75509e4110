package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pophealth.dashboard.SectionTables.chart;
import static org.pophealth.dashboard.SectionTables.psv;
import static org.pophealth.dashboard.SectionTables.values;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.RiskSection.Group;
import org.pophealth.dashboard.RiskSection.Scores;
import org.pophealth.dashboard.RiskSection.Tiers;
import org.pophealth.dashboard.RiskSection.Year;

/**
 * The risk section from hand-made figures (threshold 11), those of dashboard/small: 30 persons scored for
 * 2025, 14 at 0.3 (Org A), 12 at 0.8 (Org B) and 4 at 1.2 (unattributed); 12 persons at 0.5 for 2024.
 */
class RiskSectionTest {
  private static final List<Year> YEARS = List.of(new Year(2023, 8, 0.4, 0.1, 5), new Year(2024, 12, 0.5, null, 0),
      new Year(2025, 30, 18.6 / 30, 0.3, 12));
  private static final List<Group> ORGS = List.of(new Group("(unattributed)", 4, 1.2), new Group("Org A", 14, 0.3),
      new Group("Org B", 12, 0.8));

  private static Section section(Tiers tiers, List<Group> payers) {
    return RiskSection.build(new Scores(YEARS, List.of(14L, 12L, 4L, 0L, 0L, 0L), tiers, ORGS, payers), 11);
  }

  @Test
  void bandsHideTheSmallOneAndItsComplement() {
    Panel bands = chart(section(new Tiers(0, 2, 12, 30), null), "risk-distribution");
    // 4 alone would be 30 - 14 - 12: the smallest other non-zero band (12) is hidden too; the total is shown
    assertEquals(List.of("Score band|Persons", "0.0\u20130.5|14", "0.5\u20131.0|<11", "1.0\u20131.5|<11",
        "1.5\u20132.0|0", "2.0\u20133.0|0", "\u22653.0|0", "Total|30"), psv(bands));
    assertEquals(Arrays.asList(14.0, null, null, 0.0, 0.0, 0.0), values(bands, 0));
    assertEquals("Risk score distribution, payment year 2025", bands.table().caption());
  }

  @Test
  void tiersOverlapSoEachSmallOneIsHiddenAlone() {
    Panel tiers = chart(section(new Tiers(0, 2, 12, 30), null), "risk-tiers");
    assertEquals(List.of("Tier|Persons", "Top 1%|0", "Top 5%|<11", "Rising risk|12", "All scored|30"), psv(tiers));
    assertEquals(Arrays.asList(0.0, null, 12.0, 30.0), values(tiers, 0));
    assertTrue(RiskSection.tierSuppressed(10, 11));
    assertFalse(RiskSection.tierSuppressed(11, 11));
    assertFalse(RiskSection.tierSuppressed(0, 11));
  }

  @Test
  void averagesByGroupSuppressTheirPersonsAndRoundToThreeDecimals() {
    Section s = section(new Tiers(0, 0, 0, 30), List.of(new Group("(none)", 12, 18.5 / 30), new Group("Acme", 18,
        0.5)));
    assertEquals(List.of("Attributed organisation|Persons|Average score", "(unattributed)|<11|<11",
        "Org A|14|0.300", "Org B|<11|<11"), psv(chart(s, "risk-by-organization")));
    assertEquals(Arrays.asList(null, 0.3, null), values(chart(s, "risk-by-organization"), 0));
    // 18.5 / 30 = 0.61666..: 0.617
    assertEquals(List.of("Payer|Persons|Average score", "(none)|12|0.617", "Acme|18|0.500"),
        psv(chart(s, "risk-by-payer")));
    assertEquals(List.of(0.617, 0.5), values(chart(s, "risk-by-payer"), 0));
  }

  @Test
  void yearsHideSmallYearsAndSmallChanges() {
    Section s = section(new Tiers(0, 0, 0, 30), null);
    Panel trend = chart(s, "risk-trend");
    // 2023: 8 persons, 5 with a change: both hidden; 2024: no change at all: empty; 2025: 18.6 / 30 → 0.620
    assertEquals(List.of("Payment year|Persons|Average score|Average change vs prior year", "2023|<11|<11|<11",
        "2024|12|0.500|", "2025|30|0.620|0.300"), psv(trend));
    assertEquals(Arrays.asList(null, 0.5, 0.62), values(trend, 0));
    assertEquals(Arrays.asList(null, null, 0.3), values(trend, 1));
    assertEquals("line", trend.chart().type());
    // without gold.measure_result (null payers) there is no payer panel
    assertEquals(List.of("risk-distribution", "risk-tiers", "risk-by-organization", "risk-trend"),
        s.panels().stream().map(p -> p.chart().id()).toList());
    assertEquals("CMS-HCC payment scores (BLEND) from gold.risk_score. Groups under 11 persons are suppressed (<11).",
        s.note());
  }

  @Test
  void noScoresNoData() {
    assertEquals("No data yet.", RiskSection.build(new Scores(List.of(), List.of(), null, null, null), 11).note());
  }
}
