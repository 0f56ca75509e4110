package org.pophealth.dashboard;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * Where a measure's rate stands among CMS's national benchmark deciles: pure arithmetic, no Spark. The
 * deciles are the eleven published percentiles p1, p10, p20 … p90, p99 of the performance rates of reporting
 * clinicians, in percent and ascending. Comparisons with them are exact (numerator × 100 against percentile ×
 * denominator, in decimals), so a rate exactly on a threshold has reached it.
 *
 * <p>Decile 1..10, 10 the best: for a measure where higher is better, decile 1 is below p10, decile k
 * (2..9) from p(10(k−1)) up to below p(10k), decile 10 p90 or above. For an inverse measure (lower is better)
 * the deciles read the other way: decile 10 is p10 or below, decile 1 above p90. The next threshold is the
 * one that moves the rate into the next decile, and within decile 10 the top one (p99; for an inverse
 * measure p1); at or beyond that there is none. To reach it: the smallest N with (num + N) / den ≥ threshold
 * (N more persons in the numerator), or for an inverse measure (num − N) / den ≤ threshold (N fewer).
 */
final class BenchmarkPosition {
  /** The eleven percentiles' names, in the order of the values. */
  static final List<String> LABELS = List.of("p1", "p10", "p20", "p30", "p40", "p50", "p60", "p70", "p80", "p90", "p99");
  /** The normal quantile of a two-sided 95% interval. */
  static final double Z = 1.96;
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private BenchmarkPosition() {}

  /**
   * Where the rate stands. {@code next} is the label of the next threshold (null at or beyond the top one),
   * {@code threshold} its value in percent, {@code persons} how many more (fewer, inverse) persons in the
   * numerator reach it.
   */
  record Position(int decile, String band, String next, Double threshold, Long persons, boolean inverse) {
    /** "2 more persons in the numerator to reach p80 (decile 9)", or what is said at the top. */
    String toReach() {
      if (next == null) {
        return inverse ? "at or below p1: the best 1%" : "at or above p99: the best 1%";
      }
      String what = decile < 10 ? "decile " + (decile + 1) : "the best 1%";
      return persons + (inverse ? " fewer" : " more") + (persons == 1 ? " person" : " persons")
          + " in the numerator to reach " + next + " (" + what + ")";
    }
  }

  /** The position of {@code numerator / denominator} (denominator at least 1) among {@code percentiles}. */
  static Position of(long numerator, long denominator, double[] percentiles, boolean inverse) {
    if (denominator < 1 || numerator < 0 || numerator > denominator) {
      throw new IllegalArgumentException("a rate needs 0 <= numerator <= denominator, denominator >= 1: "
          + numerator + "/" + denominator);
    }
    if (percentiles.length != LABELS.size()) {
      throw new IllegalArgumentException("expected " + LABELS.size() + " percentiles " + LABELS);
    }
    int decile = 1;
    for (int k = 1; k <= 9; k++) {
      int c = compare(numerator, denominator, percentiles[k]);
      if (inverse ? c <= 0 : c >= 0) {
        decile++;
      }
    }
    int next;
    if (decile < 10) {
      next = inverse ? 10 - decile : decile;
    } else {
      int top = inverse ? 0 : 10;
      int c = compare(numerator, denominator, percentiles[top]);
      next = (inverse ? c > 0 : c < 0) ? top : -1;
    }
    if (next < 0) {
      return new Position(decile, band(decile, inverse), null, null, null, inverse);
    }
    BigDecimal needed = BigDecimal.valueOf(percentiles[next]).multiply(BigDecimal.valueOf(denominator)).divide(HUNDRED);
    long persons = inverse ? numerator - needed.setScale(0, RoundingMode.FLOOR).longValueExact()
        : needed.setScale(0, RoundingMode.CEILING).longValueExact() - numerator;
    return new Position(decile, band(decile, inverse), LABELS.get(next), percentiles[next], persons, inverse);
  }

  /** The sign of numerator / denominator − percentile / 100, exactly. */
  private static int compare(long numerator, long denominator, double percentile) {
    return BigDecimal.valueOf(numerator).multiply(HUNDRED)
        .compareTo(BigDecimal.valueOf(percentile).multiply(BigDecimal.valueOf(denominator)));
  }

  /** The decile's range of percentiles, e.g. "p70–p80", "below p10", "p90 or above". */
  static String band(int decile, boolean inverse) {
    if (inverse) {
      return decile == 10 ? "p10 or below" : decile == 1 ? "above p90"
          : "p" + 10 * (10 - decile) + "\u2013p" + 10 * (11 - decile);
    }
    return decile == 1 ? "below p10" : decile == 10 ? "p90 or above" : "p" + 10 * (decile - 1) + "\u2013p" + 10 * decile;
  }

  /** The 95% Wilson score interval of numerator / denominator: {low, high}, rates 0..1. */
  static double[] wilson(long numerator, long denominator) {
    double n = denominator;
    double p = numerator / n;
    double z2 = Z * Z;
    double scale = 1 + z2 / n;
    double centre = (p + z2 / (2 * n)) / scale;
    double half = Z / scale * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
  }
}
