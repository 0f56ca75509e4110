package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The decile, Wilson interval and "N more persons" arithmetic against values computed by hand (the working is
 * in each case's comments); no Spark. Deciles are percent, in the order p1, p10, p20 … p90, p99.
 */
class BenchmarkPositionTest {
  /** A made-up higher-is-better measure: p1 10, p10 40, p20 50 … p90 85, p99 95. */
  private static final double[] UP = {10, 40, 50, 55, 60, 65, 70, 74, 78, 85, 95};
  /** CMS122 (inverse) in performance year 2026, as in measures/dashboard/benchmarks/2026.csv. */
  private static final double[] CMS122 = {0.44, 12.5, 17.18, 20.86, 24.85, 29.525, 36.72, 49.53, 71.68, 93.98, 99.49};

  @Test
  void aRateBetweenTwoDeciles() {
    // 30/40 = 75%: at or above p10..p70 (40, 50, 55, 60, 65, 70, 74: seven of the nine p10..p90), below p80 78
    // -> decile 1 + 7 = 8, band p70-p80. Next threshold p80 = 78%: (30 + N)/40 >= 0.78 <=> N >= 31.2 - 30
    // = 1.2 -> N = 2 (31/40 = 77.5% is still short, 32/40 = 80%).
    BenchmarkPosition.Position p = BenchmarkPosition.of(30, 40, UP, false);
    assertEquals(8, p.decile());
    assertEquals("p70\u2013p80", p.band());
    assertEquals("p80", p.next());
    assertEquals(78.0, p.threshold());
    assertEquals(2L, p.persons());
    assertEquals("2 more persons in the numerator to reach p80 (decile 9)", p.toReach());
  }

  @Test
  void aRateExactlyOnAThresholdHasReachedIt() {
    // 20/40 = 50% = p20 exactly: at or above p10 40 and p20 50, below p30 55 -> decile 3, band p20-p30.
    // Next p30 = 55%: 0.55 * 40 = 22 (exact) -> N = 22 - 20 = 2.
    BenchmarkPosition.Position p = BenchmarkPosition.of(20, 40, UP, false);
    assertEquals(3, p.decile());
    assertEquals("p20\u2013p30", p.band());
    assertEquals(2L, p.persons());
  }

  @Test
  void theTopDecileAimsAtP99ThenNothing() {
    // 36/40 = 90%: at or above p90 85 -> decile 10; below p99 95, so the next threshold is p99:
    // 0.95 * 40 = 38 (exact) -> N = 38 - 36 = 2 (37/40 = 92.5% is short).
    BenchmarkPosition.Position top = BenchmarkPosition.of(36, 40, UP, false);
    assertEquals(10, top.decile());
    assertEquals("p90 or above", top.band());
    assertEquals("p99", top.next());
    assertEquals("2 more persons in the numerator to reach p99 (the best 1%)", top.toReach());
    // 39/40 = 97.5%: already above p99 95 -> decile 10 and nothing left to reach.
    BenchmarkPosition.Position above = BenchmarkPosition.of(39, 40, UP, false);
    assertEquals(10, above.decile());
    assertNull(above.next());
    assertNull(above.persons());
    assertEquals("at or above p99: the best 1%", above.toReach());
  }

  @Test
  void aRateBelowP10IsTheFirstDecile() {
    // 3/40 = 7.5%: below p10 40 -> decile 1, band below p10; next p10: 0.40 * 40 = 16 -> N = 16 - 3 = 13.
    BenchmarkPosition.Position p = BenchmarkPosition.of(3, 40, UP, false);
    assertEquals(1, p.decile());
    assertEquals("below p10", p.band());
    assertEquals(13L, p.persons());
  }

  @Test
  void anInverseMeasureReadsTheDecilesDownwards() {
    // CMS122, 30/100 = 30%: lower is better. At or below p60 36.72, p70 49.53, p80 71.68, p90 93.98 (four of the
    // nine p10..p90), above p50 29.525 -> decile 1 + 4 = 5, band p50-p60. Next: p50 29.525%:
    // (30 - N)/100 <= 0.29525 <=> N >= 30 - 29.525 = 0.475 -> N = 1.
    BenchmarkPosition.Position p = BenchmarkPosition.of(30, 100, CMS122, true);
    assertEquals(5, p.decile());
    assertEquals("p50\u2013p60", p.band());
    assertEquals("p50", p.next());
    assertEquals(29.525, p.threshold());
    assertEquals(1L, p.persons());
    assertEquals("1 fewer person in the numerator to reach p50 (decile 6)", p.toReach());
    // 95/100 = 95%: above p90 93.98 -> decile 1, band above p90; next p90: 95 - N <= 93.98 -> N = 2.
    BenchmarkPosition.Position worst = BenchmarkPosition.of(95, 100, CMS122, true);
    assertEquals(1, worst.decile());
    assertEquals("above p90", worst.band());
    assertEquals("p90", worst.next());
    assertEquals(2L, worst.persons());
  }

  @Test
  void anInverseMeasureAtTheBestEnd() {
    // CMS122, 5/100 = 5%: at or below p10 12.5 -> decile 10 (band p10 or below); above p1 0.44, so next is p1:
    // (5 - N)/100 <= 0.0044 <=> N >= 4.56 -> N = 5.
    BenchmarkPosition.Position p = BenchmarkPosition.of(5, 100, CMS122, true);
    assertEquals(10, p.decile());
    assertEquals("p10 or below", p.band());
    assertEquals("5 fewer persons in the numerator to reach p1 (the best 1%)", p.toReach());
    // 0/50 = 0%: at or below p1 0.44 -> nothing left to reach.
    BenchmarkPosition.Position best = BenchmarkPosition.of(0, 50, CMS122, true);
    assertEquals(10, best.decile());
    assertNull(best.next());
    assertEquals("at or below p1: the best 1%", best.toReach());
  }

  @Test
  void wilsonScoreInterval() {
    // z = 1.96, z^2 = 3.8416. 30/40: p = 0.75, z^2/n = 0.09604, scale 1.09604;
    // centre = (0.75 + 0.04802) / 1.09604 = 0.728094;
    // half = 1.96 / 1.09604 * sqrt(0.75 * 0.25 / 40 + 3.8416 / 6400) = 1.788256 * sqrt(0.00528775) = 0.130036;
    // -> 0.598057 .. 0.858130.
    assertArrayEquals(new double[] {0.598057, 0.858130}, BenchmarkPosition.wilson(30, 40), 1e-6);
    // 30/100: scale 1.038416; centre (0.3 + 0.019208) / 1.038416 = 0.307399;
    // half = 1.96 / 1.038416 * sqrt(0.0021 + 0.00009604) = 1.887490 * 0.046862 = 0.088451 -> 0.218948 .. 0.395850.
    assertArrayEquals(new double[] {0.218948, 0.395850}, BenchmarkPosition.wilson(30, 100), 1e-6);
    // 0/50: centre = (3.8416 / 100) / 1.076832 = 0.035675 = half (sqrt(3.8416 / 10000) * 1.96 / 1.076832)
    // -> 0 .. 0.071350 (the interval of a zero rate starts at 0).
    assertArrayEquals(new double[] {0.0, 0.071350}, BenchmarkPosition.wilson(0, 50), 1e-6);
  }

  @Test
  void badCountsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> BenchmarkPosition.of(5, 0, UP, false));
    assertThrows(IllegalArgumentException.class, () -> BenchmarkPosition.of(41, 40, UP, false));
  }
}
