package org.pophealth.jobs;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.pophealth.dashboard.DashboardBenchmarks;
import org.pophealth.dashboard.DashboardSummary;
import org.pophealth.dashboard.DashboardTargets;
import org.pophealth.dashboard.PublishDashboard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dashboard", mixinStandardHelpOptions = true,
    description = {
      "Write the executive dashboard (one self-contained HTML file, works offline): quality measures against",
      "targets with trends and strata, national benchmark deciles (CMS QPP), risk, risk-adjustment gaps",
      "(risk.payment_year), duplicate tests, cohorts,",
      "data freshness. Aggregates only; cells under measures.small_cell_threshold persons are shown as <11.",
      "`publish` writes it too, under <publish_dir>/dashboard/<as_of>/index.html."})
public final class DashboardJob extends Job<PublishDashboard.Result> {
  @Option(names = "--out", paramLabel = "FILE", required = true, description = "HTML file to write.")
  String out;

  @Option(names = "--targets", paramLabel = "CSV",
      description = "Targets file (measure,group_index,target); default the packaged measures/dashboard/targets.csv.")
  Path targets;

  @Option(names = "--benchmarks", paramLabel = "DIR",
      description = "Directory of national benchmark files (<performance year>.csv, layout of the packaged"
          + " measures/dashboard/benchmarks/); default the packaged ones.")
  Path benchmarks;

  @Override
  protected PublishDashboard.Result execute(JobContext ctx) throws Exception {
    DashboardTargets t = targets == null ? DashboardTargets.packaged() : DashboardTargets.file(targets);
    DashboardBenchmarks b = benchmarks == null ? DashboardBenchmarks.packaged() : DashboardBenchmarks.directory(benchmarks);
    return new PublishDashboard(ctx.lakehouse(), t, ctx.config().measures().smallCellThreshold())
        .paymentYear(ctx.config().risk().paymentYear()).benchmarks(b).write(out, "Lakehouse " + ctx.lakehouse().root());
  }

  @Override
  protected void summarize(PublishDashboard.Result r, JobContext ctx, PrintWriter o) {
    DashboardSummary.print(r, o);
  }
}
