package org.pophealth.identity;

import java.io.Serializable;
import java.util.List;

/**
 * How records are linked: blocking rules (each a list of Spark SQL expressions over the normalised
 * person fields; records whose expressions are all non-null and equal are compared), training rules
 * for EM, thresholds on match probability, and guards. Built from {@code identity.*} config keys.
 *
 * @param linkOnly compare only records of different sources (linking two clean files)
 */
public record LinkageSettings(
    List<List<String>> blockingRules,
    List<List<String>> trainingRules,
    double matchThreshold,
    double reviewThreshold,
    int maxBlockSize,
    long maxRuleComparisons,
    long trainingMaxPairs,
    int emIterations,
    int uSampleRecords,
    long uRandomPairs,
    long seed,
    int ssnMaxEdits,
    boolean sexGuard,
    boolean linkOnly)
    implements Serializable {

  /** Settings from the {@code identity} config section. */
  public static LinkageSettings of(org.pophealth.config.PopHealthConfig.Identity c, boolean linkOnly) {
    if (c.reviewThreshold() > c.matchThreshold()) {
      throw new IllegalArgumentException("identity.review_threshold must not exceed identity.match_threshold");
    }
    if (c.blockingRules() == null || c.blockingRules().isEmpty()) {
      throw new IllegalArgumentException("identity.blocking_rules: at least one rule is needed");
    }
    return new LinkageSettings(c.blockingRules(), c.trainingRules() == null ? List.of() : c.trainingRules(),
        c.matchThreshold(), c.reviewThreshold(), c.maxBlockSize(), c.maxRuleComparisons(), c.trainingMaxPairs(),
        c.emIterations(), c.uSampleRecords(),
        c.uRandomPairs(), c.seed(), c.guard().ssnMaxEdits(), c.guard().sex(), linkOnly);
  }

  public LinkageSettings withLinkOnly(boolean l) {
    return new LinkageSettings(blockingRules, trainingRules, matchThreshold, reviewThreshold, maxBlockSize,
        maxRuleComparisons, trainingMaxPairs, emIterations, uSampleRecords, uRandomPairs, seed, ssnMaxEdits, sexGuard, l);
  }

  public LinkageSettings withMatchThreshold(double t) {
    return new LinkageSettings(blockingRules, trainingRules, t, Math.min(reviewThreshold, t), maxBlockSize,
        maxRuleComparisons, trainingMaxPairs, emIterations, uSampleRecords, uRandomPairs, seed, ssnMaxEdits, sexGuard, linkOnly);
  }
}
