package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Turns raw person records ({@code source}, {@code record_id} and any of the {@link PersonField}
 * columns, as strings) into the linkage layout: {@code uid} (xxhash64 of source and record id), the
 * normalised fields, the term frequency of each term-frequency field's value ({@code tf_<field>}) and
 * one blocking key per rule ({@code key_<i>}, null when any of its expressions is null).
 */
public final class PrepareRecords {
  private final LinkageSettings settings;
  private final Map<PersonField, String> dateFormats;

  public PrepareRecords(LinkageSettings settings, Map<PersonField, String> dateFormats) {
    this.settings = settings;
    this.dateFormats = dateFormats == null ? new EnumMap<>(PersonField.class) : dateFormats;
  }

  private TermFrequencies frozen;

  /**
   * Weighs with these term frequencies (a stored model's) instead of counting the records' own values; null
   * counts them.
   */
  public PrepareRecords termFrequencies(TermFrequencies tf) {
    this.frozen = tf;
    return this;
  }

  /** @param termFrequencies the frequencies tf_&lt;field&gt; came from: the records' own, or the frozen ones */
  public record Result(Dataset<Row> records, List<PersonField> fields, long count, TermFrequencies termFrequencies) {}

  public Result execute(Dataset<Row> raw) {
    List<PersonField> fields = new ArrayList<>();
    List<String> have = List.of(raw.columns());
    for (PersonField f : PersonField.values()) {
      if (have.contains(f.column())) {
        fields.add(f);
      }
    }
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("no person fields to compare (map at least one of "
          + java.util.Arrays.stream(PersonField.values()).map(PersonField::column).toList() + ")");
    }
    List<Column> select = new ArrayList<>();
    select.add(col("source").cast("string"));
    select.add(col("record_id").cast("string"));
    for (PersonField f : fields) {
      select.add(col(f.column()).cast("string").as(f.column()));
    }
    StructType schema = new StructType().add("uid", DataTypes.LongType, false)
        .add("source", DataTypes.StringType).add("record_id", DataTypes.StringType);
    for (PersonField f : fields) {
      schema = schema.add(f.column(), DataTypes.StringType);
    }
    PersonField[] fs = fields.toArray(new PersonField[0]);
    String[] formats = new String[fs.length];
    for (int i = 0; i < fs.length; i++) {
      formats[i] = dateFormats.get(fs[i]);
    }
    Dataset<Row> normalised = raw.select(select.toArray(new Column[0]))
        .map((MapFunction<Row, Row>) r -> {
          Object[] out = new Object[fs.length + 3];
          String source = r.getString(0);
          String id = r.getString(1);
          out[0] = uid(source, id);
          out[1] = source;
          out[2] = id;
          for (int i = 0; i < fs.length; i++) {
            out[i + 3] = NormalizeValue.normalize(fs[i], r.getString(i + 2), formats[i]);
          }
          return RowFactory.create(out);
        }, Encoders.row(schema));
    normalised = normalised.persist(StorageLevel.MEMORY_AND_DISK());
    long n = normalised.count();
    TermFrequencies tf = frozen != null ? frozen
        : TermFrequencies.of(normalised, fields, settings.termFrequencyFields(), n).localCheckpoint();
    Dataset<Row> out = tf.apply(normalised, fields, settings.termFrequencyFields());
    for (int i = 0; i < settings.blockingRules().size(); i++) {
      out = out.withColumn("key_" + i, blockingKey(settings.blockingRules().get(i)));
    }
    out = out.localCheckpoint();
    normalised.unpersist();
    return new Result(out, List.copyOf(fields), n, tf);
  }

  /** Same hash as Spark's xxhash64(source, record_id), so SQL can compute it too. */
  static long uid(String source, String id) {
    return org.apache.spark.sql.catalyst.expressions.XXH64.hashUnsafeBytes(
        bytes(source + "\u0000" + id), org.apache.spark.unsafe.Platform.BYTE_ARRAY_OFFSET,
        bytes(source + "\u0000" + id).length, 42L);
  }

  /** {@link #uid(String, String)} as a Spark column. */
  static Column uid(Column source, Column recordId) {
    return functions.xxhash64(functions.concat(source, lit("\u0000"), recordId));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The key of one rule: its expressions joined with '|', null when any is null or empty. */
  static Column blockingKey(List<String> exprs) {
    Column[] parts = exprs.stream().map(functions::expr).map(e -> e.cast("string")).toArray(Column[]::new);
    Column anyNull = lit(false);
    for (Column p : parts) {
      anyNull = anyNull.or(p.isNull()).or(p.equalTo(lit("")));
    }
    return functions.when(anyNull, lit(null).cast("string")).otherwise(functions.concat_ws("|", parts));
  }

  /** Which person fields a rule's expressions mention. */
  static boolean[] fieldsUsed(List<String> exprs, List<PersonField> fields) {
    boolean[] used = new boolean[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      java.util.regex.Pattern p = java.util.regex.Pattern.compile("\\b" + fields.get(i).column() + "\\b");
      for (String e : exprs) {
        if (p.matcher(e).find()) {
          used[i] = true;
        }
      }
    }
    return used;
  }

  static StructField[] none() {
    return new StructField[0];
  }
}
