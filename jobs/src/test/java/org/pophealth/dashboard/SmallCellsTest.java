package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
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
}
