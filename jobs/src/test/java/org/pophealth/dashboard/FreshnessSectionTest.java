package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.pophealth.dashboard.SectionTables.chart;
import static org.pophealth.dashboard.SectionTables.psv;
import static org.pophealth.dashboard.SectionTables.values;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.FreshnessSection.Activity;
import org.pophealth.dashboard.FreshnessSection.Job;
import org.pophealth.dashboard.FreshnessSection.Reason;
import org.pophealth.dashboard.FreshnessSection.Source;

/** The freshness section: rows and runs, not persons, so nothing is masked, not even small counts. */
class FreshnessSectionTest {
  @Test
  void sourcesQuarantineAndJobs() {
    Section s = FreshnessSection.build(new Activity(
        List.of(new Source("claims", null, "failed", 1, 3L, 2L),
            new Source("ehr", Instant.parse("2024-03-01T10:00:00Z"), "failed", 2, 100L, 2L)),
        List.of(new Reason("ehr", "contract", "missing-id", 1)),
        List.of(new Job("nightly", "measures", null, "failed", 2))));
    assertEquals(List.of("Source|Last successful run (UTC)|Last status|Runs|Rows loaded|Rows quarantined",
        "claims|never|failed|1|3|2", "ehr|2024-03-01T10:00:00Z|failed|2|100|2"), psv(chart(s, "freshness-rows")));
    assertEquals(List.of(3.0, 100.0), values(chart(s, "freshness-rows"), 0));
    assertEquals(List.of(2.0, 2.0), values(chart(s, "freshness-rows"), 1));
    assertNull(s.panels().get(1).chart());
    assertEquals(List.of(List.of("ehr", "contract", "missing-id", "1")), s.panels().get(1).table().rows());
    assertEquals(List.of(List.of("nightly", "measures", "never", "failed", "2")), s.panels().get(2).table().rows());
  }

  @Test
  void onlyTheTablesThatExist() {
    Section s = FreshnessSection.build(new Activity(null, List.of(), null));
    assertEquals(1, s.panels().size());
    assertEquals("Quarantined rows by source and reason (rows, not persons)", s.panels().get(0).table().caption());
    assertEquals("No data yet.", FreshnessSection.build(new Activity(null, null, null)).note());
  }
}
