package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * {@code bin/pophealth link}: links analysts' CSV files (header row, values trimmed). Each file is a
 * source named after the file (without extension). Writes {@code clusters.csv}
 * (source, record_id, cluster_id), {@code pairs.csv} (both records, match probability and weight,
 * status and one {@code w_<field>} column per compared field) and {@code threshold_curve.csv} (the
 * fitted model's estimated precision and recall per match-probability threshold, {@link ThresholdCurve}).
 */
public final class LinkFiles {
  private final SparkSession spark;
  private final LinkageSettings settings;
  private final List<Path> inputs;
  private final String idColumn;
  private final String mapping;
  private final Path out;

  public LinkFiles(SparkSession spark, LinkageSettings settings, List<Path> inputs, String idColumn, String mapping,
      Path out) {
    this.spark = spark;
    this.settings = settings;
    this.inputs = inputs;
    this.idColumn = idColumn.trim();
    this.mapping = mapping;
    this.out = out;
  }

  public record Result(long records, long clusters, long comparisons, long matchedPairs, long reviewPairs,
      List<LinkRecords.RuleReport> rules, MatchModel model, Path clustersFile, Path pairsFile,
      List<ThresholdCurve.Point> curve, Path curveFile, double matchThreshold) {}

  /** A parsed {@code FIELD=COL[+COL...][:FORMAT]} entry. */
  public record Mapping(PersonField field, List<String> columns, String format) {}

  public static List<Mapping> parseMapping(String spec) {
    List<Mapping> out = new ArrayList<>();
    Set<PersonField> seen = new HashSet<>();
    for (String part : spec.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0 || eq == part.length() - 1) {
        throw new IllegalArgumentException("--map entry '" + part.trim() + "' is not FIELD=COLUMN");
      }
      PersonField f = PersonField.of(part.substring(0, eq));
      String rhs = part.substring(eq + 1).trim();
      String format = null;
      int colon = rhs.indexOf(':');
      if (colon >= 0) {
        format = rhs.substring(colon + 1).trim();
        rhs = rhs.substring(0, colon).trim();
        if (f != PersonField.BIRTH_DATE) {
          throw new IllegalArgumentException("--map: only birth_date takes a format (" + part.trim() + ")");
        }
      }
      if (!seen.add(f)) {
        throw new IllegalArgumentException("--map: field " + f.column() + " mapped twice");
      }
      List<String> cols = new ArrayList<>();
      for (String c : rhs.split("\\+")) {
        cols.add(c.trim());
      }
      out.add(new Mapping(f, cols, format));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--map: no fields mapped");
    }
    return out;
  }

  public Result execute() throws IOException {
    List<Mapping> maps = parseMapping(mapping);
    Map<PersonField, String> formats = new EnumMap<>(PersonField.class);
    for (Mapping m : maps) {
      if (m.format() != null) {
        formats.put(m.field(), m.format());
      }
    }
    Map<String, Path> sources = new LinkedHashMap<>();
    Dataset<Row> all = null;
    for (Path in : inputs) {
      if (!Files.isRegularFile(in)) {
        throw new IllegalArgumentException("input file not found: " + in);
      }
      String name = in.getFileName().toString();
      String source = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
      if (sources.put(source, in) != null) {
        throw new IllegalArgumentException("two inputs named " + source + ": rename one");
      }
      Dataset<Row> df = spark.read().option("header", true).option("inferSchema", false)
          .csv(in.toAbsolutePath().toString());
      for (String c : df.columns()) {
        df = df.withColumnRenamed(c, c.strip());
      }
      List<String> have = List.of(df.columns());
      List<Column> select = new ArrayList<>();
      select.add(lit(source).as("source"));
      select.add(column(have, idColumn, in).as("record_id"));
      for (Mapping m : maps) {
        List<Column> parts = new ArrayList<>();
        for (String c : m.columns()) {
          parts.add(functions.trim(column(have, c, in)));
        }
        Column v = parts.size() == 1 ? parts.get(0) : functions.concat_ws(" ", parts.toArray(new Column[0]));
        select.add(v.as(m.field().column()));
      }
      Dataset<Row> s = df.select(select.toArray(new Column[0])).withColumn("record_id", functions.trim(col("record_id")));
      all = all == null ? s : all.unionByName(s);
    }
    Dataset<Row> blankIds = all.filter(col("record_id").isNull().or(col("record_id").equalTo("")));
    if (!blankIds.isEmpty()) {
      throw new IllegalArgumentException("records without " + idColumn + ": " + blankIds.count());
    }
    long dupIds = all.groupBy("source", "record_id").count().filter("count > 1").count();
    if (dupIds > 0) {
      throw new IllegalArgumentException(dupIds + " values of " + idColumn + " occur more than once in one file");
    }
    LinkRecords.Result r = new LinkRecords(spark, settings, formats).execute(all, null);
    Files.createDirectories(out);
    Path clustersFile = out.resolve("clusters.csv");
    try (BufferedWriter w = Files.newBufferedWriter(clustersFile, StandardCharsets.UTF_8)) {
      w.write("source,record_id,cluster_id\n");
      for (Row row : r.records().orderBy("source", "record_id").collectAsList()) {
        w.write(csv(row.getString(row.fieldIndex("source"))) + "," + csv(row.getString(row.fieldIndex("record_id")))
            + "," + clusterId(row.getLong(row.fieldIndex("cluster_uid"))) + "\n");
      }
    }
    Path pairsFile = out.resolve("pairs.csv");
    List<String> weightCols = new ArrayList<>();
    for (PersonField f : r.fields()) {
      weightCols.add("w_" + f.column());
    }
    long matched = 0;
    long review = 0;
    try (BufferedWriter w = Files.newBufferedWriter(pairsFile, StandardCharsets.UTF_8)) {
      w.write("source_a,record_id_a,source_b,record_id_b,match_probability,match_weight,status,reason,"
          + String.join(",", weightCols) + "\n");
      Dataset<Row> pairs = r.pairs().orderBy(col("match_weight").desc(), col("source_l"), col("record_id_l"),
          col("source_r"), col("record_id_r"));
      for (Row p : pairs.collectAsList()) {
        String status = p.getString(p.fieldIndex("status"));
        if (status.equals("match")) {
          matched++;
        } else {
          review++;
        }
        StringBuilder b = new StringBuilder();
        b.append(csv(p.getString(p.fieldIndex("source_l")))).append(',')
            .append(csv(p.getString(p.fieldIndex("record_id_l")))).append(',')
            .append(csv(p.getString(p.fieldIndex("source_r")))).append(',')
            .append(csv(p.getString(p.fieldIndex("record_id_r")))).append(',')
            .append(String.format("%.6f", p.getDouble(p.fieldIndex("match_probability")))).append(',')
            .append(String.format("%.3f", p.getDouble(p.fieldIndex("match_weight")))).append(',')
            .append(status).append(',')
            .append(p.isNullAt(p.fieldIndex("reason")) ? "" : csv(p.getString(p.fieldIndex("reason"))));
        for (String c : weightCols) {
          b.append(',').append(p.getDouble(p.fieldIndex(c)));
        }
        w.write(b.append('\n').toString());
      }
    }
    Path curveFile = out.resolve("threshold_curve.csv");
    Files.writeString(curveFile, ThresholdCurve.csv(r.curve()), StandardCharsets.UTF_8);
    return new Result(r.recordCount(), r.clusters(), r.comparisons(), matched, review, r.rules(), r.model(),
        clustersFile, pairsFile, r.curve(), curveFile, r.matchThreshold());
  }

  /** Cluster ids in files: 16 hex digits of the cluster's smallest record uid (stable for the same input). */
  static String clusterId(long uid) {
    return String.format("c%016x", uid);
  }

  private static Column column(List<String> have, String name, Path file) {
    if (!have.contains(name)) {
      throw new IllegalArgumentException("column '" + name + "' not in " + file.getFileName() + " (columns: " + have + ")");
    }
    return col("`" + name + "`");
  }

  static String csv(String v) {
    if (v == null) {
      return "";
    }
    if (v.contains(",") || v.contains("\"") || v.contains("\n")) {
      return "\"" + v.replace("\"", "\"\"") + "\"";
    }
    return v;
  }
}
