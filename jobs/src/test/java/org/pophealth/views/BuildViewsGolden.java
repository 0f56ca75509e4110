package org.pophealth.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.GoldenCase;
import org.pophealth.testing.GoldenJob;

/**
 * {@code build-views} cases: each phase ingests its {@code input/} export as source {@code golden} (when it has
 * one), then materialises the views of the case's {@code views/} folder (option {@code views: packaged} for
 * the shipped measures/views/). Expected {@code view.<name>.ndjson} files are compared with the view tables,
 * {@code ops.view_run.ndjson} with this phase's run. Every phase checks that no resource failed; the last one that
 * the run is repeatable: a second build of the same bronze writes the same rows.
 */
public final class BuildViewsGolden implements GoldenJob {
  @Override
  public Set<String> options() {
    return Set.of("views");
  }

  @Override
  public Outcome run(GoldenCase c, Path phase, Lakehouse lh) throws Exception {
    if (Files.isDirectory(phase.resolve("input"))) {
      IngestResult r = new IngestFhirExport(lh, "golden", phase.resolve("input").toString()).execute();
      assertTrue(r.reconciled(), c.label(phase) + ": ingest reconciles");
    }
    String dir = "packaged".equals(c.option("views", null)) ? null : c.dir().resolve("views").toString();
    List<ViewFiles.Named> defs = ViewFiles.load(dir);
    BuildViews.Result first = new BuildViews(lh, defs).sqlViews(ViewFiles.sqlViews(dir, defs)).execute();
    assertEquals(0, first.resourcesFailed(), c.label(phase) + ": resources failed: " + first.views());
    String runId = first.runId();
    if (phase.equals(c.phases().get(c.phases().size() - 1))) {
      List<String> before = snapshot(lh, first);
      BuildViews.Result again = new BuildViews(lh, defs).sqlViews(ViewFiles.sqlViews(dir, defs)).execute();
      assertEquals(before, snapshot(lh, again), c.label(phase) + ": a second build of the same bronze");
      runId = again.runId();
    }
    String compared = runId;
    return new Outcome() {
      @Override
      public Dataset<Row> table(Lakehouse lakehouse, String name) {
        if (name.startsWith(Lakehouse.VIEW_ZONE + ".")) {
          return lakehouse.spark().read().format("delta")
              .load(lakehouse.viewPath(name.substring(Lakehouse.VIEW_ZONE.length() + 1)));
        }
        Dataset<Row> t = lakehouse.read(name);
        return name.equals("ops.view_run") ? t.filter(t.col("run_id").equalTo(compared)) : t;
      }
    };
  }

  /** Every view table's rows, sorted, as JSON lines. */
  private static List<String> snapshot(Lakehouse lh, BuildViews.Result r) {
    List<String> out = new java.util.ArrayList<>();
    for (BuildViews.ViewResult v : r.views()) {
      String name = v.table().substring(Lakehouse.VIEW_ZONE.length() + 1);
      List<String> rows = new java.util.ArrayList<>(
          lh.spark().read().format("delta").load(lh.viewPath(name)).toJSON().collectAsList());
      java.util.Collections.sort(rows);
      out.add(v.table() + " " + rows);
    }
    return out;
  }
}
