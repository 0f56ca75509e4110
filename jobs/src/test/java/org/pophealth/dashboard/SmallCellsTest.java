package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SmallCellsTest {
  @Test
  void suppressesSmallCountsAndOneComplement() {
    // 4 alone would be derivable from a total: the smallest other non-zero count (12) goes too
    assertEquals(Set.of(1, 2), SmallCells.suppress(List.of(14L, 12L, 4L, 0L), 11));
    // two small cells protect each other
    assertEquals(Set.of(1, 2), SmallCells.suppress(List.of(40L, 3L, 5L), 11));
    // zeros and counts at the threshold are shown
    assertEquals(Set.of(), SmallCells.suppress(List.of(0L, 11L, 25L), 11));
    // nulls (unknown) are ignored
    assertEquals(Set.of(0, 2), SmallCells.suppress(Arrays.asList(5L, null, 5L, 0L), 11));
    assertEquals("<11", SmallCells.mask(11));
  }

  @Test
  void complementsOneHiddenCellByTheSmallestNonZeroCount() {
    // a family's months: February (hidden upstream) would be the total minus January, so January goes too
    Map<String, Long> tests = new LinkedHashMap<>();
    tests.put("2024-01", 60L);
    tests.put("2024-02", 40L);
    assertEquals(Set.of("2024-01", "2024-02"), SmallCells.complement(Set.of("2024-02"), tests));
    // zero and unknown counts are never the complement; of equal counts the first is
    Map<String, Long> series = new LinkedHashMap<>();
    series.put("a", 0L);
    series.put("b", null);
    series.put("c", 30L);
    series.put("d", 30L);
    series.put("e", 5L);
    assertEquals(Set.of("c", "e"), SmallCells.complement(Set.of("e"), series));
    // two hidden cells protect each other; nothing to hide stays nothing
    assertEquals(Set.of("a", "e"), SmallCells.complement(Set.of("a", "e"), series));
    assertEquals(Set.of(), SmallCells.complement(Set.of(), series));
    // no other non-zero count: the hidden cell stays alone
    Map<String, Long> alone = new LinkedHashMap<>();
    alone.put("x", 4L);
    alone.put("y", 0L);
    assertEquals(Set.of("x"), SmallCells.complement(Set.of("x"), alone));
  }
}
