package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pophealth.dashboard.SectionTables.chart;
import static org.pophealth.dashboard.SectionTables.psv;
import static org.pophealth.dashboard.SectionTables.values;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pophealth.dashboard.CohortsSection.Publication;
import org.pophealth.dashboard.DashboardModel.Panel;

/** The cohorts section from hand-made latest publishes (threshold 11). */
class CohortsSectionTest {
  private static final Publication CARE = new Publication("care", "2024-12-31-b", 45L, 40L, 8L, 3L);
  private static final Publication SMALL = new Publication("small", "2024-12-31-c", 5L, null, 5L, 0L);
  private static final Publication SHRINK = new Publication("shrink", "2024-12-31-d", 20L, 30L, 0L, 10L);

  @Test
  void sizeIdentityNeverLeavesOneFigureDerivable() {
    // care: added 8 and removed 3 hide each other, the sizes and their difference (+5) are shown
    assertEquals(new CohortsSection.Shown(Set.of(2, 3), "+5"), CohortsSection.shown(CARE, 11));
    // small: no previous publication; listed 5 and added 5 are both small
    assertEquals(new CohortsSection.Shown(Set.of(0, 2), ""), CohortsSection.shown(SMALL, 11));
    // shrink: removed 10 alone would be 30 + 0 - 20: the smallest other non-zero figure, listed 20, goes too,
    // and with it the net change
    assertEquals(new CohortsSection.Shown(Set.of(0, 3), ""), CohortsSection.shown(SHRINK, 11));
    assertEquals(new CohortsSection.Shown(Set.of(), "-10"), CohortsSection.shown(SHRINK, 10));
  }

  @Test
  void tableAndChartShowTheSuppressedFigures() {
    Panel p = chart(CohortsSection.build(List.of(CARE, SHRINK, SMALL), 11), "cohorts-size");
    assertEquals(List.of("Cohort|Publication|Listed|Previous|Added|Removed|Change",
        "care|2024-12-31-b|45|40|<11|<11|+5", "shrink|2024-12-31-d|<11|30|0|<11|",
        "small|2024-12-31-c|<11||<11|0|"), psv(p));
    assertEquals(Arrays.asList(45.0, null, null), values(p, 0));
    assertEquals(Arrays.asList(40.0, 30.0, null), values(p, 1));
  }

  @Test
  void noPublishNoData() {
    assertEquals("No data yet.", CohortsSection.build(List.of(), 11).note());
  }
}
