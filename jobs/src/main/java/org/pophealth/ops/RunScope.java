package org.pophealth.ops;

/**
 * The pipeline run the current thread works for (set by the pipeline runner around each job), so that a
 * job's audit row ({@code ops.job_attempt.run_id}) links to its pipeline run ({@code ops.job_run}).
 */
public final class RunScope {
  private static final ThreadLocal<String> RUN_ID = new ThreadLocal<>();

  private RunScope() {}

  /** The current pipeline run id, or null when a job runs alone. */
  public static String runId() {
    return RUN_ID.get();
  }

  /** Sets the run id until the returned scope is closed. */
  /** A scope to close. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  public static Scope enter(String runId) {
    String previous = RUN_ID.get();
    RUN_ID.set(runId);
    return () -> {
      if (previous == null) {
        RUN_ID.remove();
      } else {
        RUN_ID.set(previous);
      }
    };
  }
}
