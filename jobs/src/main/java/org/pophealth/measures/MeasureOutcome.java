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
   */
  public record GroupOutcome(int index, String id, Map<String, Boolean> populations,
      Map<String, List<String>> evidence, Map<String, String> strata, Map<String, Integer> episodes)
      implements Serializable {}
}
