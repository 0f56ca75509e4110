package org.pophealth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.lakehouse.SqlGuard;
import org.pophealth.testing.CliRunner;
import org.pophealth.testing.FixtureTables;
import org.pophealth.testing.SharedSpark;
import org.pophealth.testing.TestResources;

/**
 * The SQL console is read-only against the lakehouse's own tables unless {@code --admin}: every statement of
 * issue 21 is refused with a one-line reason naming it and leaves everything as it was (tables, files, catalog,
 * session settings, jars, cache); queries, metadata and time travel still work; {@code --admin} runs maintenance
 * and records it; ops.sql_query records every statement. One small lakehouse (resources sql/README.md), one
 * read-only console shared by the cases.
 */
class SqlConsoleTest {
  private static Lakehouse lh;
  private static Path outside;
  private static SqlConsole readOnly;
  private static SqlConsole admin;

  @BeforeAll
  static void lakehouse() throws IOException {
    lh = SharedSpark.newLakehouse();
    Path fixture = TestResources.dir("sql/lakehouse");
    FixtureTables.replace(lh, "silver.patient", fixture.resolve("silver.patient.ndjson"));
    FixtureTables.replace(lh, "silver.patient", fixture.resolve("silver.patient.later.ndjson"));
    for (String t : List.of("silver.event", "gold.identity_decision", "ops.cohort_opt_out")) {
      FixtureTables.replace(lh, t, fixture.resolve(t + ".ndjson"));
    }
    // files a shell-like console could read or write: a Parquet and a JSON file, and another lakehouse's table
    outside = Files.createTempDirectory("pophealth-sql-outside-");
    SparkSession spark = SharedSpark.spark();
    spark.sql("SELECT 'secret' AS s").write().parquet(outside.resolve("data.parquet").toString());
    Files.writeString(outside.resolve("data.json"), "{\"s\": \"secret\"}\n");
    spark.sql("SELECT 'secret' AS s").write().format("delta").save(outside.resolve("other/silver/patient").toString());
    readOnly = SqlConsole.open(lh, SqlGuard.Mode.READ_ONLY, "test", new PrintWriter(new StringWriter()));
    admin = SqlConsole.open(lh, SqlGuard.Mode.ADMIN, "test", new PrintWriter(new StringWriter()));
  }

  @AfterAll
  static void close() {
    readOnly.close();
    admin.close();
  }

  /** Every construct issue 21 names, and the ways around the obvious spelling. */
  static Stream<Arguments> refusedStatements() {
    return Stream.of(
        // file-path data sources (any format.`path`), also inside a join, a subquery, a view, a table function
        refused("SELECT * FROM text.`/etc/passwd`", "file-path data source text.`/etc/passwd`"),
        refused("SELECT * FROM csv.`/etc/shadow`", "file-path data source csv.`/etc/shadow`"),
        refused("SELECT * FROM parquet.`OUT/data.parquet`", "file-path data source parquet.`"),
        refused("SELECT * FROM json.`OUT/data.json`", "file-path data source json.`"),
        refused("SELECT * FROM delta.`OUT/other/silver/patient`", "file-path data source delta.`"),
        refused("SELECT * FROM delta.`LH/silver/patient`", "file-path data source delta.`"),
        refused("SELECT * FROM binaryFile.`/etc/hostname`", "file-path data source binaryFile.`/etc/hostname`"),
        refused("SELECT * FROM `orc`.`/etc`", "file-path data source orc.`/etc`"),
        refused("SELECT count(*) FROM silver.patient p JOIN text.`/etc/passwd` t ON true", "file-path data source text."),
        refused("SELECT id FROM silver.patient WHERE id IN (SELECT value FROM text.`/etc/passwd`)",
            "file-path data source text."),
        refused("WITH pw AS (SELECT * FROM text.`/etc/passwd`) SELECT * FROM pw", "file-path data source text."),
        refused("CREATE TEMPORARY VIEW pw USING text OPTIONS (path '/etc/passwd')", "CREATE TEMPORARY VIEW … USING"),
        refused("SELECT * FROM table_changes_by_path('LH/silver/patient', 0)", "table function table_changes_by_path"),
        refused("SELECT * FROM IDENTIFIER('text.`/etc/passwd`')", "IDENTIFIER(…)"),
        refused("DESCRIBE HISTORY 'LH/silver/patient'", "path-addressed table"),
        refused("SELECT * FROM default.anything", "table default.anything is not a table of this lakehouse"),
        // writing outside the lakehouse
        refused("CREATE TABLE silver.copy (id STRING) USING delta LOCATION 'OUT/copy'", "CREATE TABLE … LOCATION"),
        refused("INSERT OVERWRITE DIRECTORY 'OUT/dump' USING csv SELECT * FROM silver.patient",
            "INSERT OVERWRITE DIRECTORY"),
        refused("INSERT OVERWRITE LOCAL DIRECTORY 'OUT/dump' SELECT * FROM silver.patient", "INSERT OVERWRITE DIRECTORY"),
        refused("ALTER TABLE silver.patient SET LOCATION 'OUT/moved'", "ALTER TABLE … SET LOCATION"),
        refused("CREATE DATABASE elsewhere LOCATION 'OUT/db'", "CREATE DATABASE … LOCATION"),
        // data changes, the audit tables included
        refused("INSERT INTO silver.patient (source, id, deceased) VALUES ('ehr', 'p9', false)", "INSERT is not allowed"),
        refused("INSERT OVERWRITE silver.patient SELECT * FROM silver.patient", "INSERT OVERWRITE is not allowed"),
        refused("INSERT INTO ops.sql_query SELECT * FROM ops.sql_query", "INSERT is not allowed"),
        refused("UPDATE silver.patient SET family_name = 'X'", "UPDATE is not allowed"),
        refused("DELETE FROM silver.patient", "DELETE is not allowed"),
        refused("DELETE FROM ops.sql_query", "DELETE is not allowed"),
        refused("MERGE INTO silver.patient t USING silver.patient s ON t.id = s.id WHEN MATCHED THEN DELETE",
            "MERGE is not allowed"),
        refused("TRUNCATE TABLE silver.patient", "TRUNCATE TABLE is not allowed"),
        refused("EXPLAIN DELETE FROM silver.patient", "DELETE is not allowed"),
        // DDL
        refused("DROP TABLE silver.patient", "DROP TABLE is not allowed"),
        refused("DROP TABLE ops.sql_query", "DROP TABLE is not allowed"),
        refused("DROP VIEW silver.patient", "DROP VIEW is not allowed"),
        refused("DROP DATABASE silver CASCADE", "DROP DATABASE is not allowed"),
        refused("CREATE TABLE silver.copy USING delta AS SELECT * FROM silver.patient", "CREATE TABLE … AS SELECT"),
        refused("CREATE TABLE scratch (id INT)", "CREATE TABLE is not allowed"),
        refused("CREATE OR REPLACE TABLE silver.patient (id STRING) USING delta", "CREATE OR REPLACE TABLE"),
        refused("CREATE VIEW silver.v AS SELECT 1", "CREATE VIEW is not allowed"),
        refused("CREATE TEMPORARY VIEW v AS SELECT * FROM silver.patient", "CREATE VIEW is not allowed"),
        refused("CREATE FUNCTION f AS 'org.apache.hadoop.hive.ql.udf.UDFReflect'", "CREATE FUNCTION is not allowed"),
        refused("CREATE TEMPORARY FUNCTION f AS 'org.apache.hadoop.hive.ql.udf.UDFReflect'", "CREATE FUNCTION"),
        refused("DROP FUNCTION f", "DROP FUNCTION is not allowed"),
        refused("ALTER TABLE silver.patient ADD COLUMNS (z INT)", "ALTER TABLE is not allowed"),
        refused("ALTER TABLE silver.patient SET TBLPROPERTIES ('delta.logRetentionDuration' = 'interval 1 hours')",
            "ALTER TABLE … SET TBLPROPERTIES is not allowed"),
        refused("ALTER TABLE silver.patient RENAME TO silver.renamed", "ALTER TABLE … RENAME"),
        // session and cluster state
        refused("CACHE TABLE silver.patient", "CACHE TABLE is not allowed"),
        refused("CACHE LAZY TABLE c AS SELECT * FROM silver.patient", "CACHE TABLE … AS SELECT"),
        refused("UNCACHE TABLE silver.patient", "UNCACHE TABLE is not allowed"),
        refused("CLEAR CACHE", "CLEAR CACHE is not allowed"),
        refused("LOAD DATA LOCAL INPATH '/etc/passwd' INTO TABLE silver.patient", "LOAD DATA"),
        refused("ADD JAR OUT/x.jar", "ADD JAR"),
        refused("ADD FILE /etc/passwd", "ADD FILE"),
        refused("ADD ARCHIVE OUT/x.zip", "ADD ARCHIVE"),
        refused("REFRESH TABLE silver.patient", "REFRESH TABLE is not allowed"),
        refused("REFRESH '/etc'", "REFRESH is not allowed"),
        refused("MSCK REPAIR TABLE silver.patient", "MSCK REPAIR TABLE"),
        refused("SET spark.sql.runSQLOnFiles=true", "SET is not allowed"),
        refused("SET", "SET is not allowed"),
        refused("RESET", "RESET is not allowed"),
        refused("RESET spark.sql.runSQLOnFiles", "RESET is not allowed"),
        refused("USE silver", "USE is not allowed"),
        // Delta maintenance
        refused("VACUUM silver.patient RETAIN 0 HOURS", "VACUUM is not allowed"),
        refused("VACUUM 'LH/silver/patient'", "VACUUM is not allowed"),
        refused("OPTIMIZE silver.patient", "OPTIMIZE is not allowed"),
        refused("RESTORE TABLE silver.patient TO VERSION AS OF 1", "RESTORE is not allowed"),
        refused("CONVERT TO DELTA parquet.`OUT/data.parquet`", "CONVERT TO DELTA"),
        refused("CREATE TABLE silver.cloned SHALLOW CLONE silver.patient LOCATION 'OUT/clone'", "CLONE"),
        refused("GENERATE symlink_format_manifest FOR TABLE silver.patient", "GENERATE"),
        refused("REORG TABLE silver.patient APPLY (PURGE)", "REORG TABLE is not allowed"),
        // Java and programs
        refused("SELECT reflect('java.lang.System', 'getProperty', 'user.name')", "function reflect"),
        refused("SELECT java_method('java.lang.System', 'getProperty', 'user.name')", "function java_method"),
        refused("SELECT try_reflect('java.lang.System', 'getProperty', 'user.name')", "function try_reflect"),
        refused("SELECT REFLECT('java.lang.System', 'getProperty', 'user.name')", "function reflect"),
        refused("SELECT system.builtin.java_method('java.lang.System', 'getProperty', 'user.name')",
            "function java_method"),
        refused("SELECT id FROM silver.patient WHERE EXISTS "
            + "(SELECT java_method('java.lang.System', 'getProperty', 'user.name'))", "function java_method"),
        refused("SELECT transform(array(1), x -> reflect('java.lang.System', 'getProperty', 'user.name'))",
            "function reflect"),
        refused("SELECT IDENTIFIER('reflect')('java.lang.System', 'getProperty', 'user.name')", "IDENTIFIER(…)"),
        refused("SELECT TRANSFORM(id) USING 'cat /etc/passwd' AS (line) FROM silver.patient", "TRANSFORM"),
        refused("SELECT no_such_udf(id) FROM silver.patient", "function no_such_udf"));
  }

  private static Arguments refused(String sql, String named) {
    return Arguments.of(sql, named);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedStatements")
  void refusedWithOneLineNamingTheConstructAndNothingHappens(String template, String named) throws Exception {
    String sql = template.replace("OUT/", outside + "/").replace("LH/", lh.root() + "/");
    Map<String, Object> before = state(readOnly.session());
    long[] consumed = {0};
    SqlGuard.Refused e = assertThrows(SqlGuard.Refused.class, () -> readOnly.run(sql, rows -> {
      consumed[0] = rows.count();
      return consumed[0];
    }));
    assertTrue(e.getMessage().startsWith("refused: "), e.getMessage());
    assertTrue(e.getMessage().contains(named), "names " + named + ": " + e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertEquals(0, consumed[0], "no row reached the user");
    assertEquals(before, state(readOnly.session()), "nothing changed");
  }

  /** --admin lifts the read-only rule for maintenance only: paths, DDL, SET, Java and ops rewrites stay refused. */
  static Stream<Arguments> refusedEvenForAdmin() {
    return Stream.of(
        refused("SELECT * FROM text.`/etc/passwd`", "file-path data source text.`/etc/passwd`"),
        refused("INSERT OVERWRITE DIRECTORY 'OUT/dump' USING csv SELECT * FROM silver.patient",
            "INSERT OVERWRITE DIRECTORY is not allowed in sql, not even with --admin"),
        refused("INSERT INTO delta.`OUT/other/silver/patient` SELECT 'x'", "file-path data source delta.`"),
        refused("CREATE TABLE silver.copy (id STRING) USING delta LOCATION 'OUT/copy'", "CREATE TABLE … LOCATION"),
        refused("DROP TABLE silver.patient", "DROP TABLE is not allowed in sql, not even with --admin"),
        refused("SET spark.sql.runSQLOnFiles=true", "SET is not allowed in sql, not even with --admin"),
        refused("SELECT reflect('java.lang.System', 'getProperty', 'user.name')", "function reflect"),
        refused("DELETE FROM gold.identity_decision WHERE java_method('java.lang.System', 'getProperty', 'x') IS NULL",
            "function java_method"),
        refused("VACUUM 'LH/silver/patient'", "path-addressed table"),
        refused("DELETE FROM ops.cohort_opt_out", "DELETE on ops.cohort_opt_out is not allowed: ops tables are append-only"),
        refused("DELETE FROM ops.sql_query", "DELETE on ops.sql_query is not allowed: ops tables are append-only"),
        refused("UPDATE ops.job_run SET status = 'succeeded'", "UPDATE on ops.job_run is not allowed"),
        refused("TRUNCATE TABLE ops.sql_query", "TRUNCATE TABLE on ops.sql_query is not allowed"),
        refused("INSERT OVERWRITE ops.sql_query SELECT * FROM ops.sql_query", "INSERT OVERWRITE on ops.sql_query"),
        refused("VACUUM ops.sql_query RETAIN 0 HOURS", "VACUUM on ops.sql_query is not allowed"),
        refused("RESTORE TABLE ops.sql_query TO VERSION AS OF 0", "RESTORE on ops.sql_query is not allowed"),
        refused("ALTER TABLE ops.sql_query SET TBLPROPERTIES ('delta.logRetentionDuration' = 'interval 1 hours')",
            "on ops.sql_query is not allowed"),
        refused("MERGE INTO gold.identity_decision t USING ops.cohort_opt_out s ON t.record_id_a = s.person_key "
            + "WHEN MATCHED THEN DELETE", "naming ops.cohort_opt_out is not allowed"));
  }

  @ParameterizedTest(name = "admin: {0}")
  @MethodSource("refusedEvenForAdmin")
  void adminStillRefuses(String template, String named) throws Exception {
    String sql = template.replace("OUT/", outside + "/").replace("LH/", lh.root() + "/");
    Map<String, Object> before = state(admin.session());
    SqlGuard.Refused e = assertThrows(SqlGuard.Refused.class, () -> admin.run(sql, rows -> 0));
    assertTrue(e.getMessage().contains(named), "names " + named + ": " + e.getMessage());
    assertEquals(before, state(admin.session()), "nothing changed");
  }

  @Test
  void queriesMetadataAndTimeTravelStillWork() throws Exception {
    assertEquals(List.of("[Chen]", "[Okafor]", "[Rivera]"),
        rows("SELECT family_name FROM silver.patient ORDER BY family_name"));
    assertEquals(List.of("[Chen,1]", "[Okafor,1]", "[Rivera,2]"), rows("SELECT p.family_name, count(*) AS n "
        + "FROM silver.patient p JOIN silver.event e ON e.patient_id = p.id GROUP BY p.family_name ORDER BY 1"));
    assertEquals(List.of("[1]"), rows("WITH old AS (SELECT id FROM silver.patient WHERE birth_date < DATE'1950-01-01') "
        + "SELECT count(*) FROM old"));
    assertEquals(List.of("[Rivera]"), rows("SELECT family_name FROM silver.patient WHERE id IN "
        + "(SELECT patient_id FROM silver.event WHERE event_kind = 'encounter')"));
    assertEquals(List.of("[2]"), rows("SELECT count(*) FROM silver.patient VERSION AS OF 1"));
    assertEquals(List.of("[0]"), rows("SELECT count(*) FROM spark_catalog.silver.patient VERSION AS OF 0"));
    assertEquals(List.of("[6]"), rows("SELECT sum(id) FROM range(4)"));
    assertEquals(List.of("[1,a]", "[2,b]"), rows("VALUES (1, 'a'), (2, 'b')"));
    assertEquals(List.of("[2]"), rows("SELECT count(*) FROM (SELECT explode(array(1, 2)))"));

    List<String> tables = rows("SHOW TABLES IN silver");
    assertTrue(tables.contains("[silver,patient,false]") && tables.contains("[silver,event,false]"), tables.toString());
    assertEquals(List.of(), rows("SHOW TABLES"), "nothing is registered outside the zones");
    assertTrue(rows("DESCRIBE silver.patient").stream().anyMatch(r -> r.startsWith("[family_name,string")));
    assertTrue(rows("SHOW COLUMNS IN silver.patient").contains("[birth_date]"));
    assertEquals(3, rows("DESCRIBE HISTORY silver.patient").size(), "v0, v1, v2");
    assertEquals(1, rows("EXPLAIN SELECT count(*) FROM silver.patient").size());
  }

  @Test
  void aViewTableWrittenAfterTheConsoleOpenedIsReadByNameAndAMissingViewIsRefused() throws Exception {
    lh.replaceView("console_view", SharedSpark.spark().sql("SELECT 'a' AS x UNION ALL SELECT 'b'"));
    assertEquals(List.of("[a]", "[b]"), rows("SELECT x FROM view.console_view ORDER BY x"));
    assertEquals(List.of("[1]"), rows("SELECT count(*) FROM view.console_view WHERE x = 'b'"));
    SqlGuard.Refused refused = org.junit.jupiter.api.Assertions.assertThrows(SqlGuard.Refused.class,
        () -> rows("SELECT * FROM view.no_such_view"));
    assertTrue(refused.getMessage().contains("view.no_such_view is not a view of this lakehouse"), refused.getMessage());
  }

  @Test
  void aQueryRecordsTheTablesItRead() throws Exception {
    SqlGuard guard = new SqlGuard(new Lakehouse(readOnly.session(), lh.root()), SqlGuard.Mode.READ_ONLY);
    SqlGuard.Verdict v = guard.check("WITH e AS (SELECT * FROM silver.event) "
        + "SELECT count(*) FROM silver.patient p JOIN e ON e.patient_id = p.id");
    assertEquals(SqlGuard.Kind.QUERY, v.kind());
    var analyzed = org.apache.spark.sql.Dataset.ofRows(readOnly.session(), v.plan()).queryExecution().analyzed();
    assertEquals(List.of("silver.event", "silver.patient"), guard.checkQuery(analyzed));
  }

  @Test
  void runSqlOnFilesIsOffInTheConsoleSessionOnly() {
    SparkSession console = readOnly.session();
    assertEquals("false", console.conf().get("spark.sql.runSQLOnFiles"));
    // the second line of defence, without the guard: the session itself cannot read a path
    assertThrows(Exception.class, () -> console.sql("SELECT * FROM text.`/etc/passwd`").collectAsList());
    assertEquals("true", SharedSpark.spark().conf().get("spark.sql.runSQLOnFiles"), "other sessions keep Spark's default");
  }

  @Test
  void theCliPrintsOneErrorLineAndRecordsEveryStatement() {
    CliRunner.Result passwd = CliRunner.run("--lakehouse", lh.root(), "sql", "SELECT * FROM text.`/etc/passwd`");
    assertEquals(2, passwd.exitCode());
    assertEquals("", passwd.out(), "no rows");
    assertEquals("error: refused: file-path data source text.`/etc/passwd` is not allowed: sql reads the lakehouse's "
        + "tables only", passwd.err().strip());

    CliRunner.Result ok = CliRunner.run("--lakehouse", lh.root(), "sql",
        "SELECT family_name, 'audit-ok' AS marker FROM silver.patient WHERE id = 'p1'", "--format", "csv");
    assertEquals(0, ok.exitCode(), ok.err());
    assertEquals("family_name,marker\nRivera,audit-ok\n", ok.out().replace("\r\n", "\n"));

    CliRunner.Result bad = CliRunner.run("--lakehouse", lh.root(), "sql", "SELECT nope AS audit_error FROM silver.patient");
    assertEquals(2, bad.exitCode());
    assertEquals(1, bad.err().strip().lines().count(), bad.err());

    Map<String, Row> byOutcome = new TreeMap<>();
    for (Row r : lh.read("ops.sql_query").filter("statement LIKE '%/etc/passwd%' AND client = 'cli' "
        + "OR statement LIKE '%audit-ok%' OR statement LIKE '%audit_error%'").collectAsList()) {
      byOutcome.put(r.getAs("outcome"), r);
    }
    assertEquals(List.of("error", "ok", "refused"), List.copyOf(byOutcome.keySet()));
    for (Row r : byOutcome.values()) {
      assertEquals(System.getProperty("user.name"), r.getAs("user"));
      assertFalse(r.<String>getAs("host").isBlank());
      assertEquals("read-only", r.getAs("mode"));
      assertEquals("cli", r.getAs("client"));
      assertFalse(r.toString().contains("Rivera"), "never result rows: " + r);
    }
    Row refused = byOutcome.get("refused");
    assertEquals("SELECT * FROM text.`/etc/passwd`", refused.getAs("statement"));
    assertEquals("query", refused.getAs("statement_type"));
    assertTrue(refused.<String>getAs("reason").startsWith("refused: file-path data source text.`/etc/passwd`"));
    assertTrue(refused.isNullAt(refused.fieldIndex("rows")));
    Row okRow = byOutcome.get("ok");
    assertEquals("query", okRow.getAs("statement_type"));
    assertEquals(1L, (long) okRow.<Long>getAs("rows"));
    assertEquals(List.of("silver.patient"), okRow.getList(okRow.fieldIndex("tables_read")));
    assertTrue(okRow.isNullAt(okRow.fieldIndex("reason")));
    assertTrue(byOutcome.get("error").<String>getAs("reason").contains("nope"), byOutcome.get("error").toString());
  }

  @Test
  void aMistypedLakehouseIsAnErrorNotANewLakehouse() {
    Path missing = outside.resolve("no-such-lakehouse");
    CliRunner.Result r = CliRunner.run("--lakehouse", missing.toString(), "sql", "SELECT 1");
    assertEquals(2, r.exitCode());
    assertEquals("error: lakehouse not found: " + missing, r.err().strip());
    assertFalse(Files.exists(missing));
  }

  @Test
  void adminRunsADeleteWithAWarningAndRecordsIt() {
    long before = lh.read("gold.identity_decision").count();
    String delete = "DELETE FROM gold.identity_decision WHERE record_id_a = 'p2'";
    CliRunner.Result r = CliRunner.run("--lakehouse", lh.root(), "sql", "--admin", delete);
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.err().startsWith("warning: --admin:"), r.err());
    assertEquals(2, before);
    assertEquals(List.of("p1"), lh.read("gold.identity_decision").select("record_id_a").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList());

    Row audit = lh.read("ops.sql_query").filter(org.apache.spark.sql.functions.col("statement").equalTo(delete)).head();
    assertEquals("admin", audit.getAs("mode"));
    assertEquals("ok", audit.getAs("outcome"));
    assertEquals("DELETE", audit.getAs("statement_type"));
    assertEquals(List.of("gold.identity_decision"), audit.getList(audit.fieldIndex("tables_written")));
    assertEquals(System.getProperty("user.name"), audit.getAs("user"));

    CliRunner.Result readOnlyDelete = CliRunner.run("--lakehouse", lh.root(), "sql", delete.replace("p2", "p1"));
    assertEquals(2, readOnlyDelete.exitCode());
    assertTrue(readOnlyDelete.err().startsWith("error: refused: DELETE is not allowed: sql is read-only"),
        readOnlyDelete.err());
    assertEquals(1, lh.read("gold.identity_decision").count());
  }

  @Test
  void adminRunsDeltaMaintenanceByTableName() throws Exception {
    long version = lh.version("silver.event"); // 1: created, then the fixture
    for (String sql : List.of("OPTIMIZE silver.event",
        "ALTER TABLE silver.event SET TBLPROPERTIES ('pophealth.reviewed' = 'yes')",
        "RESTORE TABLE silver.event TO VERSION AS OF 1")) {
      admin.run(sql, rows -> rows.count());
    }
    // OPTIMIZE commits when a partition has more than one file (it may not); ALTER and RESTORE commit one each
    assertTrue(lh.version("silver.event") >= version + 2, "versions moved: " + lh.version("silver.event"));
    assertEquals(4, lh.read("silver.event").count(), "the rows of version 1");
  }

  @Test
  void adminAppendsToAnOpsTable() throws Exception {
    long version = lh.version("ops.cohort_opt_out");
    admin.run("INSERT INTO ops.cohort_opt_out VALUES ('P7', '*', 'letter 2025-07-01', 'bob', "
        + "TIMESTAMP'2025-07-01 09:00:00')", rows -> 0);
    assertEquals(version + 1, lh.version("ops.cohort_opt_out"));
    assertEquals(List.of("P7", "P9"), lh.read("ops.cohort_opt_out").select("person_key").orderBy("person_key")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }

  @Test
  void stdinSessionAnswersErrorsAsJsonAndAppendsItsAuditInOneCommit() throws Exception {
    List<String> queries = List.of("SET spark.sql.runSQLOnFiles=true", "SELECT * FROM text.`/etc/passwd`",
        "SELECT count(*) AS n FROM silver.patient", "SELECT 'stdin-marker' AS m");
    StringBuilder in = new StringBuilder();
    for (String q : queries) {
      in.append(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(q)).append('\n');
    }
    long auditVersion = lh.version("ops.sql_query");
    StringWriter out = new StringWriter();
    try (SqlConsole session = SqlConsole.open(lh, SqlGuard.Mode.READ_ONLY, "stdin", new PrintWriter(new StringWriter()))) {
      SqlCommand.session(session, new ByteArrayInputStream(in.toString().getBytes(StandardCharsets.UTF_8)),
          new PrintWriter(out, true));
    }
    assertEquals(List.of(
        "{\"__error__\": \"refused: SET is not allowed in sql, not even with --admin\"}",
        "{\"__error__\": \"refused: file-path data source text.`/etc/passwd` is not allowed: sql reads the lakehouse's "
            + "tables only\"}",
        "{\"n\":3}", "{\"__end__\": 1, \"__columns__\": [\"n\"]}",
        "{\"m\":\"stdin-marker\"}", "{\"__end__\": 1, \"__columns__\": [\"m\"]}"),
        out.toString().lines().toList());
    assertEquals(auditVersion + 1, lh.version("ops.sql_query"), "four statements, one append at end of input");
    List<String> outcomes = new ArrayList<>();
    for (Row r : lh.read("ops.sql_query").filter("client = 'stdin'").orderBy("at").collectAsList()) {
      outcomes.add(r.<String>getAs("outcome") + " " + r.<String>getAs("statement_type") + ": " + r.getAs("statement"));
    }
    assertEquals(List.of("refused SET: " + queries.get(0), "refused query: " + queries.get(1),
        "ok query: " + queries.get(2), "ok query: " + queries.get(3)), outcomes);
  }

  private static List<String> rows(String sql) throws Exception {
    List<String> out = new ArrayList<>();
    readOnly.run(sql, df -> {
      for (Row r : df.collectAsList()) {
        out.add(r.toString());
      }
      return out.size();
    });
    return out;
  }

  /**
   * What a statement could have changed: table versions (the audit table aside), files outside the lakehouse and
   * in Spark's warehouse, the catalog, the console's settings, jars and files added, and the cache.
   */
  private static Map<String, Object> state(SparkSession session) throws IOException {
    Map<String, Object> s = new TreeMap<>();
    Map<String, Long> versions = new TreeMap<>(lh.versions());
    versions.remove("ops.sql_query");
    s.put("versions", versions);
    s.put("outside", listing(outside));
    s.put("warehouse", listing(Path.of(session.conf().get("spark.sql.warehouse.dir").replaceFirst("^file:", ""))));
    var catalog = session.sessionState().catalog();
    List<String> tables = new ArrayList<>();
    for (String db : scala.collection.JavaConverters.seqAsJavaList(catalog.listDatabases())) {
      tables.add(db + ": " + catalog.listTables(db).mkString(","));
    }
    s.put("catalog", tables);
    s.put("runSQLOnFiles", session.conf().get("spark.sql.runSQLOnFiles"));
    s.put("jars", session.sparkContext().listJars().toString());
    s.put("files", session.sparkContext().listFiles().toString());
    s.put("cached", session.catalog().isCached("silver.patient"));
    return s;
  }

  private static List<String> listing(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.map(Path::toString).sorted().toList();
    }
  }
}
