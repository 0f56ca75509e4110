package org.pophealth.duplicates;

import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
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
 * Runs every case under {@code src/test/resources/duplicates/<case>/}: loads {@code events.ndjson}
 * (silver.event rows; lineage columns, {@code codes} and {@code event_date} are filled from the
 * row's own {@code code_system}/{@code code}/{@code start_time} when absent) into a fresh lakehouse,
 * runs detect-duplicate-tests with the packaged rules (and {@code options.properties}:
 * {@code min_cell_size}), and compares each table named by {@code expected/<zone>.<table>.ndjson}.
 * The expected rows are derived by hand in each case's README.md. Cases with {@code rerun=true} then
 * run the job a second time: the tables must be identical.
 */
class GoldenDuplicatesTest {
  static Stream<String> cases() {
    return GoldenCases.names("duplicates");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void goldenCase(String name) throws Exception {
    Path dir = GoldenCases.dir("duplicates/" + name);
    Properties options = new Properties();
    if (Files.exists(dir.resolve("options.properties"))) {
      try (InputStream in = Files.newInputStream(dir.resolve("options.properties"))) {
        options.load(in);
      }
    }
    Lakehouse lh = SharedSpark.newLakehouse();
    loadEvents(lh, dir.resolve("events.ndjson"));
    DetectDuplicateTests job = new DetectDuplicateTests(lh, DuplicateTestRules.packaged());
    if (options.containsKey("min_cell_size")) {
      job.minCellSize(Integer.parseInt(options.getProperty("min_cell_size")));
    }
    DetectDuplicateTests.Result r = job.execute();
    assertTrue(r.eventsMatched() > 0, name + ": the fixture has events of a family");
    assertEquals(List.of(), lh.spark().catalog().listTables().collectAsList().stream()
        .filter(t -> t.isTemporary() && t.name().startsWith("dup_")).map(t -> t.name()).toList(),
        "the job's views are not left on the shared session");
    int compared = 0;
    List<Path> expectedFiles;
    try (Stream<Path> s = Files.list(dir.resolve("expected"))) {
      expectedFiles = s.sorted().toList();
    }
    for (Path expected : expectedFiles) {
      String table = expected.getFileName().toString().replace(".ndjson", "");
      Dataset<Row> actual = lh.read(table);
      if (table.equals(DetectDuplicateTests.RATE_TABLE) && options.containsKey("rate_levels")) {
        actual = actual.filter("level IN (" + options.getProperty("rate_levels") + ")");
      }
      ExpectedRows.assertTable(expected, actual, name + " " + table);
      compared++;
    }
    assertTrue(compared > 0, "case " + name + " has no expected files");
    if (!Boolean.parseBoolean(options.getProperty("rerun", "false"))) {
      return;
    }
    List<String> events = sorted(lh.read(DetectDuplicateTests.EVENT_TABLE));
    List<String> rates = sorted(lh.read(DetectDuplicateTests.RATE_TABLE));
    job.execute();
    assertEquals(events, sorted(lh.read(DetectDuplicateTests.EVENT_TABLE)), name + ": re-run changed the events");
    assertEquals(rates, sorted(lh.read(DetectDuplicateTests.RATE_TABLE)), name + ": re-run changed the rates");
  }

  private static List<String> sorted(Dataset<Row> d) {
    return d.toJSON().collectAsList().stream().sorted().toList();
  }

  /** Fixture rows → silver.event, with the columns a hand-written row leaves out filled in. */
  static void loadEvents(Lakehouse lh, Path file) {
    var schema = lh.contract("silver.event").schema();
    Dataset<Row> raw = lh.spark().read().schema(schema).json(file.toString());
    Dataset<Row> rows = raw
        .withColumn("source", expr("coalesce(source, 'ehr')"))
        .withColumn("codes", expr("coalesce(codes, array(named_struct('system', code_system, 'code', code,"
            + " 'display', CAST(NULL AS STRING))))"))
        .withColumn("event_date", expr("coalesce(event_date, to_date(start_time))"))
        .withColumn("source_resource_type", expr("coalesce(source_resource_type, 'fixture')"))
        .withColumn("source_resource_id", expr("coalesce(source_resource_id, event_id)"))
        .withColumn("component_index", expr("coalesce(component_index, 0)"))
        .withColumn("ingest_run_id", expr("coalesce(ingest_run_id, 'fixture')"))
        .withColumn("bronze_file", expr("coalesce(bronze_file, 'events.ndjson')"))
        .withColumn("bronze_line", expr("coalesce(bronze_line, 0)"));
    lh.append("silver.event", rows);
  }
}
