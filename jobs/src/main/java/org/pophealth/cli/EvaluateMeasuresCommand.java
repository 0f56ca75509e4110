package org.pophealth.cli;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.measures.EvaluateMeasures;
import org.pophealth.measures.ExportMeasureReports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.pophealth.measures.MeasureSummaryPrinter;

@Command(name = "evaluate-measures", mixinStandardHelpOptions = true,
    description = {
      "Evaluate the official CMS eCQMs of the configured package (measures.package_dir) for every person:",
      "the measures' compiled CQL runs on the CQL engine inside Spark over EHR and claims evidence.",
      "Writes gold.measure_result, gold.measure_summary, gold.care_gap and gold.measure_diagnostic (who falls out",
      "where, and why) for the period (replacing it)."})
final class EvaluateMeasuresCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @picocli.CommandLine.Mixin PeriodOption periodOption = new PeriodOption();

  @Option(names = "--export-reports", paramLabel = "DIR",
      description = "Also write FHIR MeasureReports (summary and subject-list per measure) to DIR.")
  Path exportDir;

  @Option(names = "--individual", description = "With --export-reports: also one individual MeasureReport per person.")
  boolean individual;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = new CliContext(parent.global);
    PopHealthConfig config = ctx.config();
    PopHealthConfig.MeasurementPeriod period = periodOption.period(config);
    LocalDate start = period.start();
    LocalDate end = period.end();
    var lakehouse = ctx.lakehouse();
    EvaluateMeasures.Result r = new EvaluateMeasures(lakehouse, config.measures().packageDir(), start, end)
        .smallCellThreshold(config.measures().smallCellThreshold()).execute();
    r.results().unpersist();
    var out = spec.commandLine().getOut();
    MeasureSummaryPrinter.print(r, lakehouse, start, end, out);
    if (exportDir != null) {
      ExportMeasureReports.Result e = new ExportMeasureReports(lakehouse, start, end, exportDir, individual).execute();
      out.printf("MeasureReports in %s: %d summary, %d subject-list, %d individual%n", exportDir, e.summaries(),
          e.subjectLists(), e.individuals());
    }
    out.flush();
    return 0;
  }
}
