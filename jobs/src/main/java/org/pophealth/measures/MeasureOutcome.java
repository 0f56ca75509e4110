package org.pophealth.measures;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/** One measure evaluated for one person: per group the population memberships, evidence and strata. */
public record MeasureOutcome(String measure, List<GroupOutcome> groups, List<String> errors) implements Serializable {

  /**
   * @param populations population code → member (after the eCQM cascade)
   * @param evidence population code → resource references the engine evaluated for it (members only)
   * @param strata stratifier id → value
   * @param episodes episode-based groups (population basis Encounter, Procedure, ...): population code →
   *     the person's episodes in it, after the cascade applied episode by episode; null for patient-based groups
   * @param observations groups with measure observations: observed population code → the values, one per
   *     observed episode (ordered by episode), one for a patient-based group; null for groups without
   * @param stratumEpisodes episode-based groups with stratifiers that return episodes: stratifier id →
   *     population code → the person's episodes of the population the stratifier returns; null when none
   *     (boolean stratifiers are in {@code strata} as true / false)
   */
  public record GroupOutcome(int index, String id, Map<String, Boolean> populations,
      Map<String, List<String>> evidence, Map<String, String> strata, Map<String, Integer> episodes,
      Map<String, List<Double>> observations, Map<String, Map<String, Integer>> stratumEpisodes)
      implements Serializable {}
}
