package org.pophealth.dashboard;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the dashboard's aggregates and writes the HTML file: to an explicit file ({@code dashboard
 * --out}), or for a publication to {@code <publish_dir>/dashboard/<as_of>/index.html}, where as_of is
 * the reference date of the latest cohort publication in ops.publication.
 */
public final class PublishDashboard {
  private static final Logger LOG = LoggerFactory.getLogger(PublishDashboard.class);

  private final Lakehouse lakehouse;
  private final DashboardTargets targets;
  private final int minCellSize;
  private Integer paymentYear;
  private DashboardBenchmarks benchmarks;

  public PublishDashboard(Lakehouse lakehouse, DashboardTargets targets, int minCellSize) {
    this.lakehouse = lakehouse;
    this.targets = targets;
    this.minCellSize = minCellSize;
  }

  /** The payment year of the risk-adjustment gaps panel (risk.payment_year); null: the latest in gold.hcc_gap. */
  public PublishDashboard paymentYear(Integer year) {
    this.paymentYear = year;
    return this;
  }

  /** The national benchmarks ({@code dashboard --benchmarks DIR}); default the packaged ones. */
  public PublishDashboard benchmarks(DashboardBenchmarks b) {
    this.benchmarks = b;
    return this;
  }

  public record Result(String location, int charts, int tables, int bytes, double collectSeconds,
      double renderSeconds) {}

  /**
   * What {@code publish} calls: packaged targets, measures.small_cell_threshold, risk.payment_year, the publish
   * directory.
   */
  public static Result publish(Lakehouse lakehouse, org.pophealth.config.PopHealthConfig config, String dirOverride) {
    return new PublishDashboard(lakehouse, DashboardTargets.packaged(), config.measures().smallCellThreshold())
        .paymentYear(config.risk().paymentYear())
        .publish(org.pophealth.cohorts.CohortSettings.publishDir(config, lakehouse, dirOverride));
  }

  /** Writes the dashboard of the latest publication under {@code <publishDir>/dashboard/<as_of>/}. */
  public Result publish(String publishDir) {
    String asOf = latestPublication();
    String dir = publishDir.endsWith("/") ? publishDir.substring(0, publishDir.length() - 1) : publishDir;
    return write(dir + "/dashboard/" + (asOf == null ? "unpublished" : asOf) + "/index.html",
        asOf == null ? "No cohort publication yet" : "Publication as of " + asOf);
  }

  /** Writes the dashboard to {@code file} (local path or Hadoop URI). */
  public Result write(String file, String subtitle) {
    long t0 = System.nanoTime();
    CollectDashboardData.Result data = new CollectDashboardData(lakehouse, targets, minCellSize)
        .subtitle(subtitle).paymentYear(paymentYear).benchmarks(benchmarks).execute();
    long t1 = System.nanoTime();
    RenderDashboard.Result html = new RenderDashboard(data.page()).execute();
    double render = (System.nanoTime() - t1) / 1e9;
    Path target = new Path(file);
    try {
      FileSystem fs = target.getFileSystem(lakehouse.spark().sparkContext().hadoopConfiguration());
      try (OutputStream o = fs.create(target, true)) {
        o.write(html.html().getBytes(StandardCharsets.UTF_8));
      }
      org.pophealth.io.HadoopFiles.removeChecksums(fs, target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the dashboard to " + file + ": " + e.getMessage(), e);
    }
    LOG.info("dashboard written to {}: {} charts, {} tables, {} bytes", file, html.charts(), html.tables(),
        html.bytes());
    return new Result(file, html.charts(), html.tables(), html.bytes(), (t1 - t0) / 1e9, render);
  }

  private String latestPublication() {
    if (!lakehouse.exists("ops.publication")) {
      return null;
    }
    List<Row> r = lakehouse.read("ops.publication").filter("action = 'publish'")
        .selectExpr("cast(max(as_of) AS string) AS as_of").collectAsList();
    return r.isEmpty() ? null : r.get(0).getString(0);
  }
}
