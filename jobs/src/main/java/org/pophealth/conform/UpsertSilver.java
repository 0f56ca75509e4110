package org.pophealth.conform;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.pophealth.lakehouse.ColumnSpec;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.lakehouse.TableContract;

/**
 * Applies one run's versions and tombstones of one resource type to its silver table: per (source,
 * id) the newest candidate wins, ordered by export time, numeric versionId, lastUpdated, tombstone
 * before data, file and line (a total, deterministic order). A candidate replaces the silver row only
 * when strictly newer, so re-running an export changes nothing; tombstones already in bronze take
 * part, so re-ingesting an older export cannot resurrect a deleted resource. Only lines with status
 * {@link ParsedLines#LOADED} are candidates: a resource tagged SUBSETTED ({@link ParsedLines#SUBSETTED}, an
 * {@code _elements} export) stays in bronze and never replaces a full row, nor creates a row of its own (a
 * partial row would pass for the resource); the run counts it as subsetted in ops.ingest_reconciliation.
 */
public final class UpsertSilver {
  private static final String ORDER =
      "struct(export_time, coalesce(cast(version_id as bigint), -1L), "
          + "coalesce(last_updated, timestamp'0001-01-01 00:00:00'), bronze_file, bronze_line)";

  private final Lakehouse lakehouse;
  private final ResourceConverter converter;
  private final String source;
  private final Dataset<Row> typed;
  private final Dataset<Row> deleted;
  private final Timestamp exportTime;

  private boolean priorTombstonesPossible = true;
  private boolean idsUnique;

  /**
   * @param typed this run's parse of the type's files (rows with a {@code typed} struct), or null
   * @param deleted this run's loaded tombstones of all types, or null
   */
  public UpsertSilver(Lakehouse lakehouse, ResourceConverter converter, String source, Dataset<Row> typed,
      Dataset<Row> deleted, Timestamp exportTime) {
    this.lakehouse = lakehouse;
    this.converter = converter;
    this.source = source;
    this.typed = typed;
    this.deleted = deleted;
    this.exportTime = exportTime;
  }

  /** False when bronze holds no tombstone of this source and type (skips a bronze scan). */
  public UpsertSilver priorTombstonesPossible(boolean possible) {
    this.priorTombstonesPossible = possible;
    return this;
  }

  /**
   * True when the caller has counted this run's loaded lines per id and none has two (the ingest's duplicate-id
   * count): spares the grouping of the candidates by id that would find that out again.
   */
  public UpsertSilver idsUnique(boolean unique) {
    this.idsUnique = unique;
    return this;
  }

  /** Rows inserted or updated, rows deleted. */
  public record Result(long upserted, long deleted) {}

  public Result execute() {
    String table = converter.table();
    TableContract contract = lakehouse.ensure(table);
    String type = converter.resourceType();
    Dataset<Row> candidates = null;
    Dataset<Row> touched = null;
    if (typed != null) {
      Dataset<Row> loaded = typed.filter(col("status").equalTo(ParsedLines.LOADED));
      candidates = loaded.select(col(ParsedLines.TYPED + ".*")).withColumn("_deleted", lit(false));
      touched = loaded.select(col("resource_id"));
    }
    if (deleted != null) {
      Dataset<Row> mine = deleted.filter(col("resource_type").equalTo(type));
      Dataset<Row> t = tombstones(contract, mine.withColumn("export_time", lit(exportTime)));
      candidates = candidates == null ? t : candidates.unionByName(t);
      touched = touched == null ? mine.select(col("resource_id")) : touched.union(mine.select(col("resource_id")));
    }
    if (candidates == null) {
      return new Result(0, 0);
    }
    touched = touched.distinct();
    if (priorTombstonesPossible) {
      candidates = candidates.unionByName(tombstones(contract,
          lakehouse.read("bronze.fhir_resource")
              .filter(col("source").equalTo(source).and(col("resource_type").equalTo(type)).and(col("is_deleted")))
              .join(touched, "resource_id")));
    }
    // version 0 is the empty table ensure() created (every write goes through it): no query needed to know
    boolean targetEmpty = lakehouse.version(table) == 0
        || lakehouse.read(table).filter(col("source").equalTo(source)).limit(1).count() == 0;
    if (targetEmpty && deleted == null && !priorTombstonesPossible
        && (idsUnique || candidates.groupBy("id").count().filter("count > 1").limit(1).count() == 0)) {
      // first load of this source with one version per id: a plain append is the same result
      return new Result(lakehouse.appendCounted(table, candidates), 0);
    }
    Dataset<Row> winners = candidates
        .withColumn("_order", functions.expr(ORDER))
        .withColumn("_rank", functions.row_number().over(Window.partitionBy(col("id"))
            .orderBy(col("export_time").desc(), col("_deleted").desc(), col("_order").desc())))
        .filter(col("_rank").equalTo(1))
        .drop("_rank");

    if (targetEmpty) {
      // first load of this source: nothing to compare with, a plain append is the same result
      Dataset<Row> rows = winners.filter(functions.not(col("_deleted")));
      return new Result(lakehouse.appendCounted(table, rows), 0);
    }
    List<String> columns = new ArrayList<>();
    List<String> values = new ArrayList<>();
    List<String> assign = new ArrayList<>();
    for (String c : contract.columnNames()) {
      columns.add("`" + c + "`");
      values.add("s.`" + c + "`");
      assign.add("`" + c + "` = s.`" + c + "`");
    }
    String newer = "s._order > " + ORDER.replace("export_time", "t.export_time").replace("version_id", "t.version_id")
        .replace("last_updated", "t.last_updated").replace("bronze_file", "t.bronze_file")
        .replace("bronze_line", "t.bronze_line");
    // counts from the MERGE's own result, not the table's last commit (Lakehouse.merge)
    Lakehouse.MergeCounts n = lakehouse.merge(table, winners,
        "t.source = '" + source + "' AND t.source = s.source AND t.id = s.id",
        "WHEN MATCHED AND s._deleted AND s.export_time >= t.export_time THEN DELETE"
            + " WHEN MATCHED AND NOT s._deleted AND " + newer + " THEN UPDATE SET " + String.join(", ", assign)
            + " WHEN NOT MATCHED AND NOT s._deleted THEN INSERT (" + String.join(", ", columns) + ") VALUES ("
            + String.join(", ", values) + ")");
    return new Result(n.inserted() + n.updated(), n.deleted());
  }

  /** Tombstone rows shaped like the contract: key, ordering and lineage columns set, the rest null. */
  private Dataset<Row> tombstones(TableContract contract, Dataset<Row> rows) {
    List<Column> cols = new ArrayList<>();
    for (ColumnSpec c : contract.columns()) {
      Column v = switch (c.name()) {
        case "source" -> lit(source);
        case "id" -> col("resource_id");
        case "version_id" -> col("version_id");
        case "last_updated" -> col("last_updated");
        case "export_time" -> col("export_time");
        case "bronze_file" -> col("file");
        case "bronze_line" -> col("line");
        default -> lit(null);
      };
      cols.add(v.cast(c.type()).as(c.name()));
    }
    cols.add(lit(true).as("_deleted"));
    return rows.select(cols.toArray(new Column[0]));
  }
}
