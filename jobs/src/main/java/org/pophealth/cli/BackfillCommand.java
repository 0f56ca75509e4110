package org.pophealth.cli;

import org.pophealth.jobs.JobContext;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.pophealth.schedule.RunPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code backfill PIPELINE --from DATE --to DATE}: runs a pipeline for each past period, oldest first. */
@Command(name = "backfill", mixinStandardHelpOptions = true,
    description = {"Run a pipeline once per measurement year from --from to --to, in order (trigger 'backfill:<year>'):",
        "${period} in job commands becomes that year. Stops at the first failed run (exit 1)."})
final class BackfillCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "PIPELINE", description = "Pipeline name.")
  String pipeline;

  @Option(names = "--from", required = true, paramLabel = "DATE", description = "First period: the year of this date (yyyy-MM-dd or yyyy).")
  String from;

  @Option(names = "--to", required = true, paramLabel = "DATE", description = "Last period: the year of this date (yyyy-MM-dd or yyyy).")
  String to;

  @Override
  public Integer call() {
    int first = year(from, "--from");
    int last = year(to, "--to");
    if (last < first) {
      throw new IllegalArgumentException("--to (" + to + ") is before --from (" + from + ")");
    }
    JobContext ctx = new JobContext(parent.global);
    RunPipeline runner = PopHealthCli.pipelines(ctx);
    for (int y = first; y <= last; y++) {
      RunPipeline.Result r = runner.execute(pipeline, "backfill:" + y, LocalDate.of(y, 1, 1), LocalDate.of(y, 12, 31));
      RunCommand.print(r, spec.commandLine().getOut());
      if (!r.succeeded()) {
        spec.commandLine().getOut().printf("backfill stopped at %d: later periods not run%n", y);
        return 1;
      }
    }
    return 0;
  }

  private static int year(String s, String option) {
    try {
      return s.length() == 4 ? Integer.parseInt(s) : LocalDate.parse(s).getYear();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(option + " must be a date (yyyy-MM-dd) or a year, not '" + s + "'");
    }
  }
}
