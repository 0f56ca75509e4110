package org.pophealth.schedule;

import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.pophealth.config.SchedulerConfig;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.ops.alerts.AlertEvent;
import org.pophealth.ops.alerts.SendAlerts;
import org.quartz.CronExpression;

/**
 * The pipelines' deadlines ({@code deadline_minutes}): for each pipeline with one, its latest scheduled fire
 * time whose deadline has passed; when no run of the pipeline that started at or after that time had finished
 * successfully by the deadline (every job that is always enabled succeeded, none failed or was skipped, in
 * ops.job_run), one {@code deadline-missed} alert (its
 * id names the fire time, so later checks and restarts do not send it again). Fire times up to 32 days back
 * are considered.
 */
public final class CheckDeadlines {
  private static final List<Duration> WINDOWS = List.of(Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(8),
      Duration.ofDays(32));

  private final Lakehouse lakehouse;
  private final SchedulerConfig config;
  private final SendAlerts alerts;

  public CheckDeadlines(Lakehouse lakehouse, SchedulerConfig config, SendAlerts alerts) {
    this.lakehouse = lakehouse;
    this.config = config;
    this.alerts = alerts;
  }

  /** Checks every pipeline with a deadline; returns the events raised now. */
  public List<AlertEvent> check() {
    Instant now = Instant.now(alerts.clock());
    List<AlertEvent> raised = new java.util.ArrayList<>();
    for (SchedulerConfig.Pipeline p : config.pipelines() == null ? List.<SchedulerConfig.Pipeline>of() : config.pipelines()) {
      if (p.deadlineMinutes() == null || p.cron() == null) {
        continue;
      }
      if (p.deadlineMinutes() <= 0) {
        throw new IllegalArgumentException("scheduler.pipelines[" + p.name() + "].deadline_minutes must be above 0");
      }
      Duration deadline = Duration.ofMinutes(p.deadlineMinutes());
      Instant fired = latestFire(p, now.minus(deadline));
      if (fired == null || metDeadline(p, fired, fired.plus(deadline))) {
        continue;
      }
      AlertEvent e = AlertEvent.deadlineMissed(p.name(), fired, p.deadlineMinutes(), null, now, alerts.lakehouseName());
      if (alerts.send(e)) {
        raised.add(e);
      }
    }
    return raised;
  }

  /** The pipeline's latest scheduled fire time at or before {@code until}; null when none in 32 days. */
  static Instant latestFire(SchedulerConfig.Pipeline p, Instant until) {
    CronExpression cron;
    try {
      cron = new CronExpression(p.cron());
    } catch (ParseException e) {
      throw new IllegalArgumentException("scheduler.pipelines[" + p.name() + "].cron is not a Quartz cron expression: "
          + p.cron());
    }
    cron.setTimeZone(TimeZone.getTimeZone(p.timeZone() == null ? "UTC" : p.timeZone()));
    for (Duration w : WINDOWS) {
      Date last = null;
      Date t = cron.getNextValidTimeAfter(Date.from(until.minus(w).minusMillis(1)));
      while (t != null && !t.toInstant().isAfter(until)) {
        last = t;
        t = cron.getNextValidTimeAfter(t);
      }
      if (last != null) {
        return last.toInstant();
      }
    }
    return null;
  }

  /**
   * Whether a run that started at or after {@code fired} had, by {@code deadline}, a succeeded row for every job
   * of the pipeline that is always enabled (a job with an {@code enabled} expression may not run) and no failed or
   * skipped one.
   */
  private boolean metDeadline(SchedulerConfig.Pipeline p, Instant fired, Instant deadline) {
    if (!lakehouse.exists("ops.job_run")) {
      return false;
    }
    java.util.Set<String> required = new java.util.HashSet<>();
    for (SchedulerConfig.Job j : p.jobs()) {
      if (j.enabled() == null) {
        required.add(j.name());
      }
    }
    java.util.Map<String, java.util.Set<String>> done = new java.util.HashMap<>();
    java.util.Set<String> bad = new java.util.HashSet<>();
    for (Row r : lakehouse.read("ops.job_run")
        .filter(functions.col("pipeline").equalTo(p.name())
            .and(functions.col("started_at").geq(functions.lit(Timestamp.from(fired.minusSeconds(1))))))
        .select("run_id", "job", "status", "ended_at").collectAsList()) {
      String run = r.getString(0);
      String status = r.getString(2);
      if (status.equals(RunPipeline.FAILED) || status.equals(RunPipeline.SKIPPED)) {
        bad.add(run);
      } else if (status.equals(RunPipeline.SUCCEEDED) && !r.getTimestamp(3).toInstant().isAfter(deadline)) {
        done.computeIfAbsent(run, k -> new java.util.HashSet<>()).add(r.getString(1));
      }
    }
    return done.entrySet().stream().anyMatch(e -> !bad.contains(e.getKey()) && e.getValue().containsAll(required));
  }
}
