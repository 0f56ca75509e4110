package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pophealth.dashboard.SectionTables.chart;
import static org.pophealth.dashboard.SectionTables.psv;
import static org.pophealth.dashboard.SectionTables.values;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pophealth.dashboard.CareGapsSection.Gaps;
import org.pophealth.dashboard.DashboardModel.Panel;

/** The care-gaps section from hand-made status counts (threshold 11); expected cells worked out by hand. */
class CareGapsSectionTest {
  private static final Gaps BCS = new Gaps("BreastCancerScreeningFHIR", "CMS125FHIR", 1, "Breast Cancer Screening",
      "2025-01-01", List.of(30L, 0L, 50L, 12L));
  private static final Gaps CCS = new Gaps("ColonCancerScreeningFHIR", "CMS130FHIR", 1, null, "2025-01-01",
      List.of(5L, 0L, 40L, 20L));
  private static final Gaps TINY = new Gaps("Tiny", "CMS9FHIR", 2, "Tiny", "2025-01-01", List.of(3L, 0L, 4L, 2L));

  @Test
  void countsAddUpToTheInitialPopulationSoNoneIsDerivable() {
    Panel p = chart(CareGapsSection.build(List.of(BCS, CCS, TINY), 11), "care-gaps-status");
    assertEquals(List.of("Measure|Open|Prospective|Closed|Not applicable|Initial population",
        // nothing small
        "Breast Cancer Screening (CMS125)|30|0|50|12|92",
        // open 5 is small; alone it would be 65 - 0 - 40 - 20, so the smallest other non-zero (20) goes too
        "CMS130|<11|0|40|<11|65",
        // an initial population of 9: the whole row
        "Tiny (CMS9) rate 2|<11|<11|<11|<11|<11"), psv(p));
    assertEquals(Arrays.asList(30.0, null, null), values(p, 0));
    assertEquals(Arrays.asList(50.0, 40.0, null), values(p, 2));
    assertEquals(Arrays.asList(12.0, null, null), values(p, 3));
  }

  @Test
  void noCareGapsNoData() {
    assertEquals("No data yet.", CareGapsSection.build(List.of(), 11).note());
  }
}
