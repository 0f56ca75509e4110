package org.pophealth.cohorts;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One cohort as defined in {@code measures/cohorts/<name>.yaml}: inclusion rules (every {@code all}
 * rule and at least one {@code any} rule), exclusions, priority order and what each audience sees.
 * {@code dueFirst}: the priority starts with {@code due} (published lists put worklist items whose next contact
 * date has come first, then the rest of the order).
 */
public record CohortDefinition(
    String name,
    String title,
    String description,
    List<Rule> all,
    List<Rule> any,
    List<String> exclude,
    List<SortKey> priority,
    Map<String, Audience> audiences,
    String hash,
    boolean dueFirst) {

  /** Exclusions a definition may name. */
  public static final Set<String> EXCLUSIONS = Set.of("deceased", "disenrolled", "hospice", "opted_out");

  /** Columns a patient-level audience may be given. */
  public static final List<String> COLUMNS = List.of("person_id", "name", "birth_date", "sex", "phone", "address",
      "pcp", "pcp_npi", "organization", "risk_score", "gaps", "reasons", "reason_codes", "priority",
      "discharge_date", "setting", "contact_due", "visit_due", "overdue",
      "assignee", "status", "attempts", "last_attempt", "next_contact");

  /** The publish-time priority key: worklist items due for contact first ({@code priority: [due, ...]}). */
  public static final String DUE = "due";

  /** Metrics a priority order may sort on. */
  public static final Set<String> METRICS = Set.of("gap_count", "risk_score", "acute_visits", "duplicate_tests",
      "score_change", "hcc_gap_value", "deadline", "overdue");

  /** Kinds of risk-adjustment gap (gold.hcc_gap gap_kind) an hcc_gap rule may name, in display order. */
  public static final List<String> HCC_GAP_KINDS = List.of("recapture", "suspect");

  /** One inclusion rule. */
  public sealed interface Rule {
    /** Prefix of the reason codes the rule produces (gap, risk, acute, duplicate_test). */
    String codePrefix();
  }

  /** An open care gap on any of the measures (CMS ids without the FHIR suffix). */
  public record CareGap(List<String> measures) implements Rule {
    public String codePrefix() {
      return "gap";
    }
  }

  /** In a risk tier: top_1pct or top_5pct of the payment year's BLEND scores. */
  public record RiskTier(String tier) implements Rule {
    public String codePrefix() {
      return "risk";
    }
  }

  /** BLEND payment score at least this. */
  public record RiskScoreAtLeast(double score) implements Rule {
    public String codePrefix() {
      return "risk";
    }
  }

  /** Flagged tier_rising by score-risk. */
  public record RisingRisk() implements Rule {
    public String codePrefix() {
      return "risk";
    }
  }

  /** At least {@code atLeast} visits (distinct dates) in the settings within {@code months} before as-of. */
  public record AcuteUse(List<String> settings, int months, int atLeast) implements Rule {
    public String codePrefix() {
      return "acute";
    }
  }

  /** At least {@code atLeast} duplicate tests (gold.duplicate_test_event kind duplicate) within {@code months}. */
  public record DuplicateTests(int months, int atLeast) implements Rule {
    public String codePrefix() {
      return "duplicate_test";
    }
  }

  /**
   * At least {@code atLeast} open risk-adjustment gaps (gold.hcc_gap, the payment year's) of the kinds, whose
   * values add up to at least {@code minValue}. A gap is a (kind, HCC label) of the person: the V24 and V28
   * rows of one condition carry the same CMS label (their HCC numbers differ) and count once, with the larger
   * of their values.
   */
  public record HccGap(List<String> kinds, int atLeast, double minValue) implements Rule {
    public String codePrefix() {
      return "hcc_gap";
    }
  }

  /**
   * A discharge needing transitional care: the person's latest ED visit or inpatient stay (of the settings) ended
   * within {@code days} before as-of. Interactive contact is due {@code contactBusinessDays} business days after
   * the discharge (of the holiday calendar {@code calendar}), the face-to-face visit {@code visitDaysHigh}
   * calendar days after it for high complexity (an inpatient stay, or the top 5% of risk), else
   * {@code visitDaysModerate} (CMS transitional care management, CPT 99496 and 99495).
   */
  public record TransitionalCare(List<String> settings, int days, int contactBusinessDays, int visitDaysHigh,
      int visitDaysModerate, String calendar) implements Rule {
    public String codePrefix() {
      return "tcm";
    }
  }

  /** One key of the priority order. */
  public record SortKey(String metric, boolean descending) {}

  /** What one audience receives: patient-level columns, or aggregates only. */
  public record Audience(String name, boolean aggregate, List<String> columns) {}

  public List<Rule> rules() {
    return java.util.stream.Stream.concat(all.stream(), any.stream()).toList();
  }

  /** The acute-use rule's window, 0 when the cohort has none. */
  public int acuteMonths() {
    return rules().stream().filter(r -> r instanceof AcuteUse).mapToInt(r -> ((AcuteUse) r).months()).max().orElse(0);
  }

  public int duplicateMonths() {
    return rules().stream().filter(r -> r instanceof DuplicateTests).mapToInt(r -> ((DuplicateTests) r).months())
        .max().orElse(0);
  }

  /** The cohort's transitional_care rule (a definition has at most one), null when it has none. */
  public TransitionalCare transitionalCare() {
    return rules().stream().filter(r -> r instanceof TransitionalCare).map(r -> (TransitionalCare) r).findFirst()
        .orElse(null);
  }

  /** The transitional_care rule's window in days, 0 when the cohort has none. */
  public int transitionalCareDays() {
    TransitionalCare t = transitionalCare();
    return t == null ? 0 : t.days();
  }

  /**
   * The gap kinds of the cohort's hcc_gap rules (in {@link #HCC_GAP_KINDS} order), empty when it has none: the
   * gaps its reasons name.
   */
  public List<String> hccGapKinds() {
    Set<String> kinds = new java.util.HashSet<>();
    rules().stream().filter(r -> r instanceof HccGap).forEach(r -> kinds.addAll(((HccGap) r).kinds()));
    return HCC_GAP_KINDS.stream().filter(kinds::contains).toList();
  }
}
