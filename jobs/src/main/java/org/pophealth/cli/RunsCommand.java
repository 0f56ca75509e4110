package org.pophealth.cli;

import org.pophealth.jobs.JobContext;
import static org.apache.spark.sql.functions.col;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.pophealth.io.TextTable;

/** {@code runs [--pipeline P]}: the run history from ops.job_run, newest first. */
@Command(name = "runs", mixinStandardHelpOptions = true,
    description = "Pipeline run history (ops.job_run), newest first: one line per job attempt.")
final class RunsCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--pipeline", paramLabel = "P", description = "Only this pipeline.")
  String pipeline;

  @Option(names = "--limit", defaultValue = "50", description = "Attempts to show (default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    JobContext ctx = new JobContext(parent.global);
    Lakehouse lh = ctx.lakehouse();
    PrintWriter out = spec.commandLine().getOut();
    org.pophealth.ops.LakehouseLease.current(lh.root(), lh.spark().sparkContext().hadoopConfiguration())
        .ifPresent(h -> out.println("running now: lease held by " + h.describe()));
    if (!lh.exists("ops.job_run")) {
      out.println("no runs yet (ops.job_run does not exist)");
      out.flush();
      return 0;
    }
    Dataset<Row> runs = lh.read("ops.job_run");
    if (pipeline != null) {
      runs = runs.filter(col("pipeline").equalTo(pipeline));
    }
    TextTable t = new TextTable("started (UTC)", "pipeline", "run", "trigger", "job", "attempt", "status", "seconds",
        "tables written", "rows written", "error");
    for (Row r : runs.orderBy(col("started_at").desc(), col("job").asc()).limit(limit).collectAsList()) {
      java.sql.Timestamp s = r.getAs("started_at");
      java.sql.Timestamp e = r.getAs("ended_at");
      scala.collection.Map<String, Object> w = r.getAs("versions_written");
      t.row(s.toInstant().toString().substring(0, 19).replace('T', ' '), r.getAs("pipeline"), r.getAs("run_id"),
          r.getAs("trigger"), r.getAs("job"), r.getAs("attempt"), r.getAs("status"),
          String.format("%.1f", (e.getTime() - s.getTime()) / 1000.0), w == null ? 0 : w.size(),
          r.getAs("rows_written") == null ? "" : r.getAs("rows_written"),
          r.getAs("error") == null ? "" : r.getAs("error"));
    }
    t.print(out);
    out.flush();
    return 0;
  }
}
