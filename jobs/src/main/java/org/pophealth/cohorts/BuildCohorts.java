package org.pophealth.cohorts;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.storage.StorageLevel;
import org.pophealth.calendar.BusinessDays;
import org.pophealth.cohorts.CohortDefinition.AcuteUse;
import org.pophealth.cohorts.CohortDefinition.CareGap;
import org.pophealth.cohorts.CohortDefinition.DuplicateTests;
import org.pophealth.cohorts.CohortDefinition.HccGap;
import org.pophealth.cohorts.CohortDefinition.RiskScoreAtLeast;
import org.pophealth.cohorts.CohortDefinition.RiskTier;
import org.pophealth.cohorts.CohortDefinition.RisingRisk;
import org.pophealth.cohorts.CohortDefinition.Rule;
import org.pophealth.cohorts.CohortDefinition.TransitionalCare;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code build-cohorts}: attributes patients ({@link AttributePatients}), reads every input at a fixed
 * Delta version, and for each cohort definition writes the people who meet its inclusion rules to
 * {@code gold.cohort_member} (listed and ranked, or excluded with why) under a publication id derived
 * from the definition, the as-of date and those versions: the same inputs give the same publication
 * and the same rows. Appends one {@code ops.publication} row (action build) per cohort.
 */
public final class BuildCohorts {
  private static final Logger LOG = LoggerFactory.getLogger(BuildCohorts.class);
  static final String TABLE = "gold.cohort_member";
  static final String AUDIT = "ops.publication";

  private final Lakehouse lakehouse;
  private final LoadCohortDefinitions.Result definitions;
  private final LocalDate asOf;
  private final LocalDate periodStart;
  private final LocalDate periodEnd;
  private final int paymentYear;
  private AttributePatients attribution;
  private List<String> only = List.of();
  private String calendarLocation;
  private final Map<String, BusinessDays> calendars = new java.util.HashMap<>();

  public BuildCohorts(Lakehouse lakehouse, LoadCohortDefinitions.Result definitions, LocalDate asOf,
      LocalDate periodStart, LocalDate periodEnd, int paymentYear) {
    this.lakehouse = lakehouse;
    this.definitions = definitions;
    this.asOf = asOf;
    this.periodStart = periodStart;
    this.periodEnd = periodEnd;
    this.paymentYear = paymentYear;
    this.attribution = new AttributePatients(lakehouse, asOf);
  }

  /** Attribution windows and rules directory (null: packaged measures/attribution/). */
  public BuildCohorts attribution(int lookbackMonths, int fallbackMonths, String rulesDir) {
    this.attribution = new AttributePatients(lakehouse, asOf).windows(lookbackMonths, fallbackMonths)
        .rulesDir(rulesDir);
    return this;
  }

  /**
   * The holiday calendar of business-day deadlines (transitional_care): a holidays.csv file or a directory holding
   * one (null: the packaged measures/calendar/holidays.csv).
   */
  public BuildCohorts calendar(String location) {
    this.calendarLocation = location;
    this.calendars.clear();
    return this;
  }

  /** Build only these cohorts (empty: all). */
  public BuildCohorts only(List<String> cohorts) {
    cohorts.forEach(definitions::definition);
    this.only = List.copyOf(cohorts);
    return this;
  }

  /** One cohort's build. */
  public record Built(String cohort, String title, String publication, long listed, long excluded,
      Map<String, Long> exclusions) {}

  public record Result(LocalDate asOf, AttributePatients.Result attribution, List<Built> cohorts,
      Map<String, Long> versions, double seconds) {}

  public Result execute() {
    long t0 = System.nanoTime();
    org.pophealth.identity.PersonKeys.crosswalk(lakehouse, "build-cohorts");
    AttributePatients.Result attr = attribution.execute();
    List<CohortDefinition> defs = definitions.definitions().stream()
        .filter(d -> only.isEmpty() || only.contains(d.name())).toList();
    int acuteMonths = defs.stream().mapToInt(CohortDefinition::acuteMonths).max().orElse(0);
    int dupMonths = defs.stream().mapToInt(CohortDefinition::duplicateMonths).max().orElse(0);
    if (!lakehouse.exists("gold.hcc_gap")) {
      defs.stream().filter(d -> !d.hccGapKinds().isEmpty()).forEach(d -> LOG.warn("cohort {}: gold.hcc_gap does not"
          + " exist (find-hcc-gaps runs after score-risk), so its hcc_gap rule holds for nobody", d.name()));
    }
    CollectPersonFacts.Result facts = new CollectPersonFacts(lakehouse, asOf, periodStart, periodEnd, paymentYear,
        definitions.reference()).transitionalCare(defs.stream().mapToInt(CohortDefinition::transitionalCareDays).max()
        .orElse(0)).execute(acuteMonths, dupMonths);
    Dataset<Row> f = facts.facts().persist(StorageLevel.MEMORY_AND_DISK());
    String user = org.pophealth.ops.Provenance.current().user();
    List<Built> built = new ArrayList<>();
    List<Row> audits = new ArrayList<>();
    try {
      for (CohortDefinition d : defs) {
        built.add(buildOne(d, f, facts.versions(), user, audits));
      }
    } finally {
      f.unpersist();
    }
    appendAudit(lakehouse, audits);
    return new Result(asOf, attr, List.copyOf(built), facts.versions(), (System.nanoTime() - t0) / 1e9);
  }

  /** Deterministic publication id: as-of date + 8 hex of the definition, period, payment year and versions. */
  String publicationId(CohortDefinition d, Map<String, Long> versions) {
    String basis = d.name() + "|" + d.hash() + "|" + asOf + "|" + periodStart + "|" + periodEnd + "|" + paymentYear
        + "|" + versions + (d.transitionalCare() == null ? "" : "|" + contactDue(d.transitionalCare()));
    return asOf.toString().replace("-", "") + "-" + LoadCohortDefinitions.sha256(
        basis.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 8);
  }

  private Built buildOne(CohortDefinition d, Dataset<Row> facts, Map<String, Long> versions, String user,
      List<Row> audits) {
    warnUncovered(d);
    String publication = publicationId(d, versions);
    String asOfSql = "DATE'" + asOf + "'";
    List<String> measures = d.rules().stream().filter(r -> r instanceof CareGap)
        .flatMap(r -> ((CareGap) r).measures().stream()).distinct().toList();
    Set<String> acuteSettings = new LinkedHashSet<>();
    d.rules().stream().filter(r -> r instanceof AcuteUse).forEach(r -> acuteSettings.addAll(((AcuteUse) r).settings()));
    boolean scoreRule = d.rules().stream().anyMatch(r -> r instanceof RiskScoreAtLeast);
    // the gaps the reasons name: of the kinds of the cohort's hcc_gap rules; hcc_gap_value (a priority metric)
    // adds up those, or every kind's when the cohort has no hcc_gap rule
    List<String> hccKinds = d.hccGapKinds();
    String hccValue = hccValue(hccKinds.isEmpty() ? CohortDefinition.HCC_GAP_KINDS : hccKinds);
    String exclusions = "filter(array(" + d.exclude().stream().map(x -> x.equals("opted_out")
            ? "CASE WHEN arrays_overlap(opted_out, array('*', '" + d.name() + "')) THEN 'opted_out' END"
            : "CASE WHEN " + x + " THEN '" + x + "' END").collect(Collectors.joining(", "))
        + (d.exclude().isEmpty() ? "CAST(NULL AS STRING)" : "") + "), x -> x IS NOT NULL)";
    Dataset<Row> evaluated = facts.selectExpr("*",
        (measures.isEmpty() ? "CAST(array() AS ARRAY<STRING>)" : "array_intersect(gaps, array(" + lits(measures) + "))")
            + " AS gap_list",
        (acuteSettings.isEmpty() ? "filter(acute, a -> false)" : "filter(acute, a -> array_contains(array("
            + lits(new ArrayList<>(acuteSettings)) + "), a.s) AND a.d > add_months(" + asOfSql + ", -" + d.acuteMonths()
            + "))") + " AS acute_recent",
        (d.duplicateMonths() == 0 ? "filter(dups, x -> false)" : "filter(dups, x -> x.d > add_months(" + asOfSql + ", -"
            + d.duplicateMonths() + "))") + " AS dups_recent",
        (hccKinds.isEmpty() ? "filter(hcc_gaps, g -> false)" : hccGaps(hccKinds)) + " AS hcc_gap_list",
        d.acuteMonths() + " AS acute_months", d.duplicateMonths() + " AS dup_months", scoreRule + " AS risk_rule",
        paymentYear + " AS hcc_year", exclusions + " AS exclusions_found")
        .filter(inclusion(d, asOfSql))
        .selectExpr("*", "size(gap_list) AS gap_count", "size(acute_recent) AS acute_visits",
            "size(dups_recent) AS duplicate_tests", "round(" + hccValue + ", 6) AS hcc_gap_value",
            "size(exclusions_found) = 0 AS is_listed");
    String order = d.priority().stream().map(k -> k.metric() + (k.descending() ? " DESC NULLS LAST" : " ASC NULLS LAST"))
        .collect(Collectors.joining(", "));
    Dataset<Row> ranked = transitionalCare(d, evaluated, asOfSql).selectExpr("*", "CASE WHEN is_listed THEN CAST(row_number() OVER (PARTITION BY"
        + " is_listed ORDER BY " + (order.isEmpty() ? "" : order + ", ") + "person_key) AS INT) END AS rank_value");
    ReasonText words = new ReasonText(measures, labels(measures));
    String cohort = d.name();
    Date asOfDate = Date.valueOf(asOf);
    MapFunction<Row, Row> toMember = r -> {
      ReasonText.Reasons why = words.of(r);
      return RowFactory.create(cohort, publication, asOfDate, r.getAs("person_key"), r.getAs("person_id"),
          r.<Boolean>getAs("is_listed") ? "listed" : "excluded", r.getAs("rank_value"),
          why.codes().toArray(new String[0]), why.text(),
          r.<scala.collection.Seq<String>>getAs("exclusions_found"), r.getAs("risk_score"), r.getAs("gap_count"),
          r.getAs("acute_visits"), r.getAs("duplicate_tests"), r.getAs("discharge_date"), r.getAs("discharge_setting"),
          r.getAs("visit_complexity"), r.getAs("contact_due"), r.getAs("contact_done"), r.getAs("contact_overdue"),
          r.getAs("visit_due"), r.getAs("visit_done"), r.getAs("visit_overdue"));
    };
    // computed once: written, then counted (the counts are of the rows written, without reading the table back)
    Dataset<Row> members = ranked.map(toMember, Encoders.row(lakehouse.contract(TABLE).schema()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    List<Row> counts;
    try {
      lakehouse.replaceWhere(TABLE, members, "cohort = '" + cohort + "' AND publication = '" + publication + "'");
      counts = members.selectExpr("status", "array_join(exclusions, ',') AS x").groupBy("status", "x").count()
          .orderBy("status", "x").collectAsList();
    } finally {
      members.unpersist();
    }
    Map<String, Long> byExclusion = new LinkedHashMap<>();
    long listed = 0;
    long excluded = 0;
    for (Row c : counts) {
      if (c.getString(0).equals("listed")) {
        listed += c.getLong(2);
      } else {
        excluded += c.getLong(2);
        for (String x : c.getString(1).split(",")) {
          byExclusion.merge(x, c.getLong(2), Long::sum);
        }
      }
    }
    audits.add(audit(cohort, publication, "build", asOf, d.hash(), versions, user, listed, excluded, null));
    LOG.info("cohort {} publication {}: {} listed, {} excluded", cohort, publication, listed, excluded);
    return new Built(cohort, d.title(), publication, listed, excluded, byExclusion);
  }

  private Map<String, String> labels(List<String> measures) {
    Map<String, String> m = new LinkedHashMap<>();
    definitions.reference().gapCodes().forEach(g -> m.putIfAbsent(g.cmsId(), g.label()));
    return m;
  }

  /** The inclusion rules as one SQL condition: every {@code all} rule and at least one {@code any} rule. */
  static String inclusion(CohortDefinition d, String asOfSql) {
    List<String> parts = new ArrayList<>();
    for (Rule r : d.all()) {
      parts.add(condition(r, asOfSql));
    }
    if (!d.any().isEmpty()) {
      parts.add("(" + d.any().stream().map(r -> condition(r, asOfSql)).collect(Collectors.joining(" OR ")) + ")");
    }
    return String.join(" AND ", parts);
  }

  private static String condition(Rule r, String asOfSql) {
    if (r instanceof CareGap g) {
      return "arrays_overlap(gaps, array(" + lits(g.measures()) + "))";
    } else if (r instanceof RiskTier t) {
      return "tier_" + t.tier();
    } else if (r instanceof RiskScoreAtLeast s) {
      return "coalesce(risk_score >= " + s.score() + ", false)";
    } else if (r instanceof RisingRisk) {
      return "tier_rising";
    } else if (r instanceof AcuteUse a) {
      return "size(filter(acute, v -> array_contains(array(" + lits(a.settings()) + "), v.s) AND v.d >"
          + " add_months(" + asOfSql + ", -" + a.months() + "))) >= " + a.atLeast();
    } else if (r instanceof DuplicateTests t) {
      return "size(filter(dups, v -> v.d > add_months(" + asOfSql + ", -" + t.months() + "))) >= " + t.atLeast();
    } else if (r instanceof TransitionalCare t) {
      return "exists(discharges, x -> " + tcmWindow(t, asOfSql) + ")";
    } else if (r instanceof HccGap h) {
      // the sum rounded to 6 decimals (as hcc_gap_value): a threshold must not be missed by a floating-point hair
      return "(size(" + hccGaps(h.kinds()) + ") >= " + h.atLeast() + (h.minValue() <= 0 ? ""
          : " AND round(" + hccValue(h.kinds()) + ", 6) >= " + h.minValue()) + ")";
    }
    throw new IllegalStateException("unknown rule " + r);
  }

  /**
   * The transitional-care columns (null without a transitional_care rule, or for a person without a discharge in
   * its window): the latest discharge of the rule's settings in its window (a stay before an ED visit of the same
   * day), the visit's complexity (high: an inpatient stay or the top 5% of risk), the contact deadline (business
   * days) and the visit deadline (calendar days), the first contact and visit after the discharge, whether each is
   * overdue at as-of (not made and as-of after its deadline); and the priority metrics {@code deadline} (the
   * earliest deadline still open: the contact's, else the visit's) and {@code overdue} (either is).
   */
  private Dataset<Row> transitionalCare(CohortDefinition d, Dataset<Row> rows, String asOfSql) {
    TransitionalCare t = d.transitionalCare();
    return rows.selectExpr("*", (t == null ? "CAST(NULL AS STRUCT<d: DATE, ip: BOOLEAN, s: STRING>)"
            : "array_max(filter(discharges, x -> " + tcmWindow(t, asOfSql) + "))") + " AS tcm_event")
        .selectExpr("*", "tcm_event.d AS discharge_date", "tcm_event.s AS discharge_setting",
            "CASE WHEN tcm_event IS NOT NULL THEN CASE WHEN tcm_event.ip OR tier_top_5pct OR tier_top_1pct THEN 'high'"
                + " ELSE 'moderate' END END AS visit_complexity",
            (t == null ? "CAST(NULL AS DATE)" : "element_at(map(" + contactDue(t) + "), tcm_event.d)") + " AS contact_due",
            "array_min(transform(filter(followups, f -> f.d > tcm_event.d), f -> f.d)) AS contact_done",
            "array_min(transform(filter(followups, f -> f.k = 'visit' AND f.d > tcm_event.d), f -> f.d)) AS visit_done")
        .selectExpr("*", "date_add(discharge_date, CASE WHEN visit_complexity = 'high' THEN "
            + (t == null ? 0 : t.visitDaysHigh()) + " ELSE " + (t == null ? 0 : t.visitDaysModerate()) + " END) AS visit_due")
        .selectExpr("*", "contact_done IS NULL AND " + asOfSql + " > contact_due AS contact_overdue",
            "visit_done IS NULL AND " + asOfSql + " > visit_due AS visit_overdue",
            "CASE WHEN contact_done IS NULL THEN contact_due WHEN visit_done IS NULL THEN visit_due END AS deadline")
        .selectExpr("*", "contact_overdue OR visit_overdue AS overdue").drop("tcm_event");
  }

  /** A discharge {@code x} of the rule's settings inside its window (as-of and the days before it). */
  private static String tcmWindow(TransitionalCare t, String asOfSql) {
    return "array_contains(array(" + lits(t.settings()) + "), x.s) AND x.d > date_sub(" + asOfSql + ", " + t.days() + ")";
  }

  /**
   * The contact deadline of every discharge date the rule's window holds, as SQL map entries (discharge date,
   * deadline): {@link BusinessDays} computes them, so the rule of business days is in one place; they enter the
   * publication id, so a changed holiday calendar is a new publication.
   */
  private String contactDue(TransitionalCare t) {
    BusinessDays days = businessDays(t.calendar());
    List<String> entries = new ArrayList<>();
    for (LocalDate dd = asOf.minusDays(t.days() - 1L); !dd.isAfter(asOf); dd = dd.plusDays(1)) {
      entries.add("DATE'" + dd + "', DATE'" + days.after(dd, t.contactBusinessDays()) + "'");
    }
    return String.join(", ", entries);
  }

  private BusinessDays businessDays(String name) {
    return calendars.computeIfAbsent(name, n -> BusinessDays.load(calendarLocation, n));
  }

  /** Warns when a contact deadline of the cohort's window is computed over days outside the calendar's years. */
  private void warnUncovered(CohortDefinition d) {
    TransitionalCare t = d.transitionalCare();
    if (t == null) {
      return;
    }
    BusinessDays days = businessDays(t.calendar());
    LocalDate first = asOf.minusDays(t.days() - 1L);
    LocalDate last = days.after(asOf, t.contactBusinessDays());
    if (!days.covers(first) || !days.covers(last)) {
      LOG.warn("cohort {}: the holiday calendar {} covers {}-{}, but contact deadlines run from {} to {}: days outside"
          + " those years skip weekends only (add their holidays to the calendar, cohorts.calendar)", d.name(),
          t.calendar(), days.firstYear(), days.lastYear(), first, last);
    }
  }

  /** The person's open risk-adjustment gaps (facts column hcc_gaps: kind k, label l, value v) of these kinds. */
  private static String hccGaps(List<String> kinds) {
    return "filter(hcc_gaps, g -> array_contains(array(" + lits(kinds) + "), g.k))";
  }

  /** The summed value of those gaps (a gap without a value adds 0). */
  private static String hccValue(List<String> kinds) {
    return "aggregate(" + hccGaps(kinds) + ", CAST(0 AS DOUBLE), (s, g) -> s + coalesce(g.v, CAST(0 AS DOUBLE)))";
  }

  private static String lits(List<String> values) {
    return values.stream().map(v -> "'" + v.replace("'", "") + "'").collect(Collectors.joining(", "));
  }

  /**
   * One ops.publication audit row, stamped now; the job appends its rows together ({@link #appendAudit}): one
   * commit per run rather than one per cohort.
   */
  static Row audit(String cohort, String publication, String action, LocalDate asOf, String hash,
      Map<String, Long> versions, String user, long listed, long excluded, PublishCohorts.Published p) {
    return RowFactory.create(cohort, publication, action, Date.valueOf(asOf), hash,
        new java.util.TreeMap<>(versions),
        user, Timestamp.from(Instant.now()), listed, excluded,
        p == null ? null : p.added(), p == null ? null : p.removed(), p == null ? null : p.stillListed(),
        p == null ? null : p.previousPublication(), p == null ? null : p.location(),
        p == null ? null : p.files().toArray(new String[0]), org.pophealth.ops.Provenance.current().host(),
        org.pophealth.ops.Provenance.current().version(), org.pophealth.ops.Provenance.current().gitCommit());
  }

  /** Appends the run's audit rows to ops.publication, in their order, in one commit (none when there are none). */
  static void appendAudit(Lakehouse lakehouse, List<Row> rows) {
    if (!rows.isEmpty()) {
      lakehouse.append(AUDIT, lakehouse.spark().createDataFrame(rows, lakehouse.contract(AUDIT).schema()));
    }
  }
}
