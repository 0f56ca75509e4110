package org.pophealth.jobs;

import java.io.PrintWriter;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.duplicates.DetectDuplicateTests;
import org.pophealth.duplicates.DuplicateSummary;
import org.pophealth.duplicates.DuplicateTestRules;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "detect-duplicate-tests", mixinStandardHelpOptions = true,
    description = {
      "Find repeated labs and imaging in silver.event with the rules in measures/duplicate-tests/",
      "(families, codes, windows, exclusions) and replace gold.duplicate_test_event (one row per repeat)",
      "and gold.duplicate_test_rate (rates by family, month, organization, provider; small cells",
      "suppressed). Prints a summary per family and the trend by year."})
public final class DetectDuplicateTestsJob extends Job<DetectDuplicateTestsJob.Result> {
  @Option(names = "--rules", paramLabel = "DIR",
      description = "Rules directory (rules.csv, codes.csv, code_systems.csv, exclusions.csv); default duplicates.rules_dir, else the packaged rules.")
  String rulesDir;

  @Option(names = "--min-cell-size", paramLabel = "N", description = "Suppress rate cells with fewer tests (default duplicates.min_cell_size).")
  Integer minCellSize;

  /** The detection's result and the small-cell threshold it applied. */
  public record Result(DetectDuplicateTests.Result detected, int minCellSize) {}

  @Override
  protected Result execute(JobContext ctx) throws Exception {
    PopHealthConfig.Duplicates d = ctx.config().duplicates();
    DuplicateTestRules rules = DuplicateTestRules.load(rulesDir != null ? rulesDir : d.rulesDir());
    int min = minCellSize != null ? minCellSize : d.minCellSize();
    return new Result(new DetectDuplicateTests(ctx.lakehouse(), rules).minCellSize(min).execute(), min);
  }

  @Override
  protected void summarize(Result r, JobContext ctx, PrintWriter out) {
    DuplicateSummary.print(r.detected(), r.minCellSize(), out);
  }
}
