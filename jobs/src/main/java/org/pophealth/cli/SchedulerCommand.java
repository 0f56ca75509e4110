package org.pophealth.cli;

import org.pophealth.jobs.JobContext;
import java.io.PrintWriter;
import java.util.Date;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.schedule.PipelineScheduler;
import org.pophealth.schedule.RunPipeline;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.pophealth.io.TextTable;

/** {@code scheduler start|status}: the long-lived Quartz scheduler of the configured pipelines. */
@Command(name = "scheduler", mixinStandardHelpOptions = true,
    description = "The Quartz scheduler of scheduler.pipelines (job store: scheduler.job_store).",
    subcommands = {SchedulerCommand.Start.class, SchedulerCommand.Status.class})
final class SchedulerCommand implements Runnable {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = {"Start the scheduler and run pipelines on their cron until SIGTERM / Ctrl-C. On SIGTERM no new job",
          "starts; the running job finishes, the rest of its pipeline is recorded as skipped; state stays in the job store."})
  static final class Start implements Callable<Integer> {
    @ParentCommand SchedulerCommand scheduler;
    @Spec CommandSpec spec;

    @Option(names = "--stop-after", paramLabel = "SECONDS", description = "Stop by itself after this long (tests, demos).")
    Long stopAfter;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = new JobContext(scheduler.parent.global);
      PopHealthConfig.MeasurementPeriod period = ctx.config().measurementPeriod();
      AtomicBoolean stopping = new AtomicBoolean();
      org.pophealth.schedule.Checks checks = PopHealthCli.checks(ctx);
      RunPipeline runner = PopHealthCli.pipelines(ctx, checks).stopSignal(stopping::get);
      PrintWriter out = spec.commandLine().getOut();
      CountDownLatch done = new CountDownLatch(1);
      try (PipelineScheduler s = new PipelineScheduler(ctx.config().scheduler(), (pipeline, trigger) -> {
        RunPipeline.Result r = runner.execute(pipeline, trigger, period.start(), period.end());
        synchronized (out) {
          RunCommand.print(r, out);
        }
        return r;
      }, checks::scheduled)) {
        Thread hook = new Thread(() -> {
          stopping.set(true);
          try {
            s.shutdown(true);
          } catch (Exception e) {
            // exiting anyway
          }
          done.countDown();
        }, "pophealth-scheduler-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        s.start();
        printTriggers(s, out);
        out.println("scheduler running (job store " + ctx.config().scheduler().jobStore() + "); Ctrl-C or SIGTERM stops it");
        out.flush();
        if (stopAfter != null) {
          done.await(stopAfter, TimeUnit.SECONDS);
          stopping.set(true);
          s.shutdown(true);
          Runtime.getRuntime().removeShutdownHook(hook);
        } else {
          done.await();
        }
      }
      out.println("scheduler stopped");
      out.flush();
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "The pipelines in the job store with their cron and next fire time (without starting them).")
  static final class Status implements Callable<Integer> {
    @ParentCommand SchedulerCommand scheduler;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = new JobContext(scheduler.parent.global);
      try (PipelineScheduler s = new PipelineScheduler(ctx.config().scheduler(), (p, t) -> null)) {
        s.reconcile();
        printTriggers(s, spec.commandLine().getOut());
      }
      return 0;
    }
  }

  static void printTriggers(PipelineScheduler s, PrintWriter out) throws org.quartz.SchedulerException {
    TextTable t = new TextTable("pipeline", "cron", "next run (UTC)", "previous run (UTC)");
    for (TriggerKey k : s.quartz().getTriggerKeys(GroupMatcher.triggerGroupEquals(PipelineScheduler.GROUP))) {
      Trigger tr = s.quartz().getTrigger(k);
      String cron = tr instanceof org.quartz.CronTrigger c ? c.getCronExpression() : "";
      t.row(k.getName(), cron, time(tr.getNextFireTime()), time(tr.getPreviousFireTime()));
    }
    t.print(out);
    out.flush();
  }

  private static String time(Date d) {
    return d == null ? "" : d.toInstant().toString();
  }
}
