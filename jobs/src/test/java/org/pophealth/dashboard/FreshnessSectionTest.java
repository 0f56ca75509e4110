package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import org.pophealth.dashboard.FreshnessSection.Stale;

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

  /**
   * The stale-data banner, hand-built rules of a latest check. Expected text worked out by hand:
   * ehr 216 h old, limit 48 h = 2 whole days: 216 / 24 = 9 days; payer 200.5 h, limit 192 h = 8 days:
   * 200.5 / 24 = 8.354 days, up to one decimal 8.4 (never shown as the limit itself); claims never ingested,
   * limit 12 h (not whole days): in hours; gold.risk_score 30.25 h, limit 30 h: 30.25 up to one decimal
   * is 30.3 hours; view.patients never written, limit 24 h = 1 day.
   */
  @Test
  void bannerNamesEachStaleSourceAndTableWithAgeAndLimit() {
    List<String> lines = FreshnessSection.banner(List.of(
        new Stale("ehr", null, 216.0, 48, "stale"),
        new Stale("payer", null, 200.5, 192, "stale"),
        new Stale("claims", null, null, 12, "never"),
        new Stale(null, "gold.risk_score", 30.25, 30, "stale"),
        new Stale(null, "view.patients", null, 24, "never")));
    assertEquals(List.of(
        "Source ehr: no data for 9 days (limit 2)",
        "Source payer: no data for 8.4 days (limit 8)",
        "Source claims: no data yet (limit 12)",
        "Table gold.risk_score: not updated for 30.3 hours (limit 30)",
        "Table view.patients: never written (limit 1)"), lines);
    assertEquals(List.of(), FreshnessSection.banner(List.of()), "nothing stale: no banner");
  }

  /** The banner is rendered at the top of the page, before the first section, escaped; absent when empty. */
  @Test
  void bannerIsRenderedAtTheTop() {
    Section s = FreshnessSection.build(new Activity(null, List.of(), null));
    String html = new RenderDashboard(new DashboardModel.Page("t", "", 11,
        List.of("Source ehr: no data for 9 days (limit 2)", "Table <x>: never written (limit 1)"), List.of(s)))
        .execute().html();
    int banner = html.indexOf("<div id=\"stale-banner\"");
    assertTrue(banner > 0 && banner < html.indexOf("<section id=\"freshness\""), "banner before the sections");
    assertTrue(html.contains("<li>Source ehr: no data for 9 days (limit 2)</li>"), "the line itself");
    assertTrue(html.contains("<li>Table &lt;x&gt;: never written (limit 1)</li>"), "escaped");
    String none = new RenderDashboard(new DashboardModel.Page("t", "", 11, List.of(s))).execute().html();
    assertTrue(!none.contains("stale-banner"), "no banner when nothing is stale");
  }
}
