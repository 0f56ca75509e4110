package org.pophealth.cli;

import java.util.concurrent.Callable;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.duplicates.DetectDuplicateTests;
import org.pophealth.duplicates.DuplicateTestRules;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.pophealth.duplicates.DuplicateSummary;

@Command(name = "detect-duplicate-tests", mixinStandardHelpOptions = true,
    description = {
      "Find repeated labs and imaging in silver.event with the rules in measures/duplicate-tests/",
      "(families, codes, windows, exclusions) and replace gold.duplicate_test_event (one row per repeat)",
      "and gold.duplicate_test_rate (rates by family, month, organization, provider; small cells",
      "suppressed). Prints a summary per family and the trend by year."})
final class DetectDuplicateTestsCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--rules", paramLabel = "DIR",
      description = "Rules directory (rules.csv, codes.csv, code_systems.csv, exclusions.csv); default duplicates.rules_dir, else the packaged rules.")
  String rulesDir;

  @Option(names = "--min-cell-size", paramLabel = "N", description = "Suppress rate cells with fewer tests (default duplicates.min_cell_size).")
  Integer minCellSize;

  @Override
  public Integer call() {
    CliContext ctx = new CliContext(parent.global);
    PopHealthConfig.Duplicates d = ctx.config().duplicates();
    DuplicateTestRules rules = DuplicateTestRules.load(rulesDir != null ? rulesDir : d.rulesDir());
    int min = minCellSize != null ? minCellSize : d.minCellSize();
    DetectDuplicateTests.Result r = new DetectDuplicateTests(ctx.lakehouse(), rules).minCellSize(min).execute();
    DuplicateSummary.print(r, min, spec.commandLine().getOut());
    return 0;
  }
}
