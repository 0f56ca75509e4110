package org.pophealth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.pophealth.testing.SharedSpark;

/**
 * Estimated precision and recall from match probabilities, on six pairs worked out by hand:
 * p = 0.99, 0.9, 0.8, 0.5, 0.3, 0.01, Σ p = 3.5.
 * <ul>
 *   <li>t = 0.5: 4 pairs, Σ p = 3.19, precision 3.19 / 4 = 0.7975, recall 3.19 / 3.5 = 0.911428…
 *   <li>t = 0.9: 2 pairs, Σ p = 1.89, precision 0.945, recall 0.54
 *   <li>t = 0.95: 1 pair, Σ p = 0.99, precision 0.99, recall 0.282857…
 * </ul>
 */
class ThresholdCurveTest {
  private static final double[] P = {0.99, 0.9, 0.8, 0.5, 0.3, 0.01};
  private static final double[] T = {0.5, 0.9, 0.95};

  static void assertCurve(List<ThresholdCurve.Point> c) {
    assertEquals(3, c.size());
    assertPoint(c.get(0), 0.5, 4, 3.19, 0.7975, 3.19 / 3.5);
    assertPoint(c.get(1), 0.9, 2, 1.89, 0.945, 0.54);
    assertPoint(c.get(2), 0.95, 1, 0.99, 0.99, 0.99 / 3.5);
  }

  private static void assertPoint(ThresholdCurve.Point p, double t, long pairs, double sum, double precision,
      double recall) {
    assertEquals(t, p.threshold());
    assertEquals(pairs, p.pairs());
    assertEquals(sum, p.expectedMatches(), 1e-9);
    assertEquals(precision, p.precision(), 1e-9);
    assertEquals(recall, p.recall(), 1e-9);
  }

  @Test
  void fromProbabilitiesInMemory() {
    assertCurve(ThresholdCurve.of(P, T));
  }

  @Test
  void fromADatasetOfScoredPairs() {
    List<Row> rows = new ArrayList<>();
    for (double p : P) {
      rows.add(RowFactory.create(p));
    }
    Dataset<Row> pairs = SharedSpark.spark().createDataFrame(rows,
        new StructType().add("match_probability", DataTypes.DoubleType));
    assertCurve(ThresholdCurve.of(pairs, T));
  }

  @Test
  void thresholdIsRaisedUntilTheEstimatedPrecisionIsReached() {
    List<ThresholdCurve.Point> c = ThresholdCurve.of(P, T);
    assertEquals(0.5, ThresholdCurve.thresholdFor(c, 0.5, 0.75));
    assertEquals(0.9, ThresholdCurve.thresholdFor(c, 0.5, 0.9));
    assertEquals(0.95, ThresholdCurve.thresholdFor(c, 0.5, 0.98));
    // none reaches it: the highest threshold of the curve
    assertEquals(0.95, ThresholdCurve.thresholdFor(c, 0.5, 0.999));
    // never lowered
    assertEquals(0.9, ThresholdCurve.thresholdFor(c, 0.9, 0.5));
  }

  @Test
  void noPairsAndCsv() {
    List<ThresholdCurve.Point> c = ThresholdCurve.of(new double[0], 0.9);
    assertPoint(c.get(0), 0.9, 0, 0, 1.0, 0.0);
    assertEquals("threshold,pairs,expected_matches,estimated_precision,estimated_recall\n"
        + "0.9,2,1.89,0.945000,0.540000\n", ThresholdCurve.csv(List.of(ThresholdCurve.of(P, 0.9).get(0))));
  }
}
