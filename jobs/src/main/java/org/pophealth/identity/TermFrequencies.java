package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The term frequencies a model weighs exact agreements with: per term-frequency field, how many records hold each
 * normalised value, over how many records were counted. {@code tf_<field>} of a record is its value's count over
 * that total.
 *
 * <p>A trained run counts its own records and stores the result with its model (ops.identity_term_frequency);
 * every later run with that model, incremental or {@code --full}, weighs with the stored counts, so both give a
 * pair the same weight whatever records came and went since. Only values held by two or more records are kept: a
 * value held by one, or unseen when the model was trained, counts as one (a rare value).
 *
 * @param counts (field, value, records) with records ≥ 2
 * @param total the records counted (the frequencies' denominator)
 */
public record TermFrequencies(Dataset<Row> counts, long total) {

  /** Counts the term-frequency fields' values of normalised records (one aggregation over all fields). */
  static TermFrequencies of(Dataset<Row> normalised, List<PersonField> fields, Set<PersonField> tfFields,
      long total) {
    List<Column> pairs = new ArrayList<>();
    for (PersonField f : fields) {
      if (tfFields.contains(f)) {
        pairs.add(functions.struct(lit(f.column()).as("field"), col(f.column()).as("value")));
      }
    }
    if (pairs.isEmpty()) {
      return new TermFrequencies(normalised.sparkSession().emptyDataFrame()
          .select(lit(null).cast("string").as("field"), lit(null).cast("string").as("value"),
              lit(null).cast("long").as("records")), total);
    }
    Dataset<Row> counts = normalised.select(functions.explode(functions.array(pairs.toArray(new Column[0]))).as("fv"))
        .select("fv.field", "fv.value").filter(col("value").isNotNull())
        .groupBy("field", "value").agg(functions.count(lit(1)).as("records"))
        .filter(col("records").geq(2));
    return new TermFrequencies(counts, total);
  }

  /** The counts computed once (the records they came from may be unpersisted after). */
  TermFrequencies localCheckpoint() {
    return new TermFrequencies(counts.localCheckpoint(), total);
  }

  /** Adds tf_&lt;field&gt; (null where the value is null) for each term-frequency field of the records. */
  Dataset<Row> apply(Dataset<Row> records, List<PersonField> fields, Set<PersonField> tfFields) {
    Dataset<Row> out = records;
    double denominator = Math.max(total, 1);
    for (PersonField f : fields) {
      if (!tfFields.contains(f)) {
        continue;
      }
      String c = f.column();
      Dataset<Row> t = counts.filter(col("field").equalTo(lit(c)))
          .select(col("value").as("tf_value"), col("records").as("tf_records"));
      out = out.join(functions.broadcast(t), out.col(c).equalTo(t.col("tf_value")), "left")
          .withColumn("tf_" + c, functions.when(col(c).isNull(), lit(null).cast("double"))
              .otherwise(functions.coalesce(col("tf_records"), lit(1L)).divide(lit(denominator))))
          .drop("tf_value", "tf_records");
    }
    return out;
  }
}
