package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pophealth.dashboard.SectionTables.chart;
import static org.pophealth.dashboard.SectionTables.psv;
import static org.pophealth.dashboard.SectionTables.values;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DuplicatesSection.Cell;
import org.pophealth.dashboard.DuplicatesSection.Rates;

/** The duplicate tests section from hand-made gold.duplicate_test_rate rows (threshold 11). */
class DuplicatesSectionTest {
  private static Cell cell(String family, String org, String month, boolean suppressed, Long persons, Long tests,
      Long duplicates, Double rate, Double cost) {
    return new Cell(family, org, month, suppressed, persons, tests, duplicates, rate, cost);
  }

  private static final List<Cell> FAMILIES = List.of(
      cell("a1c", null, null, true, null, null, null, null, null),
      cell("bmp", null, null, false, 8L, 40L, 1L, 0.025, 5.0),
      cell("lipid", null, null, false, 50L, 100L, 10L, 0.1, 250.0));

  @Test
  void familiesHideUpstreamSuppressionAndFewPersonsTested() {
    Section s = DuplicatesSection.build(new Rates(FAMILIES, List.of(), List.of()), 11);
    // a1c suppressed upstream, bmp has 8 persons tested: both masked; nothing else is derivable from them
    List<String> table = List.of("Test family|Tests|Duplicates|Duplicate rate|Cost of duplicates ($)",
        "a1c|<11|<11|<11|<11", "bmp|<11|<11|<11|<11", "lipid|100|10|10.0%|250.00");
    assertEquals(table, psv(chart(s, "duplicates-by-family")));
    assertEquals(table, psv(chart(s, "duplicates-cost")));
    assertEquals(Arrays.asList(null, null, 10.0), values(chart(s, "duplicates-by-family"), 0));
    assertEquals(Arrays.asList(null, null, 250.0), values(chart(s, "duplicates-cost"), 0));
    assertEquals(2, s.panels().size());
  }

  @Test
  void aHiddenMonthHidesTheFamilysSmallestOtherMonth() {
    List<Cell> months = List.of(
        cell("cbc", null, "2024-01-01", false, 40L, 100L, 2L, 0.02, null),
        cell("lipid", null, "2024-01-01", false, 30L, 60L, 6L, 0.1, null),
        cell("cbc", null, "2024-02-01", false, 30L, 0L, 0L, null, null),
        cell("lipid", null, "2024-02-01", false, 8L, 40L, 4L, 0.1, null),
        cell("cbc", null, "2024-03-01", false, 4L, 200L, 5L, 0.025, null));
    Panel trend = chart(DuplicatesSection.build(new Rates(FAMILIES, months, List.of()), 11), "duplicates-trend");
    // lipid: February has 8 persons tested, January (100 - 40 = 60) goes with it; cbc: March is hidden and the
    // smallest other non-zero month is January (February has no tests)
    assertEquals(List.of("Month|Test family|Tests|Duplicates|Duplicate rate", "2024-01-01|cbc|<11|<11|<11",
        "2024-02-01|cbc|0|0|", "2024-03-01|cbc|<11|<11|<11", "2024-01-01|lipid|<11|<11|<11",
        "2024-02-01|lipid|<11|<11|<11"), psv(trend));
    assertEquals(Arrays.asList(null, null, null), values(trend, 0));
    assertEquals(List.of("cbc", "lipid"), trend.chart().series().stream().map(x -> x.label()).toList());
  }

  @Test
  void aHiddenOrganisationHidesTheFamilysSmallestOtherOrganisation() {
    List<Cell> orgs = List.of(
        cell("lipid", null, "2024-02-01", false, 15L, 20L, 2L, 0.1, null),
        cell("cbc", "OrgA", "2024-02-01", false, 30L, 80L, 2L, 0.025, null),
        cell("lipid", "OrgA", "2024-02-01", false, 40L, 50L, 5L, 0.1, null),
        cell("lipid", "OrgB", "2024-02-01", false, 3L, 5L, 1L, 0.2, null));
    Panel p = chart(DuplicatesSection.build(new Rates(FAMILIES, List.of(), orgs), 11), "duplicates-by-organization");
    // lipid at OrgB (3 persons) is hidden; of lipid's others the unknown organisation (20 tests) has the fewest
    assertEquals(List.of("Organisation|Test family|Tests|Duplicates|Duplicate rate", "|lipid|<11|<11|<11",
        "OrgA|cbc|80|2|2.5%", "OrgA|lipid|50|5|10.0%", "OrgB|lipid|<11|<11|<11"), psv(p));
    assertEquals(List.of("(unknown) \u00b7 lipid", "OrgA \u00b7 cbc", "OrgA \u00b7 lipid", "OrgB \u00b7 lipid"),
        p.chart().labels());
    assertEquals(Arrays.asList(null, 2.5, 10.0, null), values(p, 0));
    assertEquals("Duplicate tests by organisation, 2024-02-01", p.table().caption());
  }

  @Test
  void hiddenCellsAndTheirComplement() {
    assertTrue(DuplicatesSection.hidden(cell("x", null, null, true, 100L, 100L, 1L, 0.01, null), 11));
    assertTrue(DuplicatesSection.hidden(cell("x", null, null, false, null, 100L, 1L, 0.01, null), 11));
    assertTrue(DuplicatesSection.hidden(cell("x", null, null, false, 10L, 100L, 1L, 0.01, null), 11));
    assertFalse(DuplicatesSection.hidden(cell("x", null, null, false, 11L, 100L, 1L, 0.01, null), 11));
    // two hidden months protect each other: no complement
    Map<String, Cell> series = new TreeMap<>();
    series.put("2024-01-01", cell("x", null, "2024-01-01", false, 5L, 30L, 1L, null, null));
    series.put("2024-02-01", cell("x", null, "2024-02-01", true, null, null, null, null, null));
    series.put("2024-03-01", cell("x", null, "2024-03-01", false, 20L, 40L, 1L, null, null));
    assertEquals(Set.of("2024-01-01", "2024-02-01"), DuplicatesSection.hiddenInSeries(series, 11));
  }

  @Test
  void noFamiliesNoData() {
    assertEquals("No data yet.", DuplicatesSection.build(new Rates(List.of(), List.of(), List.of()), 11).note());
  }
}
