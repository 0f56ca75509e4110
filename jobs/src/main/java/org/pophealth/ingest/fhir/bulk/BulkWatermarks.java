package org.pophealth.ingest.fhir.bulk;

import static org.apache.spark.sql.functions.col;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.pophealth.lakehouse.Lakehouse;

/**
 * Reads and writes {@code ops.bulk_watermark}: per source, level, resource type and type filter, the
 * transactionTime of the last export that brought that type. Rows of the earlier layout (one per source,
 * {@code resource_type} null) are read as {@link Marks#legacy()}.
 */
public final class BulkWatermarks {
  static final String TABLE = "ops.bulk_watermark";

  private final Lakehouse lakehouse;

  public BulkWatermarks(Lakehouse lakehouse) {
    this.lakehouse = lakehouse;
  }

  /**
   * The source's watermarks at one level.
   *
   * @param byScope per-type watermarks
   * @param legacy the per-source watermark of the earlier layout at this level, null when there is none
   * @param otherFilters types with a watermark under another type filter (their new filter is new)
   */
  public record Marks(Map<TypeScope, Instant> byScope, Instant legacy, java.util.Set<String> otherFilters) {
    public static final Marks NONE = new Marks(Map.of(), null, java.util.Set.of());

    public boolean isEmpty() {
      return byScope.isEmpty() && legacy == null;
    }
  }

  /** The source's watermarks at {@code level} (none when the table does not exist yet). */
  public Marks read(String source, String level) {
    Dataset<Row> t = lakehouse.read(TABLE);
    boolean perType = Arrays.asList(t.columns()).contains("resource_type");
    List<Row> rows = t.filter(col("source").equalTo(source).and(col("level").equalTo(level)))
        .select(col("transaction_time"), perType ? col("resource_type") : org.apache.spark.sql.functions.lit(null)
            .cast("string"), perType ? col("type_filter") : org.apache.spark.sql.functions.lit(null).cast("string"))
        .collectAsList();
    Map<TypeScope, Instant> marks = new HashMap<>();
    Instant legacy = null;
    java.util.Set<String> typesWithMarks = new java.util.HashSet<>();
    for (Row r : rows) {
      Instant at = r.getTimestamp(0).toInstant();
      if (r.isNullAt(1)) {
        legacy = legacy == null || at.isAfter(legacy) ? at : legacy;
      } else {
        marks.put(new TypeScope(r.getString(1), r.isNullAt(2) ? "" : r.getString(2)), at);
        typesWithMarks.add(r.getString(1));
      }
    }
    return new Marks(Map.copyOf(marks), legacy, java.util.Set.copyOf(typesWithMarks));
  }

  /** The newest watermark of the source, any level or type (null: never exported). */
  public Instant latest(String source) {
    return lakehouse.read(TABLE).filter(col("source").equalTo(source)).select("transaction_time").collectAsList()
        .stream().map(r -> r.getTimestamp(0).toInstant()).max(Instant::compareTo).orElse(null);
  }

  /**
   * Sets the watermark of {@code scopes} (replacing theirs); with {@code dropLegacy}, also removes the
   * source's per-source row of the earlier layout at this level (every configured type has its own now).
   */
  public void write(String source, String baseUrl, String level, List<TypeScope> scopes, Instant transactionTime,
      Instant since, String runId, int files, long lines, boolean dropLegacy) {
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    List<String> match = new ArrayList<>();
    for (TypeScope s : scopes) {
      rows.add(RowFactory.create(source, baseUrl, level, Timestamp.from(transactionTime),
          since == null ? null : Timestamp.from(since), runId, files, lines, now, s.resourceType(), s.typeFilter()));
      match.add("(resource_type = " + quote(s.resourceType()) + " AND type_filter = " + quote(s.typeFilter()) + ")");
    }
    if (dropLegacy) {
      match.add("resource_type IS NULL");
    }
    lakehouse.replaceWhere(TABLE, lakehouse.spark().createDataFrame(rows, lakehouse.contract(TABLE).schema()),
        "source = " + quote(source) + " AND level = " + quote(level) + " AND (" + String.join(" OR ", match) + ")");
  }

  /** A Spark SQL string literal. */
  static String quote(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
