package org.pophealth.dashboard;

import java.util.List;
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
    Set<Integer> out = new TreeSet<>();
    for (int i = 0; i < counts.size(); i++) {
      Long c = counts.get(i);
      if (c != null && c > 0 && c < min) {
        out.add(i);
      }
    }
    if (out.size() == 1) {
      int best = -1;
      for (int i = 0; i < counts.size(); i++) {
        Long c = counts.get(i);
        if (!out.contains(i) && c != null && c > 0 && (best < 0 || c < counts.get(best))) {
          best = i;
        }
      }
      if (best >= 0) {
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
