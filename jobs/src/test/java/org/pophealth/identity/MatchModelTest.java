package org.pophealth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Term-frequency adjustment in the Fellegi–Sunter weights, without Spark: at a field's exact level the
 * u probability is the frequency of the shared value, so the weight is log2(m / tf). Expected weights are
 * worked out by hand (powers of two keep them exact).
 */
class MatchModelTest {
  private static final List<PersonField> FIELDS = List.of(PersonField.FAMILY_NAME, PersonField.CITY);
  // family name levels: else, jw>=0.84, jw>=0.92, exact; city levels: else, jw>=0.88, exact
  private static final double[][] M = {{0.125, 0.125, 0.25, 0.5}, {0.25, 0.25, 0.5}};
  private static final double[][] U = {{0.5, 0.25, 0.125, 0.0625}, {0.5, 0.25, 0.125}};
  private static final int[] BOTH_EXACT = {3, 2};

  @Test
  void aSharedRareValueWeighsMoreThanASharedCommonOne() {
    MatchModel model = new MatchModel(FIELDS, M, U, 0.5, EnumSet.of(PersonField.FAMILY_NAME, PersonField.CITY));
    // a surname 1 in 1,024 records carry: log2(0.5 / (1/1024)) = log2(512) = 9 bits
    double[] rare = model.fieldWeights(BOTH_EXACT, new double[] {1.0 / 1024, 1.0 / 256});
    // a surname 1 in 16 records carry: log2(0.5 / (1/16)) = log2(8) = 3 bits
    double[] common = model.fieldWeights(BOTH_EXACT, new double[] {1.0 / 16, 1.0 / 4});
    assertEquals(9.0, rare[0], 1e-9);
    assertEquals(3.0, common[0], 1e-9);
    // city: log2(0.5 / (1/256)) = 7 bits for a small suburb, log2(0.5 / (1/4)) = 1 bit for a big city
    assertEquals(7.0, rare[1], 1e-9);
    assertEquals(1.0, common[1], 1e-9);
    assertTrue(rare[0] > common[0] && rare[1] > common[1]);
  }

  @Test
  void withoutTermFrequencyOrBelowTheExactLevelTheAverageUCounts() {
    double[] tf = {1.0 / 1024, 1.0 / 256};
    // city left out of the term-frequency fields: log2(m/u) = log2(0.5 / 0.125) = 2 bits whatever the value
    MatchModel familyOnly = new MatchModel(FIELDS, M, U, 0.5, EnumSet.of(PersonField.FAMILY_NAME));
    assertEquals(9.0, familyOnly.fieldWeights(BOTH_EXACT, tf)[0], 1e-9);
    assertEquals(2.0, familyOnly.fieldWeights(BOTH_EXACT, tf)[1], 1e-9);
    // a fuzzy level keeps its u: family jw>=0.92: log2(0.25 / 0.125) = 1; city else: log2(0.25 / 0.5) = -1
    double[] fuzzy = familyOnly.fieldWeights(new int[] {2, 0}, tf);
    assertEquals(1.0, fuzzy[0], 1e-9);
    assertEquals(-1.0, fuzzy[1], 1e-9);
    // a missing value (level -1) is neutral; no frequency known (0) falls back to u: log2(0.5 / 0.0625) = 3
    double[] missing = familyOnly.fieldWeights(new int[] {3, -1}, new double[] {0, 0});
    assertEquals(3.0, missing[0], 1e-9);
    assertEquals(0.0, missing[1], 1e-9);
  }

  @Test
  void settingsDefaultAndValidation() {
    assertEquals(EnumSet.of(PersonField.GIVEN_NAME, PersonField.FAMILY_NAME, PersonField.STREET, PersonField.CITY,
        PersonField.POSTCODE), PersonField.defaultTermFrequencyFields());
    assertEquals(EnumSet.of(PersonField.CITY), LinkageSettings.termFrequencyFields(List.of("city")));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> LinkageSettings.termFrequencyFields(List.of("birth_date")));
    // the model's JSON says which fields were adjusted
    MatchModel model = new MatchModel(FIELDS, M, U, 0.5, EnumSet.of(PersonField.CITY));
    assertTrue(model.toJson().contains("\"field\":\"city\",\"term_frequency\":true"), model.toJson());
    assertTrue(model.toJson().contains("\"field\":\"family_name\",\"term_frequency\":false"), model.toJson());
  }
}
