package org.pophealth.ops.alerts;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.pophealth.config.PopHealthConfig.FreshnessRule;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The freshness rules ({@code freshness} in the config): each source's last successful ingest
 * ({@code ops.ingest_run}), each table's last Delta commit, against the rule's maximum age at the clock's now.
 * Every check is appended to {@code ops.freshness_check} (one row per rule, one {@code checked_at}); a rule
 * found stale raises a {@code stale} alert, which {@link SendAlerts} sends once per stale episode (the event id
 * names the data time), however often it is checked.
 */
public final class CheckFreshness {
  private static final Logger LOG = LoggerFactory.getLogger(CheckFreshness.class);
  public static final String TABLE = "ops.freshness_check";
  public static final String FRESH = "fresh";
  public static final String STALE = "stale";
  public static final String NEVER = "never";

  private final Lakehouse lakehouse;
  private final List<FreshnessRule> rules;
  private final SendAlerts alerts;

  /**
   * @throws IllegalArgumentException naming the rule when it names neither or both of source and table, an
   *     unknown table, or a maximum age that is not above 0
   */
  public CheckFreshness(Lakehouse lakehouse, List<FreshnessRule> rules, SendAlerts alerts) {
    this.lakehouse = lakehouse;
    this.rules = rules == null ? List.of() : List.copyOf(rules);
    this.alerts = alerts;
    for (int i = 0; i < this.rules.size(); i++) {
      FreshnessRule r = this.rules.get(i);
      String where = "freshness[" + i + "]";
      if (r == null || (r.source() == null) == (r.table() == null)) {
        throw new IllegalArgumentException(where + ": a rule names either a source or a table, e.g. "
            + "{source: ehr, max_age_hours: 48} or {table: gold.risk_score, max_age_hours: 192}");
      }
      if (!(r.maxAgeHours() > 0)) {
        throw new IllegalArgumentException(where + " (" + subject(r) + "): max_age_hours must be above 0");
      }
      if (r.table() != null && !r.table().startsWith(Lakehouse.VIEW_ZONE + ".")
          && lakehouse.contracts().find(r.table()).isEmpty()) {
        throw new IllegalArgumentException(where + ": no table " + r.table() + " (zone.name of schemas/, or view.<name>)");
      }
    }
  }

  /** {@code source:<name>} or {@code table:<zone.name>}. */
  public static String subject(FreshnessRule r) {
    return r.source() != null ? "source:" + r.source() : "table:" + r.table();
  }

  /** One rule's result. */
  public record Result(FreshnessRule rule, Instant lastAt, Double ageHours, String status) {
    public String subject() {
      return CheckFreshness.subject(rule);
    }

    public boolean stale() {
      return !status.equals(FRESH);
    }
  }

  public List<FreshnessRule> rules() {
    return rules;
  }

  /**
   * Checks every rule now, records the check and alerts on the stale ones (once per episode).
   *
   * @param trigger {@code schedule}, {@code pipeline:<name>} or {@code cli}
   */
  public List<Result> check(String trigger) {
    if (rules.isEmpty()) {
      return List.of();
    }
    Instant now = Instant.now(alerts.clock());
    Map<String, Instant> sources = rules.stream().anyMatch(r -> r.source() != null) ? lastIngests() : Map.of();
    List<Result> out = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    for (FreshnessRule r : rules) {
      Instant last = r.source() != null ? sources.get(r.source()) : lastCommit(r.table());
      Double age = last == null ? null : Duration.between(last, now).toMillis() / 3_600_000.0;
      String status = last == null ? NEVER : age > r.maxAgeHours() ? STALE : FRESH;
      Result res = new Result(r, last, age, status);
      out.add(res);
      rows.add(RowFactory.create(Timestamp.from(now), trigger, res.subject(), r.source(), r.table(),
          last == null ? null : Timestamp.from(last), age, r.maxAgeHours(), status));
    }
    lakehouse.append(TABLE, lakehouse.spark().createDataFrame(rows, lakehouse.contract(TABLE).schema()));
    long stale = out.stream().filter(Result::stale).count();
    LOG.info("freshness ({}): {} rules, {} stale or never", trigger, out.size(), stale);
    for (Result res : out) {
      if (res.stale()) {
        alerts.send(AlertEvent.stale(res.subject(), res.lastAt(), res.ageHours(), res.rule().maxAgeHours(), now,
            alerts.lakehouseName()));
      }
    }
    return out;
  }

  /** Each source's last successful ingest end (ops.ingest_run). */
  private Map<String, Instant> lastIngests() {
    Map<String, Instant> out = new HashMap<>();
    if (!lakehouse.exists("ops.ingest_run")) {
      return out;
    }
    for (Row r : lakehouse.read("ops.ingest_run").filter("status = 'succeeded'").groupBy("source")
        .agg(org.apache.spark.sql.functions.max("finished_at")).collectAsList()) {
      out.put(r.getString(0), r.getTimestamp(1).toInstant());
    }
    return out;
  }

  /** When the table's last Delta commit was made; null when it does not exist. */
  private Instant lastCommit(String table) {
    boolean view = table.startsWith(Lakehouse.VIEW_ZONE + ".");
    String name = view ? table.substring(Lakehouse.VIEW_ZONE.length() + 1) : table;
    long v = view ? lakehouse.viewVersion(name) : lakehouse.version(table);
    if (v < 0) {
      return null;
    }
    Instant t = view ? lakehouse.viewCommitTime(name, v) : lakehouse.commitTime(table, v);
    if (t == null) {
      // the commit file was cleaned up after a checkpoint: Delta's history still has its time
      String path = view ? lakehouse.viewPath(name) : lakehouse.path(table);
      t = io.delta.tables.DeltaTable.forPath(lakehouse.spark(), path).history(1).select("timestamp").first()
          .getTimestamp(0).toInstant();
    }
    return t;
  }
}
