package org.pophealth.dashboard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Small-cell suppression for the figures the dashboard aggregates itself (the gold tables' own
 * suppression is reused as is). A count of 1..min-1 persons is suppressed; when a group of counts
 * adds up to a shown total (or obeys an identity such as size = previous + added - removed) and only
 * one of them is suppressed, the smallest other non-zero count is suppressed too, so that the hidden
 * one cannot be derived by subtraction.
 */
public final class SmallCells {
  private SmallCells() {}

  /** Indexes of {@code counts} to suppress (primary and complementary); null counts are ignored. */
  public static Set<Integer> suppress(List<Long> counts, int min) {
    Map<Integer, Long> byIndex = new LinkedHashMap<>();
    Set<Integer> small = new TreeSet<>();
    for (int i = 0; i < counts.size(); i++) {
      Long c = counts.get(i);
      byIndex.put(i, c);
      if (c != null && c > 0 && c < min) {
        small.add(i);
      }
    }
    return complement(small, byIndex);
  }

  /**
   * The cells {@code hidden} plus, when exactly one cell of the group is hidden, the shown cell with the
   * smallest non-zero count (the first of equal ones, in the order of {@code counts}), so that the hidden
   * one cannot be derived from the group's total. Cells whose count is null or 0 are never chosen; with
   * none left to choose, the one hidden cell stays alone.
   */
  static <K extends Comparable<K>> Set<K> complement(Set<K> hidden, Map<K, Long> counts) {
    Set<K> out = new TreeSet<>(hidden);
    if (out.size() == 1) {
      K best = null;
      long fewest = 0;
      for (Map.Entry<K, Long> e : counts.entrySet()) {
        Long c = e.getValue();
        if (!out.contains(e.getKey()) && c != null && c > 0 && (best == null || c < fewest)) {
          best = e.getKey();
          fewest = c;
        }
      }
      if (best != null) {
        out.add(best);
      }
    }
    return out;
  }

  /** The text shown for a suppressed cell, e.g. {@code <11}. */
  public static String mask(int min) {
    return "<" + min;
  }
}
