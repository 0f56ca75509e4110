package org.pophealth.views;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.conform.ParsedLines;
import org.pophealth.lakehouse.Lakehouse;

/**
 * The newest version of every resource of one type in {@code bronze.fhir_resource}, per source and id, in the
 * order silver applies them ({@code UpsertSilver}): export time, then a tombstone before data of the same
 * export, then versionId, lastUpdated, file and line. A resource whose newest version is a tombstone is
 * deleted. A line tagged {@code SUBSETTED} (an {@code _elements} export) never takes part, as in silver: it
 * would pass a partial resource for the whole one. One aggregation, no window: the newest version is the
 * maximum of a struct that starts with the ordering columns and ends with the JSON.
 */
public final class CurrentResources {
  private CurrentResources() {}

  /**
   * Columns {@code source}, {@code resource_id}, {@code is_deleted} and {@code raw} (the newest version's JSON;
   * the tombstone entry when deleted): one row per source and id of {@code resourceType}.
   */
  public static Dataset<Row> newest(Lakehouse lakehouse, String resourceType) {
    Dataset<Row> bronze = lakehouse.read("bronze.fhir_resource")
        .filter(col("resource_type").equalTo(resourceType))
        .filter(expr("NOT (NOT is_deleted AND raw LIKE '%\"SUBSETTED\"%' AND exists(from_json(get_json_object(raw,"
            + " '$.meta.tag'), 'array<struct<system:string,code:string>>'), t -> t.code = 'SUBSETTED' AND"
            + " (t.system IS NULL OR t.system = '" + ParsedLines.SUBSETTED_TAG_SYSTEM + "')))"));
    return bronze
        .groupBy(col("source"), col("resource_id"))
        .agg(expr("max(struct(export_time, is_deleted, coalesce(cast(version_id as bigint), -1L) AS version,"
            + " coalesce(last_updated, timestamp'0001-01-01 00:00:00') AS last_updated, file, line, raw))")
            .as("newest"))
        .select(col("source"), col("resource_id"), col("newest.is_deleted").as("is_deleted"),
            col("newest.raw").as("raw"));
  }
}
