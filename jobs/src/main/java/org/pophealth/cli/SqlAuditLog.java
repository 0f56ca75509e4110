package org.pophealth.cli;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.pophealth.lakehouse.Lakehouse;

/**
 * The SQL console's audit trail, {@code ops.sql_query}: one row per statement received (text, OS user, host,
 * time, mode, client, outcome with its one-line reason, tables read and written, rows returned; never result
 * rows). Rows are buffered and appended in one Delta commit when {@link #batchSize} are waiting, when a new one
 * finds the oldest {@link #maxAge} old, when asked ({@link #record} with {@code now}, {@link #flush}); a failed
 * append keeps the rows for the next attempt.
 */
final class SqlAuditLog {
  static final String TABLE = "ops.sql_query";

  /** One statement's outcome, as recorded. */
  record Entry(Instant at, String statement, String statementType, String outcome, String reason,
      List<String> tablesRead, List<String> tablesWritten, Long rows, long durationMs) {}

  private final Lakehouse lakehouse;
  private final String sessionId = UUID.randomUUID().toString();
  private final String user = org.pophealth.ops.Provenance.current().user();
  private final String host = org.pophealth.ops.Provenance.current().host();
  private final String mode;
  private final String client;
  private final int batchSize;
  private final Duration maxAge;
  private final List<Row> buffer = new ArrayList<>();
  private Instant oldest;

  SqlAuditLog(Lakehouse lakehouse, String mode, String client, int batchSize, Duration maxAge) {
    this.lakehouse = lakehouse;
    this.mode = mode;
    this.client = client;
    this.batchSize = batchSize;
    this.maxAge = maxAge;
  }

  String user() {
    return user;
  }

  String host() {
    return host;
  }

  /** Buffers the entry; appends the buffer when it is full, old, or {@code now}. */
  synchronized void record(Entry e, boolean now) {
    buffer.add(RowFactory.create(UUID.randomUUID().toString(), sessionId, Timestamp.from(e.at()), user, host, mode,
        client, e.statement(), e.statementType(), e.outcome(), e.reason(), e.tablesRead(), e.tablesWritten(),
        e.rows(), e.durationMs()));
    if (oldest == null) {
      oldest = e.at();
    }
    if (now || buffer.size() >= batchSize || Duration.between(oldest, Instant.now()).compareTo(maxAge) >= 0) {
      flush();
    }
  }

  /** Appends every buffered row in one commit; on failure the rows stay buffered and the error is thrown. */
  synchronized void flush() {
    if (buffer.isEmpty()) {
      return;
    }
    lakehouse.append(TABLE, lakehouse.spark().createDataFrame(new ArrayList<>(buffer),
        lakehouse.contract(TABLE).schema()));
    buffer.clear();
    oldest = null;
  }

  synchronized int pending() {
    return buffer.size();
  }
}
