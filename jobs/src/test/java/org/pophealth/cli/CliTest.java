package org.pophealth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pophealth.testing.CliRunner;

/** The CLI as analysts and scripts use it: help, sql output formats, tables, readable errors. */
class CliTest {
  private static String lakehouse;

  @BeforeAll
  static void ingestBasicCase() throws Exception {
    lakehouse = Files.createTempDirectory("pophealth-cli-").toString();
    Path input = Path.of(CliTest.class.getResource("/ingest/basic/input").toURI());
    CliRunner.Result r = CliRunner.run("--lakehouse", lakehouse, "ingest-fhir", "--source", "ehr", "--dir", input.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("read 12 = loaded 12 + quarantined 0 (reconciled)"), r.out());
  }

  @Test
  void helpListsEveryDeliveredSubcommand() {
    CliRunner.Result r = CliRunner.run("--help");
    assertEquals(0, r.exitCode());
    for (String cmd : new String[] {"demo", "ingest-fhir", "sql", "tables", "bench"}) {
      assertTrue(r.out().contains("  " + cmd + " "), "help lists " + cmd + ":\n" + r.out());
    }
    CliRunner.Result sub = CliRunner.run("ingest-fhir", "--help");
    assertTrue(sub.out().contains("--dir") && sub.out().contains("--source") && sub.out().contains("--lakehouse"), sub.out());
  }

  @Test
  void sqlCsvPrintsExactlyTheCsv() {
    CliRunner.Result r = CliRunner.run("--lakehouse", lakehouse, "sql",
        "SELECT id, family_name, birth_date FROM silver.patient ORDER BY id", "--format", "csv");
    assertEquals(0, r.exitCode(), r.err());
    assertEquals("id,family_name,birth_date\np1,Rivera,1960-04-12\np2,Chen,1948-01-01\n", r.out().replace("\r\n", "\n"));
  }

  @Test
  void sqlCsvQuotesValuesWithCommas() {
    CliRunner.Result r = CliRunner.run("--lakehouse", lakehouse, "sql",
        "SELECT address_line FROM silver.patient WHERE id = 'p1'", "--format", "csv");
    assertEquals("address_line\n\"1 Main St, Apt 2\"\n", r.out().replace("\r\n", "\n"));
  }

  @Test
  void sqlJsonAndTableFormats() {
    CliRunner.Result json = CliRunner.run("--lakehouse", lakehouse, "sql",
        "SELECT event_kind, count(*) AS n FROM silver.event GROUP BY event_kind ORDER BY event_kind", "--format", "json");
    assertEquals(0, json.exitCode(), json.err());
    assertTrue(json.out().startsWith("{\"event_kind\":\"diagnosis\",\"n\":1}\n"), json.out());
    CliRunner.Result table = CliRunner.run("--lakehouse", lakehouse, "sql", "SELECT count(*) AS patients FROM silver.patient");
    assertTrue(table.out().contains("patients") && table.out().contains("(1 row)"), table.out());
  }

  @Test
  void tablesListsZonesRowsAndVersions() {
    CliRunner.Result r = CliRunner.run("--lakehouse", lakehouse, "tables");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("silver\\s+silver\\.patient\\s+2\\s+\\d+\\s+.*")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("bronze\\s+bronze\\.fhir_resource\\s+12\\s+.*")), r.out());
    assertTrue(r.out().contains("ops.ingest_reconciliation"), r.out());
  }

  /** sources.<name>.charset reaches ingest-claims; an unknown charset is one error line naming the key. */
  @Test
  void claimsCharsetComesFromTheSourceConfig() throws Exception {
    String own = Files.createTempDirectory("pophealth-cli-charset-").toString();
    Path config = Files.createTempFile("pophealth-charset-", ".yaml");
    Files.writeString(config, "sources:\n  latin: {kind: claims, charset: ISO-8859-1}\n"
        + "  typo: {kind: claims, charset: latin-9000}\n");
    Path input = Path.of(CliTest.class.getResource("/claims/latin1-charset/input").toURI());
    CliRunner.Result bad = CliRunner.run("--config", config.toString(), "--lakehouse", own, "ingest-claims",
        "--source", "typo", "--dir", input.toString());
    assertEquals(2, bad.exitCode(), bad.err());
    assertTrue(bad.err().startsWith("error: sources.typo.charset: unknown charset 'latin-9000'\n"), bad.err());
    CliRunner.Result ok = CliRunner.run("--config", config.toString(), "--lakehouse", own, "ingest-claims",
        "--source", "latin", "--dir", input.toString());
    assertEquals(0, ok.exitCode(), ok.err());
    assertTrue(ok.out().contains("read 3 = loaded 3 + quarantined 0 (reconciled)"), ok.out());
    CliRunner.Result names = CliRunner.run("--lakehouse", own, "sql",
        "SELECT last_name FROM silver.eligibility WHERE member_id = 'M1'", "--format", "csv");
    assertEquals("last_name\nM\u00fcller\n", names.out().replace("\r\n", "\n"));
  }

  /**
   * {@code freshness}: ehr was ingested moments ago (limit 48 h: fresh); gold.risk_score was never written
   * (never): exit 1, both rules printed, the check recorded; with the ehr rule alone, exit 0; a rule naming
   * both a source and a table is one error line.
   */
  @Test
  void freshnessPrintsEachRuleAndExitsOneWhenOneIsStale() throws Exception {
    Path dir = Files.createTempDirectory("freshness-");
    Path both = dir.resolve("both.yaml");
    Files.writeString(both, "freshness:\n  - {source: ehr, max_age_hours: 48}\n"
        + "  - {table: gold.risk_score, max_age_hours: 192}\n");
    CliRunner.Result r = CliRunner.run("--config", both.toString(), "--lakehouse", lakehouse, "freshness");
    assertEquals(1, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("source:ehr\\s+\\S+Z\\s+0\\.\\d\\s+48\\.0\\s+fresh")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("table:gold\\.risk_score\\s+never\\s+192\\.0\\s+never")), r.out());
    assertTrue(r.out().contains("1 of 2 rules STALE"), r.out());
    CliRunner.Result checks = CliRunner.run("--lakehouse", lakehouse, "sql",
        "SELECT rule, status FROM ops.freshness_check WHERE trigger = 'cli' ORDER BY rule", "--format", "csv");
    assertEquals("rule,status\nsource:ehr,fresh\ntable:gold.risk_score,never\n", checks.out().replace("\r\n", "\n"));

    Path ehr = dir.resolve("ehr.yaml");
    Files.writeString(ehr, "freshness:\n  - {source: ehr, max_age_hours: 48}\n");
    CliRunner.Result fresh = CliRunner.run("--config", ehr.toString(), "--lakehouse", lakehouse, "freshness");
    assertEquals(0, fresh.exitCode(), fresh.out() + fresh.err());
    assertTrue(fresh.out().contains("all 1 rules fresh"), fresh.out());

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "freshness:\n  - {source: ehr, table: gold.risk_score, max_age_hours: 48}\n");
    CliRunner.Result wrong = CliRunner.run("--config", bad.toString(), "--lakehouse", lakehouse, "freshness");
    assertEquals(2, wrong.exitCode());
    assertTrue(wrong.err().contains("freshness[0]: a rule names either a source or a table"), wrong.err());
    assertFalse(wrong.err().contains("\tat "), wrong.err());
  }

  @Test
  void badInputGivesAMessageNotAStackTrace() {
    CliRunner.Result missing = CliRunner.run("--lakehouse", lakehouse, "ingest-fhir", "--dir", "/no/such/export");
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().contains("export directory not found: /no/such/export"), missing.err());
    assertFalse(missing.err().contains("\tat "), missing.err());

    CliRunner.Result badSql = CliRunner.run("--lakehouse", lakehouse, "sql", "SELECT nope FROM silver.patient");
    assertEquals(2, badSql.exitCode());
    assertTrue(badSql.err().startsWith("error: "), badSql.err());
    assertFalse(badSql.err().contains("\tat "), badSql.err());

    CliRunner.Result badSource = CliRunner.run("--lakehouse", lakehouse, "ingest-fhir", "--source", "nosuch");
    assertEquals(2, badSource.exitCode());
    assertTrue(badSource.err().contains("unknown source 'nosuch'"), badSource.err());
  }
}
