package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The precision and recall the fitted model expects at a set of match-probability thresholds, without
 * labels: each compared pair's match probability p is the model's chance that it is a true match, so
 * among the pairs at or above a threshold t
 *
 * <ul>
 *   <li>estimated precision = Σ p over pairs with p ≥ t / number of pairs with p ≥ t, and
 *   <li>estimated recall = Σ p over pairs with p ≥ t / Σ p over all compared pairs.
 * </ul>
 *
 * Recall is relative to the compared (blocked) pairs: true matches no blocking rule brings together are
 * not counted. The estimates are as good as the model's calibration (a model that is too sure of itself
 * reports too high a precision).
 */
public final class ThresholdCurve {
  /** The thresholds {@code link} reports. */
  public static final double[] DEFAULT_THRESHOLDS = {0.5, 0.8, 0.9, 0.95, 0.99, 0.999};

  private ThresholdCurve() {}

  /**
   * One threshold's estimates.
   *
   * @param pairs compared pairs with match probability ≥ threshold
   * @param expectedMatches Σ match probability over those pairs
   * @param precision expectedMatches / pairs (1 when no pair reaches the threshold)
   * @param recall expectedMatches / Σ match probability over all compared pairs (0 when that sum is 0)
   */
  public record Point(double threshold, long pairs, double expectedMatches, double precision, double recall) {}

  /** The curve over {@code pairs} (a column {@code match_probability}), in one aggregation. */
  public static List<Point> of(Dataset<Row> pairs, double... thresholds) {
    Column p = col("match_probability");
    List<Column> aggs = new ArrayList<>();
    aggs.add(sum(p));
    for (double t : thresholds) {
      aggs.add(sum(when(p.geq(lit(t)), lit(1L)).otherwise(lit(0L))));
      aggs.add(sum(when(p.geq(lit(t)), p).otherwise(lit(0.0))));
    }
    Row r = pairs.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).head();
    double total = r.isNullAt(0) ? 0 : r.getDouble(0);
    long[] counts = new long[thresholds.length];
    double[] sums = new double[thresholds.length];
    for (int i = 0; i < thresholds.length; i++) {
      counts[i] = r.isNullAt(1 + 2 * i) ? 0 : r.getLong(1 + 2 * i);
      sums[i] = r.isNullAt(2 + 2 * i) ? 0 : r.getDouble(2 + 2 * i);
    }
    return points(thresholds, counts, sums, total);
  }

  /** The curve over match probabilities held in memory (the same definitions as {@link #of(Dataset, double...)}). */
  public static List<Point> of(double[] probabilities, double... thresholds) {
    long[] counts = new long[thresholds.length];
    double[] sums = new double[thresholds.length];
    double total = 0;
    for (double p : probabilities) {
      total += p;
      for (int i = 0; i < thresholds.length; i++) {
        if (p >= thresholds[i]) {
          counts[i]++;
          sums[i] += p;
        }
      }
    }
    return points(thresholds, counts, sums, total);
  }

  private static List<Point> points(double[] thresholds, long[] counts, double[] sums, double total) {
    List<Point> out = new ArrayList<>();
    for (int i = 0; i < thresholds.length; i++) {
      double precision = counts[i] == 0 ? 1.0 : sums[i] / counts[i];
      double recall = total <= 0 ? 0.0 : sums[i] / total;
      out.add(new Point(thresholds[i], counts[i], sums[i], precision, recall));
    }
    return out;
  }

  /**
   * The lowest threshold, from {@code configured} up through the curve's thresholds above it, whose
   * estimated precision is at least {@code minPrecision}; {@code configured} when it already is (or when
   * no point of the curve reaches it, the highest threshold of the curve).
   */
  public static double thresholdFor(List<Point> curve, double configured, double minPrecision) {
    Point at = null;
    double chosen = configured;
    for (Point p : curve) {
      if (p.threshold() == configured) {
        at = p;
      }
    }
    if (at != null && at.precision() >= minPrecision) {
      return configured;
    }
    for (Point p : curve) {
      if (p.threshold() > configured) {
        chosen = p.threshold();
        if (p.precision() >= minPrecision) {
          return chosen;
        }
      }
    }
    return chosen;
  }

  /** CSV text: threshold, pairs, expected_matches, estimated_precision, estimated_recall. */
  public static String csv(List<Point> curve) {
    StringBuilder b = new StringBuilder("threshold,pairs,expected_matches,estimated_precision,estimated_recall\n");
    for (Point p : curve) {
      b.append(p.threshold()).append(',').append(p.pairs()).append(',')
          .append(String.format(java.util.Locale.ROOT, "%.2f,%.6f,%.6f", p.expectedMatches(), p.precision(),
              p.recall()))
          .append('\n');
    }
    return b.toString();
  }
}
