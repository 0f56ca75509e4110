package org.pophealth.views;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.lakehouse.SqlGuard;
import org.pophealth.ops.RunIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materialises SQL on FHIR views: for each definition, the current version of every resource of its type
 * ({@link CurrentResources}: newest per source and id, tombstones applied, subsetted lines left out) run
 * through the definition on Spark ({@link ViewFrames}) and written as the Delta table {@code view.<name>}
 * (replaced whole, schema included, in one commit; earlier versions stay for time travel), with the source
 * as a last column {@code _source}. Views over the same type share one read of bronze. One row per view in
 * {@code ops.view_run}. Re-running on the same bronze writes the same rows.
 */
public final class BuildViews {
  private static final Logger LOG = LoggerFactory.getLogger(BuildViews.class);

  private final Lakehouse lakehouse;
  private final List<ViewFiles.Named> views;
  private java.nio.file.Path csv;
  private List<ViewFiles.SqlView> sqlViews = List.of();

  /** What one view's materialisation did. */
  public record ViewResult(String table, String resourceType, String file, long resourcesRead, long resourcesDeleted,
      long rowsWritten, long resourcesFailed, String firstError, List<String> columns, double seconds) {
    public ViewResult {
      columns = List.copyOf(columns);
    }
  }

  /** The run: its id, the bronze version read, and each view's counts in definition order. */
  public record Result(String runId, long bronzeVersion, List<ViewResult> views) {
    public Result {
      views = List.copyOf(views);
    }

    public long rowsWritten() {
      return views.stream().mapToLong(ViewResult::rowsWritten).sum();
    }

    public long resourcesRead() {
      return views.stream().mapToLong(ViewResult::resourcesRead).sum();
    }

    public long resourcesFailed() {
      return views.stream().mapToLong(ViewResult::resourcesFailed).sum();
    }
  }

  public BuildViews(Lakehouse lakehouse, List<ViewFiles.Named> views) {
    this.lakehouse = lakehouse;
    this.views = List.copyOf(views);
  }

  /** SQL views to materialise after the definitions, over their tables (read-only queries, {@link SqlGuard}). */
  public BuildViews sqlViews(List<ViewFiles.SqlView> views) {
    this.sqlViews = List.copyOf(views);
    return this;
  }

  /**
   * Writes the (single) view to this CSV file instead of a table: a header line, then one line per row;
   * arrays as JSON arrays; the file readable by its owner only (a view holds patient-level data).
   */
  public BuildViews csv(java.nio.file.Path file) {
    if (views.size() != 1) {
      throw new IllegalArgumentException("a CSV file holds one view; " + views.size() + " given");
    }
    this.csv = file;
    return this;
  }

  public Result execute() {
    Timestamp started = Timestamp.from(Instant.now());
    String runId = RunIds.next("build-views", "all");
    long bronzeVersion = lakehouse.version("bronze.fhir_resource");
    Map<String, List<ViewFiles.Named>> byType = new LinkedHashMap<>();
    for (ViewFiles.Named v : views) {
      byType.computeIfAbsent(v.definition().resource(), k -> new ArrayList<>()).add(v);
    }
    Map<String, ViewResult> done = new LinkedHashMap<>();
    for (Map.Entry<String, List<ViewFiles.Named>> e : byType.entrySet()) {
      Dataset<Row> resources = CurrentResources.newest(lakehouse, e.getKey());
      boolean shared = e.getValue().size() > 1;
      if (shared) {
        resources = resources.persist(StorageLevel.MEMORY_AND_DISK());
      }
      try {
        for (ViewFiles.Named v : e.getValue()) {
          done.put(v.table(), materialise(v, resources));
        }
      } finally {
        if (shared) {
          resources.unpersist();
        }
      }
    }
    List<ViewResult> ordered = new ArrayList<>(views.stream().map(v -> done.get(v.table())).toList());
    List<String> hashes = new ArrayList<>(views.stream().map(v -> hash(v.json())).toList());
    if (!sqlViews.isEmpty()) {
      lakehouse.registerCatalog(); // the view tables just written, by name
    }
    for (ViewFiles.SqlView v : sqlViews) {
      ordered.add(materialise(v));
      hashes.add(hash(v.sql()));
    }
    Result result = new Result(runId, bronzeVersion, ordered);
    record(result, hashes, started);
    return result;
  }

  private ViewResult materialise(ViewFiles.Named v, Dataset<Row> resources) {
    long t0 = System.nanoTime();
    ViewFrames.Counters counters = ViewFrames.Counters.register(lakehouse.spark().sparkContext(), v.table());
    Dataset<Row> rows = ViewFrames.evaluate(v.definition(), resources, true, counters);
    long written = csv != null ? ViewCsv.write(rows, csv) : lakehouse.replaceView(v.table(), rows);
    List<String> columns = columns(rows);
    double seconds = (System.nanoTime() - t0) / 1e9;
    ViewResult r = new ViewResult(csv != null ? csv.toString() : Lakehouse.VIEW_ZONE + "." + v.table(), v.definition().resource(), v.file(),
        counters.evaluated().value(), counters.deleted().value(), written, counters.failed().value(),
        counters.firstError(), columns, seconds);
    LOG.info("view {}: {} {} resources evaluated ({} deleted left out, {} failed), {} rows in {} s", r.table(),
        r.resourcesRead(), r.resourceType(), r.resourcesDeleted(), r.resourcesFailed(), r.rowsWritten(),
        String.format("%.1f", seconds));
    return r;
  }

  private ViewResult materialise(ViewFiles.SqlView v) {
    long t0 = System.nanoTime();
    SqlGuard.Verdict verdict;
    try {
      verdict = new SqlGuard(lakehouse, SqlGuard.Mode.READ_ONLY).check(v.sql());
    } catch (org.apache.spark.sql.catalyst.parser.ParseException e) {
      throw new IllegalArgumentException(v.file() + ": " + org.pophealth.io.Messages.firstLine(e), e);
    } catch (SqlGuard.Refused e) {
      throw new IllegalArgumentException(v.file() + ": " + e.getMessage(), e);
    }
    if (verdict.kind() != SqlGuard.Kind.QUERY) {
      throw new IllegalArgumentException(v.file() + ": a SQL view is a query (SELECT or WITH), not " + verdict.words());
    }
    Dataset<Row> rows = lakehouse.spark().sql(v.sql());
    long written = lakehouse.replaceView(v.table(), rows);
    List<String> columns = columns(rows);
    double seconds = (System.nanoTime() - t0) / 1e9;
    LOG.info("view {}: SQL over {}, {} rows in {} s", v.table(), verdict.tablesNamed(), written,
        String.format("%.1f", seconds));
    return new ViewResult(Lakehouse.VIEW_ZONE + "." + v.table(), "sql", v.file(), 0, 0, written, 0, null, columns,
        seconds);
  }

  /** The frame's columns as name:type, as ops.view_run records them. */
  private static List<String> columns(Dataset<Row> rows) {
    List<String> out = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      out.add(f.name() + ":" + f.dataType().simpleString());
    }
    return out;
  }

  private void record(Result result, List<String> hashes, Timestamp started) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < result.views().size(); i++) {
      ViewResult r = result.views().get(i);
      rows.add(RowFactory.create(result.runId(), r.table(), r.resourceType(), r.file(), hashes.get(i),
          result.bronzeVersion(), r.resourcesRead(), r.resourcesDeleted(), r.rowsWritten(), r.resourcesFailed(),
          r.firstError(), scala.collection.JavaConverters.asScalaBuffer(r.columns()).toList(), started, r.seconds()));
    }
    if (!rows.isEmpty()) {
      lakehouse.append("ops.view_run",
          lakehouse.spark().createDataFrame(rows, lakehouse.contract("ops.view_run").schema()));
    }
  }

  static String hash(String json) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256")
          .digest(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d).substring(0, 32);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
