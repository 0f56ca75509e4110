package org.pophealth.ingest.claims;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.pophealth.ingest.fhir.SerializableHadoopConf;
import org.pophealth.io.DecodedLines;

/**
 * Job step: claims rows → validated rows (one dataset per table, schema {@link ValidatedRows}), from
 * flat files (CSV parsed in one task per file, Parquet through Spark) or from rows already in bronze.
 * Datasets are persisted; the caller unpersists.
 */
public final class ValidateClaims {
  private final SparkSession spark;
  private final String source;
  private final ValidationRules rules;

  public ValidateClaims(SparkSession spark, String source, ValidationRules rules) {
    this.spark = spark;
    this.source = source;
    this.rules = rules;
  }

  /**
   * Validated rows of the delivered files, per table (tables without files are absent). CSV files are decoded
   * strictly in {@code charset}: a record with invalid bytes is quarantined as {@code bad-encoding}.
   */
  public Map<ClaimTable, Dataset<Row>> files(List<ReadClaimFiles.FlatFile> files, String runId, Charset charset) {
    Map<ClaimTable, Dataset<Row>> out = new EnumMap<>(ClaimTable.class);
    JavaSparkContext jsc = new JavaSparkContext(spark.sparkContext());
    SerializableHadoopConf conf = new SerializableHadoopConf(spark.sparkContext().hadoopConfiguration());
    String charsetName = charset.name(); // Charset is not serializable
    for (ClaimTable t : ClaimTable.values()) {
      List<ReadClaimFiles.FlatFile> csv = files.stream().filter(f -> f.table() == t && f.format().equals("csv")).toList();
      List<ReadClaimFiles.FlatFile> parquet =
          files.stream().filter(f -> f.table() == t && f.format().equals("parquet")).toList();
      if (csv.isEmpty() && parquet.isEmpty()) {
        continue;
      }
      ValidateClaimRow v = new ValidateClaimRow(t, source, rules);
      List<JavaRDD<Row>> parts = new ArrayList<>();
      if (!csv.isEmpty()) {
        parts.add(jsc.parallelize(csv, csv.size()).mapPartitions(it -> {
          List<Iterator<Row>> iters = new ArrayList<>();
          while (it.hasNext()) {
            ReadClaimFiles.FlatFile f = it.next();
            Path p = new Path(f.path());
            DecodedLines r = new DecodedLines(p.getFileSystem(conf.get()).open(p), Charset.forName(charsetName));
            CsvRecords recs = new CsvRecords(r, f.table(), f.relative(), runId);
            iters.add(validated(recs, v));
          }
          return concat(iters);
        }));
      }
      for (ReadClaimFiles.FlatFile f : parquet) {
        parts.add(parquetRecords(f, runId).map(v::validate));
      }
      JavaRDD<Row> all = parts.size() == 1 ? parts.get(0) : jsc.union(parts.toArray(new JavaRDD[0]));
      // the delivery's data-quality tests across rows (repeated lines, header fields that differ between lines)
      out.put(t, rules.quality().deliveryTests(t, spark.createDataFrame(all, ValidatedRows.schema(t)))
          .persist(StorageLevel.MEMORY_AND_DISK()));
    }
    return out;
  }

  /** Validated rows of bronze.claim_row rows (columns table_name, file_format, fields, raw, file, line, ingest_run_id). */
  public Dataset<Row> bronze(ClaimTable t, Dataset<Row> bronzeRows) {
    ValidateClaimRow v = new ValidateClaimRow(t, source, rules);
    JavaRDD<Row> rows = bronzeRows.filter(functions.col("table_name").equalTo(t.tableName()))
        .select("file_format", "file", "line", "raw", "fields", "ingest_run_id").toJavaRDD()
        .map(r -> v.validate(new ClaimRecord(t, r.getString(0), r.getString(1), r.getLong(2), r.getString(3),
            r.getJavaMap(4), null, r.getString(5))));
    return spark.createDataFrame(rows, ValidatedRows.schema(t));
  }

  /** Validated rows of records derived elsewhere (payer FHIR). */
  public Dataset<Row> records(ClaimTable t, JavaRDD<ClaimRecord> records) {
    ValidateClaimRow v = new ValidateClaimRow(t, source, rules);
    return spark.createDataFrame(records.filter(r -> r.table() == t).map(v::validate), ValidatedRows.schema(t));
  }

  private JavaRDD<ClaimRecord> parquetRecords(ReadClaimFiles.FlatFile f, String runId) {
    Dataset<Row> df = spark.read().parquet(f.path());
    List<Column> cols = new ArrayList<>();
    for (String c : df.columns()) {
      cols.add(functions.col("`" + c + "`").cast(DataTypes.StringType).as(c.toLowerCase(java.util.Locale.ROOT)));
    }
    Dataset<Row> text = df.select(cols.toArray(new Column[0]));
    String[] names = text.columns();
    ClaimTable table = f.table();
    String rel = f.relative();
    return text.toJavaRDD().zipWithIndex().map(t -> {
      Row r = t._1();
      Map<String, String> fields = new LinkedHashMap<>();
      StringBuilder raw = new StringBuilder("{");
      for (int i = 0; i < names.length; i++) {
        String val = r.isNullAt(i) ? null : r.getString(i);
        if (val != null && !val.isBlank()) {
          fields.put(names[i], val.trim());
        }
        raw.append(i == 0 ? "" : ",").append('"').append(names[i]).append("\":")
            .append(val == null ? "null" : '"' + val.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
      }
      raw.append('}');
      return new ClaimRecord(table, "parquet", rel, t._2() + 1, raw.toString(), fields, null, runId);
    });
  }

  /** Static, so the iterator does not capture this (not serializable) into the Spark closure. */
  private static Iterator<Row> validated(CsvRecords recs, ValidateClaimRow v) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return recs.hasNext();
      }

      @Override
      public Row next() {
        return v.validate(recs.next());
      }
    };
  }

  private static <T> Iterator<T> concat(List<Iterator<T>> iters) {
    if (iters.isEmpty()) {
      return Collections.emptyIterator();
    }
    return new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        while (i < iters.size()) {
          if (iters.get(i).hasNext()) {
            return true;
          }
          i++;
        }
        return false;
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        return iters.get(i).next();
      }
    };
  }
}
