package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The eCQM population cascade episode by episode (episode-based proportion measures), on hand-made episode
 * lists: the expected sets follow the population criteria of the eCQM measure logic guidance, not the code.
 */
class EpisodeCascadeTest {
  private static Set<String> set(String... ids) {
    return new LinkedHashSet<>(List.of(ids));
  }

  @Test
  void eachEpisodeFallsThroughThePopulationsOnItsOwn() {
    Map<String, Set<String>> raw = new LinkedHashMap<>();
    raw.put("initial-population", set("E1", "E2", "E3", "E4", "E5"));
    raw.put("denominator", set("E1", "E2", "E3", "E4", "E5", "E9")); // E9: not in the initial population
    raw.put("denominator-exclusion", set("E2"));
    raw.put("numerator", set("E1", "E2", "E9")); // E2 excluded, E9 not in the denominator
    raw.put("denominator-exception", set("E1", "E3")); // E1 is in the numerator: not an exception
    Map<String, Set<String>> out = CqlMeasureEvaluator.cascadeEpisodes(raw, "proportion");
    assertEquals(set("E1", "E2", "E3", "E4", "E5"), out.get("initial-population"));
    assertEquals(set("E1", "E2", "E3", "E4", "E5"), out.get("denominator"));
    assertEquals(set("E2"), out.get("denominator-exclusion"));
    assertEquals(set("E1"), out.get("numerator"));
    assertEquals(set("E3"), out.get("denominator-exception"));
  }

  @Test
  void withoutDenominatorCriteriaTheDenominatorIsTheInitialPopulation() {
    Map<String, Set<String>> raw = new LinkedHashMap<>();
    raw.put("initial-population", set("E1", "E2"));
    raw.put("numerator", set("E2", "E3"));
    Map<String, Set<String>> out = CqlMeasureEvaluator.cascadeEpisodes(raw, "proportion");
    assertEquals(set("E2"), out.get("numerator"));
    assertEquals(Set.of("initial-population", "numerator"), out.keySet(), "no population the group does not define");
  }

  @Test
  void aCohortCountsItsInitialPopulationEpisodes() {
    Map<String, Set<String>> raw = new LinkedHashMap<>();
    raw.put("initial-population", set("Encounter/a", "Encounter/b"));
    assertEquals(2, CqlMeasureEvaluator.cascadeEpisodes(raw, "cohort").get("initial-population").size());
  }

  @Test
  void aRatioDrawsItsNumeratorFromTheInitialPopulationNotTheDenominator() {
    // ratio scoring (cqfm / QI-Core measure guidance): numerator and denominator are separate counts over the
    // initial population, each less its own exclusions; there are no exceptions
    Map<String, Set<String>> raw = new LinkedHashMap<>();
    raw.put("initial-population", set("E1", "E2", "E3"));
    raw.put("denominator", set("E1", "E2"));
    raw.put("denominator-exclusion", set("E2"));
    raw.put("numerator", set("E2", "E3", "E7")); // E7: not in the initial population
    raw.put("numerator-exclusion", set("E3"));
    Map<String, Set<String>> out = CqlMeasureEvaluator.cascadeEpisodes(raw, "ratio");
    assertEquals(set("E1", "E2"), out.get("denominator"));
    assertEquals(set("E2", "E3"), out.get("numerator"), "E2 counts in the numerator though excluded from the denominator");
    assertEquals(set("E3"), out.get("numerator-exclusion"));
    assertEquals(set("E1"), CqlMeasureEvaluator.observed(out, "denominator"));
    assertEquals(set("E2"), CqlMeasureEvaluator.observed(out, "numerator"));
  }

  @Test
  void aContinuousVariableGroupObservesItsMeasurePopulationLessExclusions() {
    Map<String, Set<String>> raw = new LinkedHashMap<>();
    raw.put("initial-population", set("E1", "E2", "E3"));
    raw.put("measure-population", set("E1", "E2", "E3", "E4")); // E4: not in the initial population
    raw.put("measure-population-exclusion", set("E3", "E4"));
    Map<String, Set<String>> out = CqlMeasureEvaluator.cascadeEpisodes(raw, "continuous-variable");
    assertEquals(set("E1", "E2", "E3"), out.get("measure-population"));
    assertEquals(set("E3"), out.get("measure-population-exclusion"));
    assertEquals(set("E1", "E2"), CqlMeasureEvaluator.observed(out, "measure-population"));
  }
}
