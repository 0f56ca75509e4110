package org.pophealth.cli;

import org.pophealth.jobs.JobContext;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.schedule.RunPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.pophealth.io.TextTable;

/** {@code run PIPELINE}: runs a configured pipeline now, as the scheduler would. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run a pipeline of scheduler.pipelines now (trigger 'manual'): jobs in dependency order, retries,",
        "dependents of a failed job skipped; every attempt recorded in ops.job_run. Exit 1 when a job failed."})
final class RunCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "PIPELINE", description = "Pipeline name.")
  String pipeline;

  @Override
  public Integer call() {
    JobContext ctx = new JobContext(parent.global);
    PopHealthConfig.MeasurementPeriod p = ctx.config().measurementPeriod();
    RunPipeline.Result r = PopHealthCli.pipelines(ctx).execute(pipeline, "manual", p.start(), p.end());
    print(r, spec.commandLine().getOut());
    return r.succeeded() ? 0 : 1;
  }

  static void print(RunPipeline.Result r, PrintWriter out) {
    out.printf("pipeline %s run %s (%s): %s in %.1f s%n", r.pipeline(), r.runId(), r.trigger(),
        r.succeeded() ? "succeeded" : "FAILED", r.seconds());
    TextTable t = new TextTable("job", "status", "attempts", "error");
    for (RunPipeline.JobResult j : r.jobs()) {
      t.row(j.job(), j.status(), j.attempts(), j.error() == null ? "" : j.error());
    }
    t.print(out);
    out.flush();
  }
}
