package org.pophealth.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pophealth.dashboard.DashboardTargets;
import org.pophealth.dashboard.PublishDashboard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import org.pophealth.cohorts.CohortSummary;

@Command(name = "dashboard", mixinStandardHelpOptions = true,
    description = {
      "Write the executive dashboard (one self-contained HTML file, works offline): quality measures against",
      "targets with trends and strata, risk, duplicate tests, cohorts, data freshness. Aggregates only; cells",
      "under measures.small_cell_threshold persons are shown as <11. `publish` writes it too, under",
      "<publish_dir>/dashboard/<as_of>/index.html."})
final class DashboardCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--out", paramLabel = "FILE", required = true, description = "HTML file to write.")
  String out;

  @Option(names = "--targets", paramLabel = "CSV",
      description = "Targets file (measure,group_index,target); default the packaged measures/dashboard/targets.csv.")
  Path targets;

  @Override
  public Integer call() {
    CliContext ctx = new CliContext(parent.global);
    DashboardTargets t = targets == null ? DashboardTargets.packaged() : DashboardTargets.file(targets);
    PublishDashboard.Result r = new PublishDashboard(ctx.lakehouse(), t, ctx.config().measures().smallCellThreshold())
        .write(out, "Lakehouse " + ctx.lakehouse().root());
    org.pophealth.dashboard.DashboardSummary.print(r, spec.commandLine().getOut());
    return 0;
  }
}
