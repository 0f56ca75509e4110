package org.pophealth.cli;

import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import org.pophealth.cohorts.CohortSettings;
import org.pophealth.cohorts.LoadCohortDefinitions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import org.pophealth.cohorts.CohortSummary;

@Command(name = "build-cohorts", mixinStandardHelpOptions = true,
    description = {
      "Attribute every person to a primary-care provider (gold.attribution), then evaluate the cohort",
      "definitions in measures/cohorts/ over care gaps, risk, acute use and duplicate tests: writes",
      "gold.cohort_member (listed and ranked, or excluded with why) under a publication id derived from",
      "the input Delta versions, and an ops.publication audit row per cohort."})
final class BuildCohortsCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--as-of", paramLabel = "DATE", description = "Reference date (default cohorts.as_of, else measurement_period.end).")
  LocalDate asOf;

  @Option(names = "--cohort", paramLabel = "NAME", split = ",", description = "Only these cohorts (default: all).")
  List<String> cohorts = List.of();

  @Option(names = "--definitions", paramLabel = "DIR", description = "Definitions directory (default cohorts.definitions_dir, else the packaged ones).")
  String definitions;

  @Override
  public Integer call() {
    CliContext ctx = new CliContext(parent.global);
    LoadCohortDefinitions.Result defs = CohortSettings.definitions(ctx.config(), definitions);
    var r = CohortSettings.build(ctx.lakehouse(), ctx.config(), defs, CohortSettings.asOf(ctx.config(), asOf), cohorts)
        .execute();
    CohortSummary.printBuild(r, spec.commandLine().getOut());
    return 0;
  }
}
