package org.pophealth.dashboard;

import static org.pophealth.dashboard.DashboardFormat.num;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.pophealth.dashboard.DashboardModel.Chart;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DashboardModel.Series;
import org.pophealth.dashboard.DashboardModel.Table;

/**
 * The data freshness and quality section: ingest runs per source (ops.ingest_run), quarantined rows by
 * reason (ops.quarantine) and scheduled jobs' last success (ops.job_run). These count rows and runs,
 * not persons: nothing is suppressed.
 */
final class FreshnessSection {
  static final String ID = "freshness";
  private static final String TITLE = "Data freshness and quality";

  private FreshnessSection() {}

  /** A source's ingest runs: last successful finish (null: never), last status, runs and rows over all runs. */
  record Source(String source, Instant lastSuccess, String lastStatus, long runs, Long loaded, Long quarantined) {}

  /** Quarantined rows of a source, stage and reason. */
  record Reason(String source, String stage, String reason, long rows) {}

  /** A scheduled job's attempts: last successful end (null: never), last status, attempts. */
  record Job(String pipeline, String job, Instant lastSuccess, String lastStatus, long attempts) {}

  /** Each list in display order, null when its table does not exist. */
  record Activity(List<Source> sources, List<Reason> quarantine, List<Job> jobs) {}

  // ---------------------------------------------------------------- query

  static Activity query(DashboardTables tables) {
    List<Source> sources = !tables.view("ops.ingest_run", "d_run") ? null : tables.sql("""
        SELECT source, max(CASE WHEN status = 'succeeded' THEN finished_at END) AS last_ok,
               max_by(status, finished_at) AS last_status, count(*) AS runs,
               sum(lines_loaded) AS loaded, sum(lines_quarantined) AS quarantined
        FROM d_run GROUP BY source ORDER BY source""").stream()
        .map(r -> new Source(r.getAs("source"), instant(r, "last_ok"), r.getAs("last_status"), r.<Long>getAs("runs"),
            r.getAs("loaded"), r.getAs("quarantined"))).toList();
    List<Reason> quarantine = !tables.view("ops.quarantine", "d_q") ? null
        : tables.sql("SELECT source, stage, reason_code, count(*) AS n FROM d_q GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
            .stream().map(r -> new Reason(r.getAs("source"), r.getAs("stage"), r.getAs("reason_code"),
                r.<Long>getAs("n"))).toList();
    List<Job> jobs = !tables.view("ops.job_run", "d_job") ? null : tables.sql("""
        SELECT pipeline, job, max(CASE WHEN status = 'succeeded' THEN ended_at END) AS last_ok,
               max_by(status, ended_at) AS last_status, count(*) AS attempts
        FROM d_job GROUP BY 1, 2 ORDER BY 1, 2""").stream()
        .map(r -> new Job(r.getAs("pipeline"), r.getAs("job"), instant(r, "last_ok"), r.getAs("last_status"),
            r.<Long>getAs("attempts"))).toList();
    return new Activity(sources, quarantine, jobs);
  }

  private static Instant instant(Row r, String column) {
    Timestamp t = r.getAs(column);
    return t == null ? null : t.toInstant();
  }

  /**
   * A rule of the latest freshness check (ops.freshness_check) that is not fresh: its source or table, age
   * (null: never) and maximum age in hours, status ({@code stale} or {@code never}).
   */
  record Stale(String source, String table, Double ageHours, double maxAgeHours, String status) {}

  /** The rules of the latest check (all rows of its {@code checked_at}) found stale or never; empty without checks. */
  static List<Stale> queryStale(DashboardTables tables) {
    if (!tables.view("ops.freshness_check", "d_fresh")) {
      return List.of();
    }
    return tables.sql("""
        SELECT source, table_name, age_hours, max_age_hours, status FROM d_fresh
        WHERE checked_at = (SELECT max(checked_at) FROM d_fresh) AND status <> 'fresh'
        ORDER BY source IS NULL, source, table_name""").stream()
        .map(r -> new Stale(r.getAs("source"), r.getAs("table_name"), r.getAs("age_hours"),
            r.<Double>getAs("max_age_hours"), r.getAs("status"))).toList();
  }

  /**
   * The banner's lines, e.g. "Source ehr: no data for 9 days (limit 2)": in days when the limit is whole days,
   * else in hours; the age rounded up to one decimal, so a stale age never reads as the limit.
   */
  static List<String> banner(List<Stale> stale) {
    List<String> out = new ArrayList<>();
    for (Stale s : stale) {
      boolean days = s.maxAgeHours() >= 24 && s.maxAgeHours() % 24 == 0;
      double unit = days ? 24 : 1;
      String what = s.source() != null ? "Source " + s.source() + ": " : "Table " + s.table() + ": ";
      String limit = " (limit " + decimal(s.maxAgeHours() / unit) + ")";
      if (s.ageHours() == null) {
        out.add(what + (s.source() != null ? "no data yet" : "never written") + limit);
      } else {
        String age = decimal(Math.ceil(s.ageHours() / unit * 10 - 1e-9) / 10);
        out.add(what + (s.source() != null ? "no data for " : "not updated for ") + age + (days ? " days" : " hours")
            + limit);
      }
    }
    return out;
  }

  /** 9.0 as "9", 8.4 as "8.4". */
  private static String decimal(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(java.util.Locale.ROOT, "%.1f", v);
  }

  // ---------------------------------------------------------------- model

  /** The section: a "No data yet" one when none of the three tables exists. */
  static Section build(Activity data) {
    List<Panel> panels = new ArrayList<>();
    if (data.sources() != null) {
      panels.add(sourcePanel(data.sources()));
    }
    if (data.quarantine() != null) {
      List<List<String>> trows = data.quarantine().stream()
          .map(q -> List.of(q.source(), q.stage(), q.reason(), num(q.rows()))).toList();
      panels.add(new Panel(null, new Table("Quarantined rows by source and reason (rows, not persons)",
          List.of("Source", "Stage", "Reason", "Rows"), trows)));
    }
    if (data.jobs() != null) {
      List<List<String>> trows = data.jobs().stream().map(j -> List.of(j.pipeline(), j.job(), when(j.lastSuccess()),
          j.lastStatus(), num(j.attempts()))).toList();
      panels.add(new Panel(null, new Table("Scheduled jobs: last successful run", List.of("Pipeline", "Job",
          "Last success (UTC)", "Last status", "Attempts"), trows)));
    }
    if (panels.isEmpty()) {
      return DashboardFormat.empty(ID, TITLE);
    }
    return new Section(ID, TITLE, "From ops.ingest_run, ops.quarantine and ops.job_run.", panels);
  }

  private static Panel sourcePanel(List<Source> sources) {
    PanelRows t = new PanelRows(2);
    for (Source s : sources) {
      t.add(s.source(), s.loaded().doubleValue(), s.quarantined().doubleValue(), List.of(s.source(),
          when(s.lastSuccess()), s.lastStatus(), num(s.runs()), num(s.loaded()), num(s.quarantined())));
    }
    return new Panel(new Chart("freshness-rows", "bar", "Rows loaded and quarantined per source (all runs)",
        "Source", "Rows", t.labels(), List.of(new Series("Loaded", t.values(0), false),
            new Series("Quarantined", t.values(1), false))),
        new Table("Ingest runs per source", List.of("Source", "Last successful run (UTC)", "Last status", "Runs",
            "Rows loaded", "Rows quarantined"), t.rows()));
  }

  /** An instant in ISO-8601 UTC, e.g. {@code 2024-03-01T10:00:00Z}; "never" when null. */
  private static String when(Instant t) {
    return t == null ? "never" : t.toString();
  }
}
