package org.pophealth.jobs;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * One pipeline job, defined in one place: its name and options (a picocli {@code @Command}: the options
 * bind from a command line, whether typed by a user, written in a scheduler pipeline or in the demo's
 * pipeline), {@link #execute} building the job from its options and the config and returning its
 * immutable result with counts, and {@link #summarize} rendering that result. {@link JobRegistry}
 * lists every job once; the CLI, the scheduler and the demo resolve jobs through it.
 *
 * <p>Every run goes through {@link #call}: the job's Spark jobs are grouped under its name (with its
 * command line as description, visible in the Spark UI) and it is timed here, once.
 *
 * @param <R> the job's result
 */
public abstract class Job<R> implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(Job.class);

  @Spec protected CommandSpec spec;

  /** The job's name: its command name. */
  public final String name() {
    return getClass().getAnnotation(Command.class).name();
  }

  /** Runs the job with its options and the config; the result is immutable and carries the counts. */
  protected abstract R execute(JobContext ctx) throws Exception;

  /** Prints what the job did, for the console. */
  protected abstract void summarize(R result, JobContext ctx, PrintWriter out);

  /** The exit code for a result (0: done; non-zero: the job did not reconcile or publish). */
  protected int exitCode(R result) {
    return 0;
  }

  @Override
  public final Integer call() throws Exception {
    JobContext ctx = JobContext.of(spec);
    String commandLine = String.join(" ", spec.commandLine().getParseResult().originalArgs());
    ctx.jobGroup("pophealth:" + name(), commandLine);
    long t0 = System.nanoTime();
    R result;
    try {
      result = execute(ctx);
    } finally {
      ctx.clearJobGroup();
    }
    LOG.info("job {} finished in {} s", name(), String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    PrintWriter out = spec.commandLine().getOut();
    summarize(result, ctx, out);
    out.flush();
    return exitCode(result);
  }
}
