package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;

/**
 * The banner reads the latest check of ops.freshness_check only (hand-built rows): an earlier check's stale
 * rule that is fresh now is not shown, fresh rules never are, and no table means no banner.
 */
class FreshnessBannerQueryTest {
  @Test
  void theLatestCheckStaleRulesOnly() {
    Lakehouse lh = SharedSpark.newLakehouse();
    assertEquals(List.of(), FreshnessSection.queryStale(new DashboardTables(lh)), "no checks yet: no banner");
    Timestamp earlier = Timestamp.from(Instant.parse("2026-03-01T00:00:00Z"));
    Timestamp latest = Timestamp.from(Instant.parse("2026-03-02T00:00:00Z"));
    Timestamp data = Timestamp.from(Instant.parse("2026-02-21T00:00:00Z"));
    List<Row> rows = List.of(
        // the earlier check: payer stale then (fresh in the latest check)
        RowFactory.create(earlier, "schedule", "source:payer", "payer", null, data, 192.0, 48.0, "stale"),
        RowFactory.create(earlier, "schedule", "source:ehr", "ehr", null, data, 192.0, 48.0, "stale"),
        // the latest: ehr 2026-02-21 -> 2026-03-02 = 9 days = 216 h (limit 48 h = 2 days); payer fresh;
        // claims never; gold.risk_score 200 h, limit 192 h = 8 days: 200 / 24 = 8.33, up to 8.4
        RowFactory.create(latest, "cli", "source:ehr", "ehr", null, data, 216.0, 48.0, "stale"),
        RowFactory.create(latest, "cli", "source:payer", "payer", null, latest, 0.0, 48.0, "fresh"),
        RowFactory.create(latest, "cli", "source:claims", "claims", null, null, null, 24.0, "never"),
        RowFactory.create(latest, "cli", "table:gold.risk_score", null, "gold.risk_score", data, 200.0, 192.0,
            "stale"));
    lh.append("ops.freshness_check", lh.spark().createDataFrame(rows, lh.contract("ops.freshness_check").schema()));
    assertEquals(List.of("Source claims: no data yet (limit 1)", "Source ehr: no data for 9 days (limit 2)",
        "Table gold.risk_score: not updated for 8.4 days (limit 8)"),
        FreshnessSection.banner(FreshnessSection.queryStale(new DashboardTables(lh))));
  }
}
