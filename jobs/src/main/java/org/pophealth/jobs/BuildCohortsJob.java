package org.pophealth.jobs;

import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.List;
import org.pophealth.cohorts.BuildCohorts;
import org.pophealth.cohorts.CohortSettings;
import org.pophealth.cohorts.CohortSummary;
import org.pophealth.cohorts.LoadCohortDefinitions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "build-cohorts", mixinStandardHelpOptions = true,
    description = {
      "Attribute every person to a primary-care provider (gold.attribution), then evaluate the cohort",
      "definitions in measures/cohorts/ over care gaps, risk, acute use and duplicate tests: writes",
      "gold.cohort_member (listed and ranked, or excluded with why) under a publication id derived from",
      "the input Delta versions, and an ops.publication audit row per cohort."})
public final class BuildCohortsJob extends Job<BuildCohorts.Result> {
  @Option(names = "--as-of", paramLabel = "DATE", description = "Reference date (default cohorts.as_of, else measurement_period.end).")
  LocalDate asOf;

  @Option(names = "--cohort", paramLabel = "NAME", split = ",", description = "Only these cohorts (default: all).")
  List<String> cohorts = List.of();

  @Option(names = "--definitions", paramLabel = "DIR", description = "Definitions directory (default cohorts.definitions_dir, else the packaged ones).")
  String definitions;

  @Override
  protected BuildCohorts.Result execute(JobContext ctx) throws Exception {
    LoadCohortDefinitions.Result defs = CohortSettings.definitions(ctx.config(), definitions);
    return CohortSettings.build(ctx.lakehouse(), ctx.config(), defs, CohortSettings.asOf(ctx.config(), asOf), cohorts)
        .execute();
  }

  @Override
  protected void summarize(BuildCohorts.Result r, JobContext ctx, PrintWriter out) {
    CohortSummary.printBuild(r, out);
  }
}
