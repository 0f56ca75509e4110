package org.pophealth.schedule;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.config.SchedulerConfig;
import org.pophealth.ops.JobAttempts;
import org.pophealth.ops.LakehouseLease;
import org.pophealth.ops.RunScope;
import org.pophealth.ops.alerts.AlertEvent;
import org.pophealth.ops.alerts.SendAlerts;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * Runs one pipeline now: its jobs in dependency order, each a pophealth command run in this JVM (same
 * SparkSession). A failed job is retried with exponential back-off ({@code backoff × 2^(attempt-1)});
 * when it has no attempts left, the jobs that wait for it are skipped, while unrelated branches go on.
 * Every attempt is appended to {@code ops.job_run} with the Delta versions of the lakehouse at its start
 * (what it read) and the tables it moved (what it wrote).
 */
public final class RunPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(RunPipeline.class);
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String RETRYING = "retrying";
  public static final String SKIPPED = "skipped";

  /** Runs one pophealth command line; returns its exit code. */
  public interface Launcher {
    int run(List<String> args, PrintWriter out, PrintWriter err);
  }

  /** Lets a caller stop between jobs (scheduler shutdown): remaining jobs are then not started. */
  public interface StopSignal {
    boolean stopRequested();
  }

  private final Lakehouse lakehouse;
  private final SchedulerConfig config;
  private final Launcher launcher;
  private StopSignal stop = () -> false;
  private PrintWriter output;
  private Listener listener = new Listener() {};
  private PopHealthConfig.Lease lease = new PopHealthConfig.Lease(0, 300);
  private String configHash = "unknown";
  private SendAlerts alerts;
  private AfterRun afterRun = r -> {};

  public RunPipeline(Lakehouse lakehouse, SchedulerConfig config, Launcher launcher) {
    this.lakehouse = lakehouse;
    this.config = config;
    this.launcher = launcher;
  }

  /**
   * How long to wait for another run's lakehouse lease ({@code lakehouse.lease}), and the config's hash
   * recorded when a run is refused.
   */
  public RunPipeline lease(PopHealthConfig.Lease settings, String configHash) {
    this.lease = settings;
    this.configHash = configHash;
    return this;
  }

  /**
   * Where the run's alerts go: a job's final failure and each job skipped because of it, one event each
   * (null: none sent).
   */
  public RunPipeline alerts(SendAlerts a) {
    this.alerts = a;
    return this;
  }

  /** Called after every run, still holding the lease (the freshness check); a failure in it is only logged. */
  public interface AfterRun {
    void after(Result result);
  }

  public RunPipeline afterRun(AfterRun a) {
    this.afterRun = a;
    return this;
  }

  public RunPipeline stopSignal(StopSignal s) {
    this.stop = s;
    return this;
  }

  /** Where the jobs' own output goes, each under a {@code == <job>} heading (default: discarded). */
  public RunPipeline output(PrintWriter out) {
    this.output = out;
    return this;
  }

  /** Told when each job starts and ends (e.g. {@code bench pipeline} samples memory per job). */
  public interface Listener {
    default void started(String job) {}

    /** @param written the tables the job committed to, with their new Delta versions */
    default void finished(String job, JobResult result, Map<String, Long> written) {}
  }

  public RunPipeline listener(Listener l) {
    this.listener = l;
    return this;
  }

  public record JobResult(String job, String status, int attempts, String error) {}

  public record Result(String runId, String pipeline, String trigger, List<JobResult> jobs, double seconds) {
    public boolean succeeded() {
      return jobs.stream().allMatch(j -> j.status().equals(SUCCEEDED));
    }
  }

  /**
   * Runs a configured pipeline ({@code scheduler.pipelines}).
   *
   * @param trigger why it runs ({@code cron}, {@code manual}, {@code backfill:<year>}, {@code recovery})
   * @param periodStart the measurement period substituted for {@code ${period...}} in commands
   */
  public Result execute(String pipelineName, String trigger, LocalDate periodStart, LocalDate periodEnd) {
    return execute(config.pipeline(pipelineName), trigger, periodVariables(periodStart, periodEnd));
  }

  /** {@code ${period}} (the start's year), {@code ${period_start}} and {@code ${period_end}}. */
  public static Map<String, String> periodVariables(LocalDate start, LocalDate end) {
    return Map.of("period", Integer.toString(start.getYear()), "period_start", start.toString(),
        "period_end", end.toString());
  }

  /**
   * Runs a pipeline: its enabled jobs in dependency order, {@code ${name}} in commands and in
   * {@code enabled} replaced by {@code variables}.
   */
  public Result execute(SchedulerConfig.Pipeline pipeline, String trigger, Map<String, String> variables) {
    String pipelineName = pipeline.name();
    PipelinePlan plan = PipelinePlan.of(pipeline, variables);
    long t0 = System.nanoTime();
    String runId = newRunId(pipelineName);
    // one writer: the pipeline holds the lakehouse's lease across its jobs (each job nests in it)
    LakehouseLease held;
    try {
      held = LakehouseLease.acquire(lakehouse.root(), lakehouse.spark().sparkContext().hadoopConfiguration(), lease,
          "pipeline " + pipelineName);
    } catch (LakehouseLease.BusyException e) {
      JobAttempts.refused(lakehouse, JobAttempts.start(lakehouse, "pipeline " + pipelineName,
          "run " + pipelineName + " (" + trigger + ")", runId, configHash), e.getMessage());
      throw e;
    }
    try (held; RunScope.Scope scope = RunScope.enter(runId)) {
      if (held.outermost()) {
        // a run killed before this one left its attempt open: undo it before any job writes
        JobAttempts.recover(lakehouse, java.util.Set.of());
      }
      Result r = run(pipelineName, plan, trigger, runId, t0);
      try {
        afterRun.after(r);
      } catch (RuntimeException e) {
        LOG.error("pipeline {} run {}: the after-run check failed: {}", pipelineName, runId,
            org.pophealth.io.Messages.firstLine(e));
      }
      return r;
    }
  }

  private Result run(String pipelineName, PipelinePlan plan, String trigger, String runId, long t0) {
    LOG.info("pipeline {} run {} ({}): {} jobs", pipelineName, runId, trigger, plan.order().size());
    Map<String, String> blocked = new java.util.HashMap<>(); // job -> the failed job it waits for
    List<JobResult> results = new ArrayList<>();
    for (SchedulerConfig.Job job : plan.order()) {
      List<String> command = job.command();
      if (blocked.containsKey(job.name()) || stop.stopRequested()) {
        boolean stopping = stop.stopRequested();
        String why = stopping ? "scheduler stopping: not started" : "an upstream job failed";
        Timestamp now = Timestamp.from(Instant.now());
        record(runId, pipelineName, job.name(), String.join(" ", command), trigger, 1, SKIPPED, now, now, Map.of(),
            Map.of(), null, why);
        results.add(new JobResult(job.name(), SKIPPED, 0, why));
        LOG.info("pipeline {}: job {} skipped ({})", pipelineName, job.name(), why);
        if (!stopping && alerts != null) {
          alerts.send(AlertEvent.jobSkipped(pipelineName, job.name(), blocked.get(job.name()), runId,
              Instant.now(alerts.clock()), alerts.lakehouseName()));
        }
        continue;
      }
      int retries = job.retries() != null ? job.retries() : config.defaultRetries();
      double backoff = job.backoffSeconds() != null ? job.backoffSeconds() : config.defaultBackoffSeconds();
      JobResult jr = runJob(runId, pipelineName, job.name(), String.join(" ", command), trigger, retries, backoff,
          (out, err) -> launcher.run(command, out, err));
      if (!jr.status().equals(SUCCEEDED)) {
        plan.dependents(job.name()).forEach(d -> blocked.putIfAbsent(d, job.name()));
      }
      results.add(jr);
    }
    Result r = new Result(runId, pipelineName, trigger, List.copyOf(results), (System.nanoTime() - t0) / 1e9);
    LOG.info("pipeline {} run {}: {}", pipelineName, runId, r.succeeded() ? "succeeded" : "failed");
    return r;
  }

  /** One attempt of a job: returns the exit code, writes its error text to {@code err}. */
  private interface Action {
    int run(PrintWriter out, PrintWriter err) throws Exception;
  }

  private static String newRunId(String pipelineName) {
    return pipelineName + "-" + Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14) + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A job's attempts, with back-off between them, each recorded. */
  private JobResult runJob(String runId, String pipelineName, String jobName, String commandText, String trigger,
      int retries, double backoff, Action action) {
    String outcome = FAILED;
    String error = null;
    int attempt = 1;
    Map<String, Long> writtenByJob = new TreeMap<>();
    listener.started(jobName);
    for (; attempt <= retries + 1; attempt++) {
      Map<String, Long> before = versions();
      Timestamp started = Timestamp.from(Instant.now());
      StringWriter err = new StringWriter();
      int code;
      if (output != null) {
        output.println();
        output.println("== " + jobName + (attempt > 1 ? " (attempt " + attempt + ")" : ""));
        output.flush();
      }
      PrintWriter o = output != null ? output : new PrintWriter(java.io.Writer.nullWriter());
      try (PrintWriter e = new PrintWriter(err)) {
        code = action.run(o, e);
      } catch (Exception ex) {
        code = 1;
        err.write(ex.getClass().getSimpleName() + ": " + ex.getMessage());
      }
      o.flush();
      Timestamp ended = Timestamp.from(Instant.now());
      Map<String, Long> after = versions();
      Map<String, Long> written = new TreeMap<>();
      after.forEach((t, v) -> {
        if (!v.equals(before.getOrDefault(t, -1L))) {
          written.put(t, v);
        }
      });
      writtenByJob.putAll(written);
      Long rows = written.isEmpty() ? 0L : rowsWritten(written, before);
      boolean ok = code == 0;
      boolean last = attempt == retries + 1;
      error = ok ? null : "exit " + code + ": " + firstLine(err.toString());
      String s = ok ? SUCCEEDED : last ? FAILED : RETRYING;
      record(runId, pipelineName, jobName, commandText, trigger, attempt, s, started, ended, before, written, rows, error);
      LOG.info("pipeline {}: job {} attempt {} {} in {} s{}", pipelineName, jobName, attempt, s,
          String.format("%.1f", (ended.getTime() - started.getTime()) / 1000.0), ok ? "" : " (" + error + ")");
      if (ok) {
        outcome = SUCCEEDED;
        break;
      }
      if (!last) {
        sleep(backoff * Math.pow(2, attempt - 1));
      }
    }
    JobResult result = new JobResult(jobName, outcome, Math.min(attempt, retries + 1), error);
    if (!outcome.equals(SUCCEEDED) && alerts != null) {
      // once, after the last attempt: a retried attempt is not an event
      alerts.send(AlertEvent.jobFailed(pipelineName, jobName, result.attempts(), error, runId,
          Instant.now(alerts.clock()), alerts.lakehouseName()));
    }
    listener.finished(jobName, result, Map.copyOf(writtenByJob));
    return result;
  }

  /** Current version of every lakehouse table that exists (the audit logs, ops.job_run included, left out). */
  Map<String, Long> versions() {
    return JobAttempts.versions(lakehouse);
  }

  private long rowsWritten(Map<String, Long> written, Map<String, Long> before) {
    long rows = 0;
    for (Map.Entry<String, Long> e : written.entrySet()) {
      rows += lakehouse.commitMetricSince(e.getKey(), before.getOrDefault(e.getKey(), -1L), "numOutputRows");
    }
    return rows;
  }

  private void record(String runId, String pipeline, String job, String command, String trigger, int attempt,
      String status, Timestamp started, Timestamp ended, Map<String, Long> read, Map<String, Long> written, Long rows,
      String error) {
    Row row = RowFactory.create(runId, pipeline, job, command, trigger, attempt, status, started,
        ended, JavaConverters.mapAsScalaMap(read), JavaConverters.mapAsScalaMap(written), rows, error);
    lakehouse.append("ops.job_run", lakehouse.spark().createDataFrame(List.of(row),
        lakehouse.contract("ops.job_run").schema()));
  }

  private static String firstLine(String s) {
    String t = s.strip();
    if (t.isEmpty()) {
      return "(no message)";
    }
    return org.pophealth.io.Messages.abbreviate(org.pophealth.io.Messages.firstLine(t), 300);
  }

  private static void sleep(double seconds) {
    try {
      Thread.sleep((long) (seconds * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
