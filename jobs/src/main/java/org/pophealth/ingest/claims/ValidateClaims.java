package org.pophealth.ingest.claims;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
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
 * flat files (CSV parsed in one task per chunk of a file, Parquet through Spark) or from rows already in bronze.
 * {@link #files} caches the validated rows; the caller unpersists {@link #cached()}.
 */
public final class ValidateClaims {
  private final SparkSession spark;
  private final String source;
  private final ValidationRules rules;
  private long chunkBytes = 32L * 1024 * 1024;
  private final List<Dataset<Row>> cached = new ArrayList<>();
  /** Files up to this size are read whole (a boundary scan costs more than it saves). */
  private static final long MIN_SPLIT = 4L * 1024 * 1024;

  public ValidateClaims(SparkSession spark, String source, ValidationRules rules) {
    this.spark = spark;
    this.source = source;
    this.rules = rules;
  }

  /** The datasets {@link #files} cached (the caller unpersists them when done). */
  public List<Dataset<Row>> cached() {
    return cached;
  }

  /** CSV files larger than this are read in parallel chunks (config {@code ingest.chunk_bytes}). */
  public ValidateClaims chunkBytes(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("chunk bytes must be positive: " + bytes);
    }
    this.chunkBytes = bytes;
    return this;
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
        List<CsvChunk> chunks = chunks(csv, charset);
        parts.add(jsc.parallelize(chunks, chunks.size()).mapPartitions(it -> {
          List<Iterator<Row>> iters = new ArrayList<>();
          while (it.hasNext()) {
            iters.add(validated(it.next().records(conf, charsetName, runId), v));
          }
          return concat(iters);
        }));
      }
      for (ReadClaimFiles.FlatFile f : parquet) {
        parts.add(parquetRecords(f, runId).map(v::validate));
      }
      JavaRDD<Row> all = parts.size() == 1 ? parts.get(0) : jsc.union(parts.toArray(new JavaRDD[0]));
      // parsed and validated once (cached); the delivery's data-quality tests across rows (repeated lines, header
      // fields that differ between lines) mark the failing rows of the cached ones
      Dataset<Row> validated = spark.createDataFrame(all, ValidatedRows.schema(t)).persist(StorageLevel.MEMORY_AND_DISK());
      cached.add(validated);
      out.put(t, rules.quality().deliveryTests(t, validated));
    }
    return out;
  }

  /**
   * One part of a CSV file read by one task: bytes {@code start} (a record boundary) to {@code end} (the next
   * one, or Long.MAX_VALUE), records numbered from {@code firstLine}.
   */
  record CsvChunk(ReadClaimFiles.FlatFile file, long start, long end, long firstLine) implements Serializable {
    CsvRecords records(SerializableHadoopConf conf, String charsetName, String runId) throws IOException {
      Path p = new Path(file.path());
      FileSystem fs = p.getFileSystem(conf.get());
      Charset cs = Charset.forName(charsetName);
      if (start == 0) {
        return chunkOf(new DecodedLines(fs.open(p), cs), null, runId);
      }
      FSDataInputStream data = fs.open(p);
      data.seek(start);
      return chunkOf(new DecodedLines(fs.open(p), cs), new DecodedLines(data, cs), runId);
    }

    private CsvRecords chunkOf(DecodedLines header, DecodedLines data, String runId) {
      long limit = end == Long.MAX_VALUE ? end : end - start;
      return data == null ? CsvRecords.chunk(header, header, file.table(), file.relative(), runId, 1, limit)
          : CsvRecords.chunk(header, data, file.table(), file.relative(), runId, firstLine, limit);
    }
  }

  /**
   * CSV files in chunks: a file larger than 4 MB (or {@code chunkBytes} when smaller) is scanned once for
   * record boundaries ({@link CsvRecords#boundaries}) and cut into a multiple of the cores' count of chunks of at
   * most {@code chunkBytes}, so every core parses and validates a part of it, with exact record numbers;
   * biggest parts first.
   */
  List<CsvChunk> chunks(List<ReadClaimFiles.FlatFile> csv, Charset charset) {
    List<CsvChunk> out = new ArrayList<>();
    int cores = Math.max(1, spark.sparkContext().defaultParallelism());
    for (ReadClaimFiles.FlatFile f : csv) {
      long floor = Math.min(chunkBytes, MIN_SPLIT);
      if (f.size() <= floor) {
        out.add(new CsvChunk(f, 0, Long.MAX_VALUE, 1));
        continue;
      }
      // a multiple of the cores, none above chunkBytes: 43 MB on 2 cores is 2 chunks of 21.5 MB, not 32 + 11
      long rounds = (f.size() + chunkBytes * cores - 1) / (chunkBytes * cores);
      long target = Math.max(floor, (f.size() + rounds * cores - 1) / (rounds * cores));
      Path p = new Path(f.path());
      List<long[]> cuts;
      try {
        cuts = CsvRecords.boundaries(new DecodedLines(p.getFileSystem(spark.sparkContext().hadoopConfiguration())
            .open(p), charset), target);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      long start = 0;
      long first = 1;
      for (long[] cut : cuts) {
        out.add(new CsvChunk(f, start, cut[0], first));
        start = cut[0];
        first = cut[1];
      }
      out.add(new CsvChunk(f, start, Long.MAX_VALUE, first));
    }
    out.sort(java.util.Comparator.comparingLong((CsvChunk c) -> -(Math.min(c.end(), c.file().size()) - c.start())));
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
