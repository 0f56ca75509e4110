package org.pophealth.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.pophealth.cohorts.CohortSettings;
import org.pophealth.cohorts.LoadCohortDefinitions;
import org.pophealth.dashboard.PublishDashboard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import org.pophealth.cohorts.CohortSummary;

@Command(name = "publish", mixinStandardHelpOptions = true,
    description = {
      "Publish each cohort's latest build under <dir>/<cohort>/<publication>/: per audience list.csv and",
      "list.parquet with that audience's columns (aggregate audiences: summary.csv, small cells",
      "suppressed); group.json (FHIR Group), list.json (FHIR List) and changes.csv against the previous",
      "publication. Appends an ops.publication audit row per cohort. Also writes the executive dashboard",
      "to <dir>/dashboard/<as_of>/index.html (see `dashboard`)."})
final class PublishCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--cohort", paramLabel = "NAME", split = ",", description = "Only these cohorts (default: all).")
  List<String> cohorts = List.of();

  @Option(names = "--dir", paramLabel = "DIR", description = "Publish directory (default cohorts.publish_dir, else <lakehouse>/published).")
  String dir;

  @Option(names = "--definitions", paramLabel = "DIR", description = "Definitions directory (default cohorts.definitions_dir).")
  String definitions;

  @Override
  public Integer call() {
    CliContext ctx = new CliContext(parent.global);
    LoadCohortDefinitions.Result defs = CohortSettings.definitions(ctx.config(), definitions);
    var r = CohortSettings.publish(ctx.lakehouse(), ctx.config(), defs, dir, cohorts).execute();
    CohortSummary.printPublish(r, spec.commandLine().getOut());
    if (!r.published().isEmpty()) {
      org.pophealth.dashboard.DashboardSummary.print(PublishDashboard.publish(ctx.lakehouse(), ctx.config(), dir),
          spec.commandLine().getOut());
    }
    return r.published().isEmpty() && !r.notBuilt().isEmpty() ? 2 : 0;
  }
}
