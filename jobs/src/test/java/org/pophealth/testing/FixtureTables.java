package org.pophealth.testing;

import static org.apache.spark.sql.functions.expr;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampType;
import org.pophealth.lakehouse.Lakehouse;

/**
 * Hand-written fixture rows ({@code <zone>.<table>.ndjson}) into a lakehouse table, replacing its
 * contents. Columns a row leaves out that the contract declares not-null get a neutral value ('',
 * 0, false, empty array/map, 1970-01-01); silver.event rows get {@code codes} from their own
 * {@code code_system}/{@code code} and {@code event_date} from {@code start_time}.
 */
public final class FixtureTables {
  private FixtureTables() {}

  /** Every {@code <zone>.<table>.ndjson} of {@code dir} into its table (nothing when there is no such folder). */
  public static void replaceFolder(Lakehouse lh, Path dir) throws java.io.IOException {
    if (!java.nio.file.Files.isDirectory(dir)) {
      return;
    }
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(dir)) {
      for (Path f : s.filter(p -> p.toString().endsWith(".ndjson")).sorted().toList()) {
        replace(lh, f.getFileName().toString().replace(".ndjson", ""), f);
      }
    }
  }

  public static void replace(Lakehouse lh, String table, Path file) {
    var schema = lh.contract(table).schema();
    Dataset<Row> rows = lh.spark().read().schema(schema).json(file.toString());
    if (table.equals("silver.event")) {
      rows = rows.withColumn("codes", expr("coalesce(codes, array(named_struct('system', code_system, 'code', code,"
          + " 'display', CAST(NULL AS STRING))))"))
          .withColumn("event_date", expr("coalesce(event_date, to_date(start_time))"))
          .withColumn("source_resource_id", expr("coalesce(source_resource_id, event_id)"));
    }
    for (StructField f : schema.fields()) {
      if (!f.nullable()) {
        rows = rows.withColumn(f.name(), expr("coalesce(" + f.name() + ", " + neutral(f.dataType()) + ")"));
      }
    }
    lh.replaceAll(table, rows);
  }

  private static String neutral(DataType t) {
    if (t instanceof StringType) {
      return "'fixture'";
    } else if (t instanceof NumericType) {
      return "CAST(0 AS " + t.sql() + ")";
    } else if (t instanceof BooleanType) {
      return "false";
    } else if (t instanceof DateType) {
      return "DATE'1970-01-01'";
    } else if (t instanceof TimestampType) {
      return "TIMESTAMP'1970-01-01 00:00:00'";
    } else if (t instanceof ArrayType) {
      return "CAST(array() AS " + t.sql() + ")";
    } else if (t instanceof MapType) {
      return "CAST(map() AS " + t.sql() + ")";
    }
    return "NULL";
  }
}
