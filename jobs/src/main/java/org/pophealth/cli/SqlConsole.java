package org.pophealth.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.lakehouse.SqlGuard;

/**
 * The SQL console behind {@code bin/pophealth sql}: runs statements in a Spark session of its own (its own SQL
 * settings, temporary views and functions, with {@code spark.sql.runSQLOnFiles=false}; the lakehouse's tables
 * registered in the JVM's catalog),
 * lets {@link SqlGuard} decide each statement before it runs (and each query's analyzed plan before it reads),
 * and records every statement, refused ones included, in {@code ops.sql_query} ({@link SqlAuditLog}).
 */
final class SqlConsole implements AutoCloseable {
  /** What the caller does with an allowed statement's rows (prints them); returns how many it consumed. */
  interface Sink {
    long consume(Dataset<Row> rows) throws Exception;
  }

  static final int BATCH = 20;
  static final Duration MAX_AGE = Duration.ofSeconds(60);

  private final SparkSession session;
  private final SqlGuard guard;
  private final SqlAuditLog audit;
  private final PrintWriter err;
  private final Lakehouse own;

  private SqlConsole(Lakehouse own, SqlGuard guard, SqlAuditLog audit, PrintWriter err) {
    this.own = own;
    this.session = own.spark();
    this.guard = guard;
    this.audit = audit;
    this.err = err;
  }

  /**
   * A console on the lakehouse; creates {@code ops.sql_query} first, so a lakehouse this user cannot write
   * (where no statement could be recorded) fails here, before any statement.
   */
  static SqlConsole open(Lakehouse lakehouse, SqlGuard.Mode mode, String client, PrintWriter err) {
    if (!lakehouse.rootExists()) {
      // recording the first statement would otherwise create a lakehouse at a mistyped path
      throw new IllegalArgumentException("lakehouse not found: " + lakehouse.root());
    }
    lakehouse.ensure(SqlAuditLog.TABLE);
    // every contract table is addressable, those no job has written yet as empty tables created from their
    // contracts (jobs read an absent table as empty; SQL names a catalog table, and a reviewer's
    // INSERT INTO gold.identity_decision needs one)
    lakehouse.contracts().all().forEach(c -> lakehouse.ensure(c.name()));
    SparkSession session = lakehouse.spark().newSession();
    // second line of defence: even a statement the guard let through cannot read a file by path (the audit log
    // writes through the caller's session: Delta's own table builder addresses tables as delta.`path`)
    session.conf().set("spark.sql.runSQLOnFiles", "false");
    Lakehouse own = new Lakehouse(session, lakehouse.root());
    own.registerCatalog();
    SqlAuditLog audit = new SqlAuditLog(lakehouse, mode.label(), client, BATCH, MAX_AGE);
    if (mode == SqlGuard.Mode.ADMIN) {
      err.println("warning: --admin: maintenance statements can change the lakehouse's tables; every statement is "
          + "recorded in " + SqlAuditLog.TABLE + " (user " + audit.user() + ", host " + audit.host() + ")");
      err.flush();
    }
    return new SqlConsole(own, new SqlGuard(own, mode), audit, err);
  }

  SparkSession session() {
    return session;
  }

  /**
   * Runs one statement if the guard allows it, hands its rows to {@code sink}, records the outcome, and returns
   * the rows consumed. A refusal ({@link SqlGuard.Refused}), a syntax error or a failure is recorded, then thrown.
   */
  long run(String sql, Sink sink) throws Exception {
    Instant at = Instant.now();
    long start = System.nanoTime();
    String type = null;
    List<String> read = List.of();
    List<String> written = List.of();
    boolean maintenance = false;
    try {
      SqlGuard.Verdict verdict = guard.check(sql);
      type = verdict.words();
      registerNewViews(verdict.tablesNamed());
      maintenance = verdict.kind() == SqlGuard.Kind.MAINTENANCE;
      Dataset<Row> rows;
      if (verdict.kind() == SqlGuard.Kind.QUERY) {
        rows = Dataset.ofRows(session, verdict.plan()); // analyzed, not run
        read = guard.checkQuery(rows.queryExecution().analyzed());
      } else {
        read = verdict.tablesNamed();
        written = verdict.tablesWritten();
        rows = Dataset.ofRows(session, verdict.plan()); // a command runs here
      }
      long n = sink.consume(rows);
      record(new SqlAuditLog.Entry(at, sql, type, "ok", null, read, written, n, millis(start)), maintenance);
      return n;
    } catch (SqlGuard.Refused e) {
      type = type == null ? e.words() : type;
      record(new SqlAuditLog.Entry(at, sql, type, "refused", e.getMessage(), read, written, null, millis(start)),
          false);
      throw e;
    } catch (Exception e) {
      record(new SqlAuditLog.Entry(at, sql, type, "error", oneLine(e), read, written, null, millis(start)),
          maintenance);
      throw e;
    }
  }

  /** A view table written since this console opened (build-views, view run) is registered before it is read. */
  private void registerNewViews(List<String> tables) {
    for (String t : tables) {
      String[] p = t.split("\\.", 2);
      if (p[0].equals(Lakehouse.VIEW_ZONE) && !session.catalog().tableExists(p[0], p[1])) {
        own.registerCatalog();
        return;
      }
    }
  }

  /** Appends what is buffered; thrown when ops.sql_query cannot be written. */
  void flush() {
    audit.flush();
  }

  @Override
  public void close() {
    try {
      audit.flush();
    } catch (RuntimeException e) {
      throw new IllegalStateException(audit.pending() + " statement(s) could not be recorded in " + SqlAuditLog.TABLE
          + ": " + oneLine(e), e);
    }
  }

  private void record(SqlAuditLog.Entry entry, boolean now) {
    try {
      audit.record(entry, now);
    } catch (RuntimeException e) {
      // kept in the buffer; the next append (or close) tries again and close fails loudly
      err.println("warning: could not append to " + SqlAuditLog.TABLE + " (will retry): " + oneLine(e));
      err.flush();
    }
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).strip();
  }

  private static long millis(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }
}
