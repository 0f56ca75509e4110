package org.pophealth.tools.bench;

import java.nio.file.Path;
import java.util.List;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.views.BuildViews;
import org.pophealth.views.ViewFiles;

/**
 * {@code bench views}: the silver build (ingest-fhir: bronze + silver + events) of a population, then the
 * shipped SQL on FHIR views (measures/views/, or a directory) over the same bronze, in one scratch lakehouse
 * and one JVM, run after each other; throughput of each in resources per second, and their ratio.
 */
public final class BenchViews {
  private final Lakehouse scratch;
  private final Path input;
  private final String viewsDir;

  public BenchViews(Lakehouse scratch, Path input, String viewsDir) {
    this.scratch = scratch;
    this.input = input;
    this.viewsDir = viewsDir;
  }

  /**
   * The ingest's result; the views' result; the views' wall time (definitions loaded, every view and the SQL
   * views written), and the current resources they evaluated (a resource read by two views counts twice).
   */
  public record Result(IngestResult ingest, BuildViews.Result views, double viewSeconds) {
    public double silverPerSecond() {
      return ingest.linesLoaded() / ingest.seconds();
    }

    public double viewsPerSecond() {
      return views.resourcesRead() / viewSeconds;
    }
  }

  public Result execute() throws java.io.IOException {
    IngestResult ingest = new IngestFhirExport(scratch, "bench", input.toString()).execute();
    long t0 = System.nanoTime();
    List<ViewFiles.Named> defs = ViewFiles.load(viewsDir);
    BuildViews.Result views = new BuildViews(scratch, defs).sqlViews(ViewFiles.sqlViews(viewsDir, defs)).execute();
    return new Result(ingest, views, (System.nanoTime() - t0) / 1e9);
  }
}
