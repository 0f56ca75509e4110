package org.pophealth.ops.alerts;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.io.Messages;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each event once to every configured notifier and records it in {@code ops.alert} (one row per
 * notifier; notifier {@code none} when there is none). An event whose id is already in ops.alert is not sent
 * again: a check repeated, or a scheduler restarted, finds it there. A notifier that fails is logged and
 * recorded ({@code failed}); nothing here throws into the pipeline.
 */
public final class SendAlerts {
  private static final Logger LOG = LoggerFactory.getLogger(SendAlerts.class);
  public static final String TABLE = "ops.alert";

  private final Lakehouse lakehouse;
  private final List<Notifier> notifiers;
  private final Clock clock;

  SendAlerts(Lakehouse lakehouse, List<Notifier> notifiers, Clock clock) {
    this.lakehouse = lakehouse;
    this.notifiers = List.copyOf(notifiers);
    this.clock = clock;
  }

  /**
   * The notifiers of {@code alerts}: the webhook when its URL is set, the command when its argv is not empty.
   *
   * @throws IllegalArgumentException naming the key when a setting is invalid
   */
  public static SendAlerts of(Lakehouse lakehouse, PopHealthConfig.Alerts config, Clock clock) {
    PopHealthConfig.Alerts c = config == null ? PopHealthConfig.Alerts.none() : config;
    List<Notifier> n = new ArrayList<>();
    if (c.webhookUrl() != null && !c.webhookUrl().isBlank()) {
      n.add(new WebhookNotifier(c));
    }
    if (c.command() != null && !c.command().isEmpty()) {
      n.add(new CommandNotifier(c.command(), c.commandTimeoutSeconds()));
    }
    return new SendAlerts(lakehouse, n, clock);
  }

  public Clock clock() {
    return clock;
  }

  /** The lakehouse the events name (its root). */
  public String lakehouseName() {
    return lakehouse.root();
  }

  /** Whether an event with this id is recorded in ops.alert (sent, failed or recorded). */
  public boolean known(String eventId) {
    return lakehouse.exists(TABLE) && !lakehouse.read(TABLE).filter(functions.col("event_id").equalTo(eventId))
        .limit(1).isEmpty();
  }

  /**
   * Sends the event to every notifier unless it was handled before, and records it. Returns false when it was
   * known already. Never throws: a failure to record is logged.
   */
  public synchronized boolean send(AlertEvent event) {
    try {
      if (known(event.eventId())) {
        LOG.debug("alert {} already recorded: not sent again", event.eventId());
        return false;
      }
      List<Row> rows = new ArrayList<>();
      if (notifiers.isEmpty()) {
        rows.add(row(event, "none", "recorded", 0, null));
        LOG.warn("alert (no notifier configured, recorded in {}): {}", TABLE, event.message());
      }
      for (Notifier n : notifiers) {
        Notifier.Outcome o;
        try {
          o = n.send(event);
        } catch (RuntimeException e) {
          o = new Notifier.Outcome(false, 1, Messages.abbreviate(Messages.firstLine(e), 300));
        }
        if (o.sent()) {
          LOG.info("alert {} sent by {}: {}", event.kind(), n.name(), event.message());
        } else {
          LOG.error("alert {} NOT sent by {} ({}): {}", event.kind(), n.name(), o.detail(), event.message());
        }
        rows.add(row(event, n.name(), o.sent() ? "sent" : "failed", o.attempts(), o.detail()));
      }
      lakehouse.append(TABLE, lakehouse.spark().createDataFrame(rows, lakehouse.contract(TABLE).schema()));
      return true;
    } catch (RuntimeException e) {
      LOG.error("alert {} could not be recorded in {}: {}", event.eventId(), TABLE, Messages.firstLine(e));
      return false;
    }
  }

  private Row row(AlertEvent e, String notifier, String status, int attempts, String detail) {
    return RowFactory.create(e.eventId(), e.kind(), e.pipeline(), e.job(), e.subject(), e.runId(), notifier, status,
        attempts, detail, Timestamp.from(e.time()), Timestamp.from(Instant.now(clock)));
  }
}
