package org.pophealth.identity;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The nickname groups and stop words of measures/identity/, as read through the reference loader. */
class ReferenceListsTest {
  @Test
  void nicknamesShareARowAndStopWordsAreListed() {
    ReferenceLists r = ReferenceLists.get();
    assertTrue(r.nicknames("abigail", "gail"));
    assertTrue(r.nicknames("abby", "abbie"));
    assertTrue(r.nicknames("robert", "bert"));
    assertTrue(r.nicknames("roberta", "bert")); // bert is in both rows
    assertTrue(r.nicknames("bert", "bob"));
    assertFalse(r.nicknames("roberta", "bob"));
    assertFalse(r.nicknames("william", "elizabeth"));
    assertFalse(r.nicknames("zebedee", "zeb"));
    assertTrue(r.addressStopwords().containsAll(java.util.List.of("street", "st", "road", "unit", "apt")));
    assertFalse(r.addressStopwords().contains("token"));
  }
}
