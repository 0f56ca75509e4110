package org.pophealth.ops.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One alert: what happened, where, when. Aggregate facts only (names of pipelines, jobs, sources and tables,
 * the first line of an error, run ids): never patient data.
 *
 * @param eventId what makes the event itself, and only it: the same event found twice has the same id
 *     ({@link #jobFailed}, ...), so ops.alert can tell it was sent
 * @param kind {@code job-failed}, {@code job-skipped}, {@code deadline-missed} or {@code stale}
 * @param subject {@code source:<name>} or {@code table:<zone.name>} (stale events)
 */
public record AlertEvent(String eventId, String kind, String pipeline, String job, Integer attempt, String error,
    String runId, String subject, Instant lastAt, Double ageHours, Double maxAgeHours, Instant time,
    String lakehouse, String message) {
  public static final String JOB_FAILED = "job-failed";
  public static final String JOB_SKIPPED = "job-skipped";
  public static final String DEADLINE_MISSED = "deadline-missed";
  public static final String STALE = "stale";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A job that failed for good (its last attempt); {@code error}: its first error line. */
  public static AlertEvent jobFailed(String pipeline, String job, int attempt, String error, String runId,
      Instant time, String lakehouse) {
    return new AlertEvent(JOB_FAILED + ":" + runId + ":" + job, JOB_FAILED, pipeline, job, attempt, error, runId, null,
        null, null, null, time, lakehouse, "pipeline " + pipeline + ": job " + job + " failed after " + attempt
            + (attempt == 1 ? " attempt" : " attempts") + ": " + error);
  }

  /** A job not started because {@code failedJob}, which it runs after, failed. */
  public static AlertEvent jobSkipped(String pipeline, String job, String failedJob, String runId, Instant time,
      String lakehouse) {
    String why = "skipped: " + failedJob + " failed";
    return new AlertEvent(JOB_SKIPPED + ":" + runId + ":" + job, JOB_SKIPPED, pipeline, job, null, why, runId, null,
        null, null, null, time, lakehouse, "pipeline " + pipeline + ": job " + job + " " + why);
  }

  /** No successful run of {@code pipeline} by {@code deadlineMinutes} after its fire time {@code fired}. */
  public static AlertEvent deadlineMissed(String pipeline, Instant fired, int deadlineMinutes, String runId,
      Instant time, String lakehouse) {
    return new AlertEvent(DEADLINE_MISSED + ":" + pipeline + ":" + fired, DEADLINE_MISSED, pipeline, null, null,
        "no successful run within " + deadlineMinutes + " minutes of " + fired, runId, null, null, null, null, time,
        lakehouse, "pipeline " + pipeline + " fired at " + fired + " has not finished successfully within "
            + deadlineMinutes + " minutes");
  }

  /**
   * A freshness rule found stale: its id names the data time and the limit, so the rule staying stale is the
   * same event, and new data going stale again (or a changed limit) a new one.
   */
  public static AlertEvent stale(String subject, Instant lastAt, Double ageHours, double maxAgeHours, Instant time,
      String lakehouse) {
    String message = lastAt == null ? subject + ": no data yet (limit " + hours(maxAgeHours) + " hours)"
        : subject + ": last data " + lastAt + ", " + hours(ageHours) + " hours old (limit " + hours(maxAgeHours)
            + " hours)";
    return new AlertEvent(STALE + ":" + subject + ":" + (lastAt == null ? "never" : lastAt.toString()) + ":"
        + hours(maxAgeHours), STALE, null, null, null, null, null, subject, lastAt, ageHours, maxAgeHours, time,
        lakehouse, message);
  }

  private static String hours(double h) {
    return h == Math.rint(h) ? Long.toString((long) h) : String.format(java.util.Locale.ROOT, "%.1f", h);
  }

  /** The event as the JSON document the notifiers send (every field, null where it does not apply). */
  public byte[] json() {
    ObjectNode n = JSON.createObjectNode();
    n.put("event_id", eventId).put("kind", kind).put("pipeline", pipeline).put("job", job);
    if (attempt == null) {
      n.putNull("attempt");
    } else {
      n.put("attempt", attempt);
    }
    n.put("error", error).put("run_id", runId).put("subject", subject)
        .put("last_at", lastAt == null ? null : lastAt.toString());
    if (ageHours == null) {
      n.putNull("age_hours");
    } else {
      n.put("age_hours", ageHours);
    }
    if (maxAgeHours == null) {
      n.putNull("max_age_hours");
    } else {
      n.put("max_age_hours", maxAgeHours);
    }
    n.put("time", time.toString()).put("lakehouse", lakehouse).put("message", message);
    try {
      return JSON.writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
