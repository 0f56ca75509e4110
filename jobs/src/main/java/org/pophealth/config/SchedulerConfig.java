package org.pophealth.config;

import java.io.Serializable;
import java.util.List;

/**
 * The {@code scheduler} section: where Quartz keeps its state (job store), and the pipelines it runs.
 *
 * @param jobStore {@code h2} (embedded file database, the default), {@code postgres} or {@code memory}
 *     (nothing survives a restart; for trying things out)
 * @param h2File path of the H2 database file (without extension) for {@code jobStore: h2}
 * @param jdbcUrl PostgreSQL JDBC URL for {@code jobStore: postgres}
 * @param passwordEnv name of the environment variable holding the database password (never the password)
 * @param passwordFile file holding the database password, when {@code passwordEnv} is unset or empty
 * @param misfireThresholdSeconds a trigger later than this is a misfire: it runs once, at once
 * @param checksCron Quartz cron of the scheduler's checks: the freshness rules and the pipelines' deadlines
 *     (null: not checked on a schedule)
 */
public record SchedulerConfig(
    String jobStore,
    String h2File,
    String jdbcUrl,
    String user,
    String passwordEnv,
    String passwordFile,
    int threads,
    int misfireThresholdSeconds,
    int defaultRetries,
    double defaultBackoffSeconds,
    List<Pipeline> pipelines,
    String checksCron)
    implements Serializable {

  /** Settings without scheduled checks. */
  public SchedulerConfig(String jobStore, String h2File, String jdbcUrl, String user, String passwordEnv,
      String passwordFile, int threads, int misfireThresholdSeconds, int defaultRetries, double defaultBackoffSeconds,
      List<Pipeline> pipelines) {
    this(jobStore, h2File, jdbcUrl, user, passwordEnv, passwordFile, threads, misfireThresholdSeconds, defaultRetries,
        defaultBackoffSeconds, pipelines, null);
  }

  /**
   * A pipeline: a cron trigger (Quartz syntax, with seconds) and a DAG of jobs. {@code deadlineMinutes}: a run
   * not finished successfully this long after its scheduled fire time raises a {@code deadline-missed} alert
   * (null: no deadline).
   */
  public record Pipeline(String name, String cron, String timeZone, List<Job> jobs, Integer deadlineMinutes)
      implements Serializable {
    public Pipeline(String name, String cron, String timeZone, List<Job> jobs) {
      this(name, cron, timeZone, jobs, null);
    }
  }

  /**
   * One job: a pophealth command line ({@code ${period}}, {@code ${period_start}} and
   * {@code ${period_end}} are replaced by the run's measurement period), the jobs it waits for, and its
   * retries (null: the scheduler defaults). {@code enabled} (after the same substitution) {@code false},
   * {@code no} or {@code 0} leaves the job out of the run, and the jobs after it wait for its own
   * {@code after} jobs instead; null or anything else runs it.
   */
  public record Job(String name, List<String> command, List<String> after, Integer retries, Double backoffSeconds,
      String enabled) implements Serializable {
    public Job(String name, List<String> command, List<String> after, Integer retries, Double backoffSeconds) {
      this(name, command, after, retries, backoffSeconds, null);
    }

    /** A copy with other retries. */
    public Job withRetries(Integer r) {
      return new Job(name, command, after, r, backoffSeconds, enabled);
    }
  }

  /** The pipeline of that name. */
  public Pipeline pipeline(String name) {
    for (Pipeline p : pipelines == null ? List.<Pipeline>of() : pipelines) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("no pipeline '" + name + "' in scheduler.pipelines; defined: "
        + (pipelines == null ? List.of() : pipelines.stream().map(Pipeline::name).toList()));
  }
}
