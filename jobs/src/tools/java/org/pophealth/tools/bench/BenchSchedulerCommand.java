package org.pophealth.tools.bench;

import org.pophealth.cli.PopHealthCli;
import org.pophealth.jobs.JobContext;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.pophealth.config.SchedulerConfig;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.lakehouse.TableContract;
import org.pophealth.schedule.RunPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.pophealth.io.TextTable;

/**
 * {@code bench scheduler}: what the pipeline runner adds per job (Delta versions of every table before
 * and after, the ops.job_run row) on a lakehouse holding every contract table, against the same command
 * run bare.
 */
@Command(name = "scheduler", mixinStandardHelpOptions = true,
    description = {"Pipeline-runner overhead per job: a chain of N quick jobs (`schema`) through RunPipeline on a",
        "scratch lakehouse holding every contract table, against the same commands run bare."})
final class BenchSchedulerCommand implements Callable<Integer> {
  @ParentCommand BenchCommand bench;
  @Spec CommandSpec spec;

  @Option(names = "--jobs", defaultValue = "20", description = "Jobs in the chain (default ${DEFAULT-VALUE}).")
  int jobs;

  @Override
  public Integer call() throws Exception {
    JobContext ctx = new JobContext(bench.parent.global());
    Lakehouse lh = ctx.scratchLakehouse("bench-scheduler");
    int tables = 0;
    for (TableContract c : lh.contracts().all()) {
      lh.ensure(c.name());
      tables++;
    }
    RunPipeline.Launcher cli = PopHealthCli.inProcess(List.of("--lakehouse", lh.root(), "--master",
        ctx.config().spark().master()));
    List<SchedulerConfig.Job> chain = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      chain.add(new SchedulerConfig.Job("j" + i, List.of("schema"), i == 0 ? null : List.of("j" + (i - 1)), 0, 0.0));
    }
    SchedulerConfig cfg = new SchedulerConfig("memory", null, null, null, null, null, 1, 60, 0, 0,
        List.of(new SchedulerConfig.Pipeline("bench", "0 0 2 * * ?", "UTC", chain)));
    long t0 = System.nanoTime();
    for (int i = 0; i < jobs; i++) {
      cli.run(List.of("schema"), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    }
    double bare = (System.nanoTime() - t0) / 1e9;
    RunPipeline.Result r = new RunPipeline(lh, cfg, cli).execute("bench", "manual", LocalDate.of(2025, 1, 1),
        LocalDate.of(2025, 12, 31));
    PrintWriter out = spec.commandLine().getOut();
    out.printf("bench scheduler: %d jobs, %d tables in the lakehouse, %d cores, %s, %s%n", jobs, tables,
        Runtime.getRuntime().availableProcessors(), ctx.config().spark().master(), LocalDate.now());
    TextTable t = new TextTable("jobs", "bare s", "through the runner s", "overhead per job s", "all succeeded");
    t.row(jobs, String.format("%.1f", bare), String.format("%.1f", r.seconds()),
        String.format("%.2f", (r.seconds() - bare) / jobs), r.succeeded());
    t.print(out);
    out.flush();
    return 0;
  }
}
