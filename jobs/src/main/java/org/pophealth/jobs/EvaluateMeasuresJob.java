package org.pophealth.jobs;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.measures.EvaluateMeasures;
import org.pophealth.measures.ExportCareGapBundles;
import org.pophealth.measures.ExportMeasureReports;
import org.pophealth.measures.MeasureSummaryPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "evaluate-measures", mixinStandardHelpOptions = true,
    description = {
      "Evaluate the official CMS eCQMs of the configured package (measures.package_dir) for every person:",
      "the measures' compiled CQL runs on the CQL engine inside Spark over EHR and claims evidence.",
      "Writes gold.measure_result, gold.measure_summary, gold.care_gap and gold.measure_diagnostic (who falls out",
      "where, and why) for the period (replacing it). A person whose evidence, package and build are unchanged",
      "since the last run keeps their rows (the CQL does not run for them again); --full evaluates everyone."})
public final class EvaluateMeasuresJob extends Job<EvaluateMeasuresJob.Result> {
  @Mixin PeriodOption periodOption = new PeriodOption();

  @Option(names = "--trend", paramLabel = "N", defaultValue = "0",
      description = "Also evaluate the N periods before it, earliest first (the dashboard's trend); default ${DEFAULT-VALUE}.")
  int trend;

  @Option(names = "--full",
      description = "Evaluate every person again, reusing no earlier rows (a full rebuild; gives the same tables).")
  boolean full;

  @Option(names = "--export-reports", paramLabel = "DIR",
      description = "Also write FHIR MeasureReports (summary and subject-list per measure) to DIR.")
  Path exportDir;

  @Option(names = "--individual", description = "With --export-reports: also one individual MeasureReport per person.")
  boolean individual;

  @Option(names = "--export-care-gaps", paramLabel = "DIR",
      description = "Also write Da Vinci DEQM gaps-in-care Bundles (one per person with an open or prospective gap) to DIR.")
  Path careGapDir;

  @Option(names = "--all-statuses", description = "With --export-care-gaps: also closed and not-applicable gaps.")
  boolean allStatuses;

  /** One evaluated period. */
  public record Period(LocalDate start, LocalDate end, EvaluateMeasures.Result result) {}

  /** The earlier periods (earliest first), then the period itself; the MeasureReports and gap Bundles when exported. */
  public record Result(List<Period> trend, Period period, ExportMeasureReports.Result reports,
      ExportCareGapBundles.Result careGaps) {}

  @Override
  protected Result execute(JobContext ctx) throws java.io.IOException {
    if (trend < 0) {
      throw new IllegalArgumentException("--trend must be 0 or more, not " + trend);
    }
    PopHealthConfig config = ctx.config();
    PopHealthConfig.MeasurementPeriod period = periodOption.period(config);
    PopHealthConfig.Measures m = config.measures();
    // the trend and the period in one evaluation: the person resources collected once, each table written once
    EvaluateMeasures.Result r = new EvaluateMeasures(ctx.lakehouse(), m.packageDir(), period.start(), period.end())
        .smallCellThreshold(m.smallCellThreshold()).trend(trend).full(full).execute();
    r.release(); // nothing reads the cached rows again: the exports read the tables
    List<Period> earlier = new ArrayList<>();
    for (int k = trend; k >= 1; k--) {
      earlier.add(new Period(period.start().minusYears(k), period.end().minusYears(k), r.trend().get(trend - k)));
    }
    Period p = new Period(period.start(), period.end(), r);
    ExportMeasureReports.Result e = exportDir == null ? null
        : new ExportMeasureReports(ctx.lakehouse(), p.start(), p.end(), exportDir, individual)
            .reporter(ctx.config().measures().reporter()).execute();
    ExportCareGapBundles.Result g = careGapDir == null ? null
        : new ExportCareGapBundles(ctx.lakehouse(), p.start(), p.end(), careGapDir).allStatuses(allStatuses)
            .reporter(ctx.config().measures().reporter()).execute();
    return new Result(List.copyOf(earlier), p, e, g);
  }

  @Override
  protected void summarize(Result r, JobContext ctx, PrintWriter out) {
    for (Period t : r.trend()) {
      out.printf("period %s..%s: %d persons (%d evaluated, %d unchanged and kept), %d person-measure evaluations,"
              + " %d open or prospective care gaps%n", t.start(), t.end(), t.result().persons(),
          t.result().evaluatedPersons(), t.result().reusedPersons(), t.result().evaluations(), t.result().gaps());
    }
    Period p = r.period();
    MeasureSummaryPrinter.print(p.result(), ctx.lakehouse(), p.start(), p.end(), out);
    if (r.reports() != null) {
      out.printf("MeasureReports in %s: %d summary, %d subject-list, %d individual%n", exportDir,
          r.reports().summaries(), r.reports().subjectLists(), r.reports().individuals());
    }
    if (r.careGaps() != null) {
      ExportCareGapBundles.Result g = r.careGaps();
      out.printf("Care-gap Bundles in %s: %d bundles, %d DetectedIssues (open %d, prospective %d, closed %d, not applicable %d)%n",
          careGapDir, g.bundles(), g.detectedIssues(), g.open(), g.prospective(), g.closed(), g.notApplicable());
    }
  }
}
