package org.pophealth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The narrative of a pair from hand-chosen levels and weights. */
class ExplainPairTest {
  private static final List<PersonField> FIELDS = List.of(PersonField.GIVEN_NAME, PersonField.FAMILY_NAME,
      PersonField.BIRTH_DATE, PersonField.SEX, PersonField.POSTCODE, PersonField.SSN, PersonField.EMAIL);

  @Test
  void strongestEvidenceFirstMissingLast() {
    // levels: given_name 2 of 0..4 (jaro-winkler>=0.92), family_name 3 = exact, birth_date 3 = exact, sex 1 = exact,
    // postcode 0 = else, ssn 2 = exact, email missing. By |weight|: ssn 9.8, birth date 6.2, family name 4.0,
    // postcode -3.1, given name 1.5, sex 0.9.
    int[] levels = {2, 3, 3, 1, 0, 2, -1};
    double[] weights = {1.5, 4.0, 6.2, 0.9, -3.1, 9.8, 0.0};
    assertEquals("same SSN, same birth date, same family name, different postcode, "
        + "given names differ slightly (jaro-winkler>=0.92), same sex, not compared: email",
        ExplainPair.narrative(FIELDS, levels, weights));
  }

  @Test
  void tiesInFieldOrder() {
    List<PersonField> f = List.of(PersonField.CITY, PersonField.STATE, PersonField.BIRTH_DATE);
    // city 1 of 0..2 and state 0 = else, both |2.0|: field order; birth date 1 = "within 1 year or 2 edits"
    assertEquals("cities differ slightly (jaro-winkler>=0.88), different state, "
        + "birth dates differ slightly (within 1 year or 2 edits)",
        ExplainPair.narrative(f, new int[] {1, 0, 1}, new double[] {2.0, -2.0, 0.5}));
  }

  @Test
  void nothingCompared() {
    assertEquals("not compared: SSN, MRN", ExplainPair.narrative(List.of(PersonField.SSN, PersonField.MRN),
        new int[] {-1, -1}, new double[] {0, 0}));
    assertEquals("no field compared", ExplainPair.narrative(List.of(), new int[0], new double[0]));
  }

  @Test
  void levelLabels() {
    assertEquals("missing", ExplainPair.level(PersonField.SSN, -1));
    assertEquals("1 edit or last 4", ExplainPair.level(PersonField.SSN, 1));
    assertEquals("exact", ExplainPair.level(PersonField.GIVEN_NAME, 4));
    assertEquals("nickname", ExplainPair.level(PersonField.GIVEN_NAME, 3));
  }
}
