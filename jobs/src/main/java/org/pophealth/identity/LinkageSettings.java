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
    boolean linkOnly,
    java.util.Set<PersonField> termFrequencyFields,
    double weakFieldsMatchThreshold,
    double minEstimatedPrecision)
    implements Serializable {

  /** Fields that identify a person on their own together with a name; without any, the weak-fields threshold applies. */
  public static final java.util.Set<PersonField> STRONG_IDENTIFIERS = java.util.Collections.unmodifiableSet(
      java.util.EnumSet.of(PersonField.BIRTH_DATE, PersonField.SSN, PersonField.PHONE, PersonField.EMAIL));

  public LinkageSettings {
    termFrequencyFields = termFrequencyFields == null ? PersonField.defaultTermFrequencyFields()
        : java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(
            termFrequencyFields.isEmpty() ? java.util.EnumSet.noneOf(PersonField.class) : termFrequencyFields));
  }

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
        c.uRandomPairs(), c.seed(), c.guard().ssnMaxEdits(), c.guard().sex(), linkOnly,
        termFrequencyFields(c.termFrequencyFields()), c.weakFieldsMatchThreshold(), c.minEstimatedPrecision());
  }

  /** {@code identity.term_frequency_fields}: person field names; null = {@link PersonField#defaultTermFrequencyFields()}. */
  static java.util.Set<PersonField> termFrequencyFields(List<String> names) {
    if (names == null) {
      return null;
    }
    java.util.Set<PersonField> out = java.util.EnumSet.noneOf(PersonField.class);
    for (String n : names) {
      PersonField f = PersonField.of(n);
      if (f == PersonField.BIRTH_DATE || f == PersonField.SEX || f == PersonField.STATE || f == PersonField.MRN) {
        throw new IllegalArgumentException("identity.term_frequency_fields: " + f.column()
            + " takes no term-frequency adjustment (a date's frequency says little, sex and state have a handful of"
            + " values, MRNs compare within a source only)");
      }
      out.add(f);
    }
    return out;
  }

  public LinkageSettings withLinkOnly(boolean l) {
    return new LinkageSettings(blockingRules, trainingRules, matchThreshold, reviewThreshold, maxBlockSize,
        maxRuleComparisons, trainingMaxPairs, emIterations, uSampleRecords, uRandomPairs, seed, ssnMaxEdits, sexGuard, l,
        termFrequencyFields, weakFieldsMatchThreshold, minEstimatedPrecision);
  }

  /** An explicit threshold (e.g. {@code link --threshold}): used whatever fields are mapped, never adjusted. */
  public LinkageSettings withTermFrequencyFields(java.util.Set<PersonField> f) {
    return new LinkageSettings(blockingRules, trainingRules, matchThreshold, reviewThreshold, maxBlockSize,
        maxRuleComparisons, trainingMaxPairs, emIterations, uSampleRecords, uRandomPairs, seed, ssnMaxEdits, sexGuard,
        linkOnly, f, weakFieldsMatchThreshold, minEstimatedPrecision);
  }

  public LinkageSettings withMatchThreshold(double t) {
    return new LinkageSettings(blockingRules, trainingRules, t, Math.min(reviewThreshold, t), maxBlockSize,
        maxRuleComparisons, trainingMaxPairs, emIterations, uSampleRecords, uRandomPairs, seed, ssnMaxEdits, sexGuard, linkOnly,
        termFrequencyFields, t, 0.0);
  }

  /**
   * The match threshold for records with these fields, before the precision check: {@code match_threshold}, or
   * {@code weak_fields_match_threshold} when none of {@link #STRONG_IDENTIFIERS} is mapped.
   */
  public double thresholdFor(java.util.Collection<PersonField> fields) {
    return fields.stream().anyMatch(STRONG_IDENTIFIERS::contains) ? matchThreshold : weakFieldsMatchThreshold;
  }
}
