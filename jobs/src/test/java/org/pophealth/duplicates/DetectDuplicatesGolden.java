package org.pophealth.duplicates;

import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.GoldenCase;
import org.pophealth.testing.GoldenJob;

/**
 * {@code detect-duplicate-tests} cases: loads {@code input/silver.event.ndjson} (lineage columns, {@code codes}
 * and {@code event_date} filled from the row's own {@code code_system}/{@code code} and {@code start_time} when
 * absent, source {@code ehr} by default) and runs the job with the packaged rules. Options: {@code min_cell_size};
 * {@code rate_levels} (an SQL list: gold.duplicate_test_rate is compared on those levels only); {@code rerun}
 * (a second run must give identical tables).
 */
public final class DetectDuplicatesGolden implements GoldenJob {
  @Override
  public Set<String> options() {
    return Set.of("min_cell_size", "rate_levels", "rerun");
  }

  @Override
  public Outcome run(GoldenCase c, Path phase, Lakehouse lh) {
    loadEvents(lh, phase.resolve("input/silver.event.ndjson"));
    DetectDuplicateTests job = new DetectDuplicateTests(lh, DuplicateTestRules.packaged());
    if (c.options().containsKey("min_cell_size")) {
      job.minCellSize(Integer.parseInt(c.option("min_cell_size", null)));
    }
    DetectDuplicateTests.Result r = job.execute();
    assertTrue(r.eventsMatched() > 0, c + ": the fixture has events of a family");
    assertEquals(List.of(), scala.collection.JavaConverters.seqAsJavaList(
        lh.spark().sessionState().catalog().listLocalTempViews("dup_*")).stream().map(t -> t.table()).toList(),
        "the job's views are not left on the shared session");
    if (c.flag("rerun")) {
      List<String> events = sorted(lh.read(DetectDuplicateTests.EVENT_TABLE));
      List<String> rates = sorted(lh.read(DetectDuplicateTests.RATE_TABLE));
      job.execute();
      assertEquals(events, sorted(lh.read(DetectDuplicateTests.EVENT_TABLE)), c + ": re-run changed the events");
      assertEquals(rates, sorted(lh.read(DetectDuplicateTests.RATE_TABLE)), c + ": re-run changed the rates");
    }
    String levels = c.option("rate_levels", null);
    return new Outcome() {
      @Override
      public Dataset<Row> table(Lakehouse lakehouse, String name) {
        Dataset<Row> actual = lakehouse.read(name);
        return name.equals(DetectDuplicateTests.RATE_TABLE) && levels != null
            ? actual.filter("level IN (" + levels + ")") : actual;
      }
    };
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
