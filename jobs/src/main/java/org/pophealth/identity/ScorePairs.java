package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import scala.collection.Seq;

/** Adds the match weight, probability and per-field weights (Bayes factors in bits) to compared pairs. */
public final class ScorePairs {
  private final MatchModel model;

  public ScorePairs(MatchModel model) {
    this.model = model;
  }

  /** Adds {@code match_weight} and {@code match_probability}. */
  public Dataset<Row> weigh(Dataset<Row> pairs) {
    MatchModel m = model;
    int n = m.fields().size();
    UserDefinedFunction weight = functions.udf((UDF2<Long, Seq<Double>, Double>) (pattern, tf) -> {
      double[] w = m.fieldWeights(GeneratePairs.unpack(pattern, n), tfArray(tf, n));
      double s = m.priorWeight();
      for (double x : w) {
        s += x;
      }
      return s;
    }, DataTypes.DoubleType);
    Dataset<Row> w = pairs.withColumn("match_weight", weight.apply(col("pattern"), col("tf")));
    UserDefinedFunction prob = functions.udf(
        (org.apache.spark.sql.api.java.UDF1<Double, Double>) MatchModel::probability, DataTypes.DoubleType);
    return w.withColumn("match_probability", prob.apply(col("match_weight")));
  }

  /** Adds one column {@code w_<field>} per field: that field's contribution to the match weight. */
  public Dataset<Row> explain(Dataset<Row> pairs) {
    MatchModel m = model;
    int n = m.fields().size();
    UserDefinedFunction fieldWeights = functions.udf((UDF2<Long, Seq<Double>, Seq<Object>>) (pattern, tf) -> {
      double[] w = m.fieldWeights(GeneratePairs.unpack(pattern, n), tfArray(tf, n));
      List<Object> out = new ArrayList<>();
      for (double x : w) {
        out.add(Math.round(x * 1000) / 1000.0);
      }
      return scala.collection.JavaConverters.asScalaBuffer(out).toSeq();
    }, DataTypes.createArrayType(DataTypes.DoubleType));
    Dataset<Row> out = pairs.withColumn("field_weights", fieldWeights.apply(col("pattern"), col("tf")));
    List<Column> cols = new ArrayList<>();
    for (String c : out.columns()) {
      cols.add(col(c));
    }
    for (int i = 0; i < n; i++) {
      cols.add(col("field_weights").getItem(i).as("w_" + m.fields().get(i).column()));
    }
    return out.select(cols.toArray(new Column[0])).drop("field_weights");
  }

  static double[] tfArray(Seq<Double> tf, int n) {
    double[] out = new double[n];
    if (tf == null) {
      return out;
    }
    for (int i = 0; i < n && i < tf.size(); i++) {
      Object v = tf.apply(i);
      out[i] = v == null ? 0 : (Double) v;
    }
    return out;
  }
}
