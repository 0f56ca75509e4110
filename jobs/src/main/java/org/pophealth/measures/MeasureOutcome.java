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
   */
  public record GroupOutcome(int index, String id, Map<String, Boolean> populations,
      Map<String, List<String>> evidence, Map<String, String> strata) implements Serializable {}
}
