package org.pophealth.jobs;

import java.io.PrintWriter;
import java.util.List;
import org.pophealth.cohorts.CohortSettings;
import org.pophealth.cohorts.CohortSummary;
import org.pophealth.cohorts.LoadCohortDefinitions;
import org.pophealth.cohorts.PublishCohorts;
import org.pophealth.dashboard.DashboardSummary;
import org.pophealth.dashboard.PublishDashboard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "publish", mixinStandardHelpOptions = true,
    description = {
      "Publish each cohort's latest build under <dir>/<cohort>/<publication>/: per audience list.csv and",
      "list.parquet with that audience's columns (aggregate audiences: summary.csv, small cells",
      "suppressed); group.json (FHIR Group), list.json (FHIR List) and changes.csv against the previous",
      "publication. Appends an ops.publication audit row per cohort. Keeps the outreach worklist",
      "ops.worklist (new items assigned by measures/worklist/assignment.csv, left persons' items closed,",
      "re-offer periods of reoffer.csv). Also writes the executive dashboard",
      "to <dir>/dashboard/<as_of>/index.html (see `dashboard`)."})
public final class PublishJob extends Job<PublishJob.Result> {
  @Option(names = "--cohort", paramLabel = "NAME", split = ",", description = "Only these cohorts (default: all).")
  List<String> cohorts = List.of();

  @Option(names = "--dir", paramLabel = "DIR", description = "Publish directory (default cohorts.publish_dir, else <lakehouse>/published).")
  String dir;

  @Option(names = "--definitions", paramLabel = "DIR", description = "Definitions directory (default cohorts.definitions_dir).")
  String definitions;

  /** The cohorts published and, when any was, the dashboard written beside them. */
  public record Result(PublishCohorts.Result cohorts, PublishDashboard.Result dashboard) {}

  @Override
  protected Result execute(JobContext ctx) throws Exception {
    LoadCohortDefinitions.Result defs = CohortSettings.definitions(ctx.config(), definitions);
    PublishCohorts.Result r = CohortSettings.publish(ctx.lakehouse(), ctx.config(), defs, dir, cohorts).execute();
    PublishDashboard.Result d = r.published().isEmpty() ? null
        : PublishDashboard.publish(ctx.lakehouse(), ctx.config(), dir);
    return new Result(r, d);
  }

  @Override
  protected void summarize(Result r, JobContext ctx, PrintWriter out) {
    CohortSummary.printPublish(r.cohorts(), out);
    if (r.dashboard() != null) {
      DashboardSummary.print(r.dashboard(), out);
    }
  }

  @Override
  protected int exitCode(Result r) {
    return r.cohorts().published().isEmpty() && !r.cohorts().notBuilt().isEmpty() ? 2 : 0;
  }
}
