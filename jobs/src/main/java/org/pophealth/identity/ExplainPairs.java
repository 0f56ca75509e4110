package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.Seq;

/**
 * The rows of gold.identity_pair: each scored pair with its explanation. Per pair, the model's prior weight
 * and every field's exact (unrounded) weight, so {@code prior_weight + Σ field_weights = match_weight} up to
 * floating-point error; the comparison level each field reached; both records' values masked
 * ({@link MaskValue}: raw values never reach the pair rows); and the narrative ({@link ExplainPair}).
 */
public final class ExplainPairs {
  private static final DataType STRINGS = DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType);
  private static final StructType EXPLAINED = new StructType()
      .add("field_weights", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType))
      .add("levels", STRINGS)
      .add("explanation", DataTypes.StringType);

  private ExplainPairs() {}

  /**
   * @param pairs scored pairs as {@link LinkRecords} returns them (source_l, record_id_l, source_r, record_id_r,
   *     status, reason, match_probability, match_weight, pattern, tf, rule)
   * @param model the model that scored them
   * @param records the raw records (source, record_id and the person field columns)
   */
  public static Dataset<Row> rows(Dataset<Row> pairs, MatchModel model, Dataset<Row> records, String runId) {
    List<PersonField> fields = model.fields();
    Dataset<Row> masked = maskedValues(records, fields);
    UserDefinedFunction explain = functions.udf((UDF2<Long, Seq<Double>, Row>) (pattern, tf) ->
        explain(model, GeneratePairs.unpack(pattern, fields.size()), ScorePairs.tfArray(tf, fields.size())), EXPLAINED);
    return pairs
        .join(masked.toDF("source_l", "record_id_l", "values_a"), new String[] {"source_l", "record_id_l"}, "left")
        .join(masked.toDF("source_r", "record_id_r", "values_b"), new String[] {"source_r", "record_id_r"}, "left")
        .withColumn("explained", explain.apply(col("pattern"), col("tf")))
        .select(col("source_l").as("source_a"), col("record_id_l").as("record_id_a"), col("source_r").as("source_b"),
            col("record_id_r").as("record_id_b"), col("status"), col("reason"), col("match_probability"),
            col("match_weight"), lit(model.priorWeight()).as("prior_weight"), col("explained.field_weights"),
            col("explained.levels"), col("values_a"), col("values_b"), col("explained.explanation"),
            col("rule").as("blocking_rule"), lit(runId).as("resolve_run_id"));
  }

  /** One pair's exact field weights, level labels and narrative (the {@code explained} struct). */
  static Row explain(MatchModel model, int[] levels, double[] tf) {
    List<PersonField> fields = model.fields();
    double[] w = model.fieldWeights(levels, tf);
    Map<String, Double> weights = new LinkedHashMap<>();
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < fields.size(); i++) {
      weights.put(fields.get(i).column(), w[i]);
      labels.put(fields.get(i).column(), ExplainPair.level(fields.get(i), levels[i]));
    }
    return RowFactory.create(weights, labels, ExplainPair.narrative(fields, levels, w));
  }

  /** (source, record_id, values): each record's values of the model's fields, masked. */
  static Dataset<Row> maskedValues(Dataset<Row> records, List<PersonField> fields) {
    UserDefinedFunction mask = functions.udf((UDF2<String, String, String>) MaskValue::mask, DataTypes.StringType);
    List<String> have = List.of(records.columns());
    List<Column> entries = new ArrayList<>();
    for (PersonField f : fields) {
      entries.add(lit(f.column()));
      entries.add(have.contains(f.column())
          ? mask.apply(lit(f.column()), col(f.column()).cast("string")) : lit(null).cast("string"));
    }
    return records.select(col("source"), col("record_id"), functions.map(entries.toArray(new Column[0])).as("values"));
  }
}
