package org.pophealth.cli;

import static org.apache.spark.sql.functions.col;

import java.io.PrintWriter;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.io.TextTable;
import org.pophealth.jobs.JobContext;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.ops.JobAttempts;
import org.pophealth.ops.LakehouseLease;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code audit}: who ran what, when, on which files: every job attempt of the chosen days (ops.job_attempt,
 * refused, failed and killed ones included), the attempts open now, the cohort builds and publications
 * (ops.publication) and the SQL console's queries (ops.sql_query). Counts and hashes only, never patient data.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = {"The audit trail: job attempts (ops.job_attempt: user, host, build, config hash, input files",
        "with SHA-256, tables written and rolled back), attempts open now, publications and SQL queries."})
final class AuditCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "Only this day (UTC).")
  LocalDate date;

  @Option(names = "--days", defaultValue = "7", description = "The last N days (UTC), default ${DEFAULT-VALUE}; ignored with --date.")
  int days;

  @Option(names = "--files", description = "List each attempt's input files with size and SHA-256.")
  boolean files;

  @Override
  public Integer call() {
    JobContext ctx = new JobContext(parent.global);
    Lakehouse lh = ctx.lakehouse();
    PrintWriter out = spec.commandLine().getOut();
    Instant from = date != null ? date.atStartOfDay(ZoneOffset.UTC).toInstant()
        : LocalDate.now(ZoneOffset.UTC).minusDays(Math.max(0, days - 1L)).atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant to = date != null ? date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.MAX;
    out.println("lakehouse " + lh.root() + ": " + LakehouseLease.current(lh.root(),
        lh.spark().sparkContext().hadoopConfiguration()).map(h -> "lease held by " + h.describe()).orElse("no lease held"));
    attempts(lh, out, from, to);
    open(lh, out);
    publications(lh, out, from, to);
    queries(lh, out, from, to);
    out.flush();
    return 0;
  }

  private void attempts(Lakehouse lh, PrintWriter out, Instant from, Instant to) {
    out.println();
    out.println("job attempts (ops.job_attempt)");
    if (!lh.exists(JobAttempts.TABLE)) {
      out.println("  none recorded");
      return;
    }
    List<Row> rows = window(lh.read(JobAttempts.TABLE), "started_at", from, to)
        .orderBy(col("started_at"), col("attempt_id")).collectAsList();
    TextTable t = new TextTable("started (UTC)", "ended", "job", "status", "exit", "user", "host", "pid", "build",
        "config", "inputs", "input bytes", "tables written", "rolled back", "run", "error");
    for (Row r : rows) {
      List<Row> in = r.getList(r.fieldIndex("input_files"));
      long bytes = in == null ? 0 : in.stream().mapToLong(f -> f.getLong(1)).sum();
      scala.collection.Map<String, Object> w = r.getAs("versions_written");
      scala.collection.Map<String, Object> rb = r.getAs("rolled_back");
      t.row(time(r.getAs("started_at")), time(r.getAs("ended_at")).substring(11), r.getAs("job"), r.getAs("status"),
          r.getAs("exit_code") == null ? "" : r.getAs("exit_code"), r.getAs("os_user"), r.getAs("host"), r.getAs("pid"),
          r.<String>getAs("product_version") + " " + shortCommit(r.getAs("git_commit")),
          r.<String>getAs("config_hash").substring(0, Math.min(12, r.<String>getAs("config_hash").length())),
          in == null ? 0 : in.size(), bytes, w == null ? 0 : w.size(), rb == null ? 0 : rb.size(),
          r.getAs("run_id") == null ? "" : r.getAs("run_id"), r.getAs("error") == null ? "" : r.getAs("error"));
    }
    t.print(out);
    out.println("(" + rows.size() + (rows.size() == 1 ? " attempt)" : " attempts)"));
    if (files) {
      TextTable f = new TextTable("attempt", "job", "file", "bytes", "sha256");
      for (Row r : rows) {
        List<Row> in = r.getList(r.fieldIndex("input_files"));
        for (Row file : in == null ? List.<Row>of() : in) {
          f.row(r.<String>getAs("attempt_id").substring(0, 8), r.getAs("job"), file.getString(0), file.getLong(1),
              file.getString(2));
        }
      }
      out.println();
      out.println("input files");
      f.print(out);
    }
  }

  private static void open(Lakehouse lh, PrintWriter out) {
    List<JobAttempts.Start> open = JobAttempts.openAttempts(lh);
    out.println();
    out.println("attempts open now (running, or killed and not yet found by a later run)");
    if (open.isEmpty()) {
      out.println("  none");
      return;
    }
    TextTable t = new TextTable("started (UTC)", "job", "user", "host", "pid", "run");
    for (JobAttempts.Start s : open) {
      t.row(s.startedAt().toString().substring(0, 19).replace('T', ' '), s.job(), s.who().user(), s.who().host(),
          s.who().pid(), s.runId() == null ? "" : s.runId());
    }
    t.print(out);
  }

  private static void publications(Lakehouse lh, PrintWriter out, Instant from, Instant to) {
    out.println();
    out.println("cohort builds and publications (ops.publication)");
    if (!lh.exists("ops.publication")) {
      out.println("  none recorded");
      return;
    }
    TextTable t = new TextTable("at (UTC)", "cohort", "action", "publication", "listed", "user", "host", "build");
    List<Row> rows = window(lh.read("ops.publication"), "at", from, to).orderBy(col("at"), col("cohort")).collectAsList();
    for (Row r : rows) {
      t.row(time(r.getAs("at")), r.getAs("cohort"), r.getAs("action"), r.getAs("publication"), r.getAs("listed"),
          r.getAs("user"), optional(r, "host"), shortCommit(optional(r, "git_commit")));
    }
    t.print(out);
  }

  private static void queries(Lakehouse lh, PrintWriter out, Instant from, Instant to) {
    out.println();
    out.println("SQL console queries (ops.sql_query)");
    if (lh.contracts().all().stream().noneMatch(c -> c.name().equals("ops.sql_query")) || !lh.exists("ops.sql_query")) {
      out.println("  none recorded");
      return;
    }
    Dataset<Row> q = lh.read("ops.sql_query");
    String at = List.of(q.columns()).contains("at") ? "at" : List.of(q.columns()).contains("started_at") ? "started_at" : null;
    if (at == null) {
      out.println("  (unknown layout)");
      return;
    }
    List<Row> rows = window(q, at, from, to).orderBy(col(at)).collectAsList();
    String[] cols = q.columns();
    TextTable t = new TextTable(cols);
    for (Row r : rows) {
      Object[] cells = new Object[cols.length];
      for (int i = 0; i < cols.length; i++) {
        Object v = r.get(i);
        cells[i] = v instanceof Timestamp ts ? time(ts) : v == null ? "" : v;
      }
      t.row(cells);
    }
    t.print(out);
  }

  /** A column added in a later version: empty on tables written before. */
  private static String optional(Row r, String column) {
    return List.of(r.schema().fieldNames()).contains(column) && r.getAs(column) != null ? r.getAs(column) : "";
  }

  private static Dataset<Row> window(Dataset<Row> d, String column, Instant from, Instant to) {
    Dataset<Row> out = d.filter(col(column).geq(Timestamp.from(from)));
    return to.equals(Instant.MAX) ? out : out.filter(col(column).lt(Timestamp.from(to)));
  }

  private static String time(Timestamp t) {
    return t == null ? "" : t.toInstant().toString().substring(0, 19).replace('T', ' ');
  }

  private static String shortCommit(String c) {
    return c == null ? "" : c.length() > 12 && !c.equals("unknown") ? c.substring(0, 12) + (c.endsWith("+dirty") ? "+" : "") : c;
  }
}
