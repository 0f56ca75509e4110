package org.pophealth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which disagreements put a person in the split queue (normalised values, hand-chosen). */
class SplitQueueTest {
  @Test
  void typosDoNotQueue() {
    // one digit (1970 / 1971), a transposition (03-04 / 30-04 is no date, but one edit), day and month swapped
    assertEquals(List.of(), SplitQueue.reasons(List.of("19700304", "19710304"), List.of("f")));
    assertEquals(List.of(), SplitQueue.reasons(List.of("19700304", "19703004"), List.of("f")));
    assertEquals(List.of(), SplitQueue.reasons(List.of("19700304", "19700403"), List.of("f", "f")));
    assertEquals(List.of(), SplitQueue.reasons(Arrays.asList("19700304", null), List.of()));
  }

  @Test
  void realDisagreementsQueue() {
    assertEquals(List.of("birth_date"), SplitQueue.reasons(List.of("19700304", "19850304"), List.of("m")));
    // any pair beyond a typo counts, even when others are typos of each other
    assertEquals(List.of("birth_date"),
        SplitQueue.reasons(List.of("19700304", "19700305", "19701231"), List.of()));
    assertEquals(List.of("birth_date", "sex"), SplitQueue.reasons(List.of("19700304", "19551112"), List.of("m", "f")));
    assertEquals(List.of("sex"), SplitQueue.reasons(List.of("19700304"), List.of("f", "m")));
  }
}
