package org.pophealth.ingest.claims;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.GoldenCases;
import org.pophealth.testing.ExpectedRows;
import org.pophealth.testing.SharedSpark;

/**
 * Runs every case under {@code src/test/resources/claims/<case>/}: ingests {@code input/} (or the
 * directories listed in {@code runs.txt}, in order) as source {@code golden} into a fresh lakehouse
 * and compares each table named by {@code expected/<zone>.<table>.ndjson} (rows of source golden;
 * ops.claim_validation and ops.ingest_reconciliation: rows of the last run). Expected values are
 * derived by hand from the inputs (see each case's README line at the top of its input files).
 */
class GoldenClaimsTest {
  static Stream<String> cases() {
    return GoldenCases.names("claims");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void goldenCase(String name) throws Exception {
    Path dir = GoldenCases.dir("claims/" + name);
    List<String> runs = Files.exists(dir.resolve("runs.txt"))
        ? Files.readAllLines(dir.resolve("runs.txt")).stream().filter(l -> !l.isBlank()).toList()
        : List.of("input");
    Lakehouse lh = SharedSpark.newLakehouse();
    ClaimsIngestResult last = null;
    for (String run : runs) {
      last = new IngestClaims(lh, "golden", dir.resolve(run).toString()).execute();
      assertTrue(last.reconciled(), name + "/" + run + ": read = loaded + quarantined");
    }
    int compared = 0;
    try (Stream<Path> s = Files.list(dir.resolve("expected"))) {
      for (Path expected : s.sorted().toList()) {
        String table = expected.getFileName().toString().replace(".ndjson", "");
        Dataset<Row> actual = lh.read(table);
        if (List.of(actual.columns()).contains("source")) {
          actual = actual.filter("source = 'golden'");
        }
        if (table.equals("ops.claim_validation") || table.equals("ops.ingest_reconciliation")) {
          actual = actual.filter(actual.col("run_id").equalTo(last.runId()));
        }
        ExpectedRows.assertTable(expected, actual, name + " " + table);
        compared++;
      }
    }
    assertTrue(compared > 0, "case " + name + " has no expected files");
  }
}
