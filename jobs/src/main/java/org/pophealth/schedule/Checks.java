package org.pophealth.schedule;

import java.time.Clock;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.io.Messages;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.ops.alerts.CheckFreshness;
import org.pophealth.ops.alerts.SendAlerts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts and checks of one configuration, on one clock: the notifiers ({@code alerts}), the freshness rules
 * ({@code freshness}) and the pipelines' deadlines. {@link #wire} gives a runner its alerts and the freshness
 * check after each run; {@link #scheduled} is what the scheduler runs on {@code scheduler.checks_cron}.
 */
public final class Checks {
  private static final Logger LOG = LoggerFactory.getLogger(Checks.class);

  private final SendAlerts alerts;
  private final CheckFreshness freshness;
  private final CheckDeadlines deadlines;

  private Checks(SendAlerts alerts, CheckFreshness freshness, CheckDeadlines deadlines) {
    this.alerts = alerts;
    this.freshness = freshness;
    this.deadlines = deadlines;
  }

  /** @throws IllegalArgumentException naming the key when an alert setting or freshness rule is invalid */
  public static Checks of(Lakehouse lakehouse, PopHealthConfig config, Clock clock) {
    SendAlerts alerts = SendAlerts.of(lakehouse, config.alerts(), clock);
    return new Checks(alerts, new CheckFreshness(lakehouse, config.freshness(), alerts),
        new CheckDeadlines(lakehouse, config.scheduler(), alerts));
  }

  public SendAlerts alerts() {
    return alerts;
  }

  public CheckFreshness freshness() {
    return freshness;
  }

  public CheckDeadlines deadlines() {
    return deadlines;
  }

  /** The runner with these alerts, checking freshness after each run. */
  public RunPipeline wire(RunPipeline runner) {
    return runner.alerts(alerts).afterRun(r -> freshness.check("pipeline:" + r.pipeline()));
  }

  /** The scheduler's checks: freshness, then deadlines; a failure of one is logged and the other still runs. */
  public void scheduled() {
    try {
      freshness.check("schedule");
    } catch (RuntimeException e) {
      LOG.error("freshness check failed: {}", Messages.firstLine(e));
    }
    try {
      deadlines.check();
    } catch (RuntimeException e) {
      LOG.error("deadline check failed: {}", Messages.firstLine(e));
    }
  }
}
