package org.pophealth.jobs;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pophealth.io.Messages;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.ops.InputFiles;
import org.pophealth.ops.JobAttempts;
import org.pophealth.ops.LakehouseLease;
import org.pophealth.ops.RunScope;
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
 * <p>Every run goes through {@link #call}: it takes the lakehouse's lease (one writer at a time; a busy
 * lakehouse refuses the run), closes attempts a killed run left open, records the attempt in
 * {@code ops.job_attempt} (who, where, which build and config, the files read), rolls the job's commits back
 * when it fails, groups the job's Spark jobs under its name (with its command line as description, visible
 * in the Spark UI) and times it, once.
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

  /**
   * The files or folders this job read (for the audit trail: sizes and SHA-256 in {@code ops.job_attempt});
   * {@code result} is null when the job failed.
   */
  protected List<String> inputPaths(JobContext ctx, R result) {
    return List.of();
  }

  @Override
  public final Integer call() throws Exception {
    JobContext ctx = JobContext.of(spec);
    String commandLine = String.join(" ", spec.commandLine().getParseResult().originalArgs());
    Lakehouse lh = ctx.lakehouse();
    JobAttempts.Start start = JobAttempts.start(lh, name(), name() + (commandLine.isEmpty() ? "" : " " + commandLine),
        RunScope.runId(), ctx.configHash());
    LakehouseLease lease;
    try {
      lease = ctx.lease(name());
    } catch (LakehouseLease.BusyException e) {
      JobAttempts.refused(lh, start, e.getMessage());
      throw e;
    }
    try (lease) {
      if (lease.outermost()) {
        JobAttempts.recover(lh, Set.of());
      }
      // what this attempt reads: the versions now that it holds the lakehouse
      start = JobAttempts.start(lh, start.job(), start.command(), start.runId(), start.configHash());
      JobAttempts.Attempt attempt = JobAttempts.open(lh, start);
      ctx.jobGroup("pophealth:" + name(), commandLine);
      long t0 = System.nanoTime();
      R result = null;
      for (int tries = 1; result == null; tries++) {
        try {
          result = execute(ctx);
        } catch (Exception | Error e) {
          Map<String, Long> now = JobAttempts.versions(lh);
          Map<String, Long> restored = JobAttempts.rollBack(lh, start.versionsRead(), now);
          if (tries == 1 && deltaConflict(e)) {
            // another writer outside the product (the lease keeps ours out) committed to a table this job
            // changes: its commits undone, the job runs once more on the new versions
            LOG.warn("job {}: a concurrent write conflicted ({}); {} tables restored, running it once more", name(),
                e.getClass().getSimpleName(), restored.size());
            continue;
          }
          ctx.clearJobGroup();
          if (!restored.isEmpty()) {
            LOG.warn("job {} failed: {} tables restored to the versions it started from", name(), restored.size());
          }
          attempt.close(new JobAttempts.End("failed", e instanceof IllegalArgumentException ? 2 : 1,
              inputs(ctx, null), JobAttempts.moved(start.versionsRead(), now), restored,
              Messages.abbreviate(Messages.firstLine(e), 500)));
          throw e;
        }
      }
      ctx.clearJobGroup();
      LOG.info("job {} finished in {} s", name(), String.format("%.1f", (System.nanoTime() - t0) / 1e9));
      int code = exitCode(result);
      attempt.close(new JobAttempts.End(code == 0 ? "succeeded" : "incomplete", code, inputs(ctx, result),
          JobAttempts.moved(start.versionsRead(), JobAttempts.versions(lh)), Map.of(), null));
      PrintWriter out = spec.commandLine().getOut();
      summarize(result, ctx, out);
      out.flush();
      return code;
    }
  }

  private List<InputFiles.InputFile> inputs(JobContext ctx, R result) {
    try {
      return InputFiles.describe(inputPaths(ctx, result), ctx.lakehouse().spark().sparkContext().hadoopConfiguration());
    } catch (RuntimeException e) {
      LOG.warn("job {}: input files not recorded: {}", name(), e.getMessage());
      return List.of();
    }
  }

  /** A Delta write conflict (ConcurrentAppendException and its kin), anywhere in the cause chain. */
  static boolean deltaConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.delta.exceptions.DeltaConcurrentModificationException
          || t instanceof java.util.ConcurrentModificationException && t.getClass().getName().contains("delta")) {
        return true;
      }
    }
    return false;
  }
}
