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
import org.pophealth.cohorts.CohortDefinition.AcuteUse;
import org.pophealth.cohorts.CohortDefinition.CareGap;
import org.pophealth.cohorts.CohortDefinition.DuplicateTests;
import org.pophealth.cohorts.CohortDefinition.HccGap;
import org.pophealth.cohorts.CohortDefinition.RiskScoreAtLeast;
import org.pophealth.cohorts.CohortDefinition.RiskTier;
import org.pophealth.cohorts.CohortDefinition.RisingRisk;
import org.pophealth.cohorts.CohortDefinition.Rule;
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
        definitions.reference()).execute(acuteMonths, dupMonths);
    Dataset<Row> f = facts.facts().persist(StorageLevel.MEMORY_AND_DISK());
    String user = org.pophealth.ops.Provenance.current().user();
    List<Built> built = new ArrayList<>();
    try {
      for (CohortDefinition d : defs) {
        built.add(buildOne(d, f, facts.versions(), user));
      }
    } finally {
      f.unpersist();
    }
    return new Result(asOf, attr, List.copyOf(built), facts.versions(), (System.nanoTime() - t0) / 1e9);
  }

  /** Deterministic publication id: as-of date + 8 hex of the definition, period, payment year and versions. */
  String publicationId(CohortDefinition d, Map<String, Long> versions) {
    String basis = d.name() + "|" + d.hash() + "|" + asOf + "|" + periodStart + "|" + periodEnd + "|" + paymentYear
        + "|" + versions;
    return asOf.toString().replace("-", "") + "-" + LoadCohortDefinitions.sha256(
        basis.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 8);
  }

  private Built buildOne(CohortDefinition d, Dataset<Row> facts, Map<String, Long> versions, String user) {
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
    Dataset<Row> ranked = evaluated.selectExpr("*", "CASE WHEN is_listed THEN CAST(row_number() OVER (PARTITION BY"
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
          r.getAs("acute_visits"), r.getAs("duplicate_tests"));
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
    audit(lakehouse, cohort, publication, "build", asOf, d.hash(), versions, user, listed, excluded, null);
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
    } else if (r instanceof HccGap h) {
      // the sum rounded to 6 decimals (as hcc_gap_value): a threshold must not be missed by a floating-point hair
      return "(size(" + hccGaps(h.kinds()) + ") >= " + h.atLeast() + (h.minValue() <= 0 ? ""
          : " AND round(" + hccValue(h.kinds()) + ", 6) >= " + h.minValue()) + ")";
    }
    throw new IllegalStateException("unknown rule " + r);
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

  /** Appends one audit row to ops.publication. */
  static void audit(Lakehouse lakehouse, String cohort, String publication, String action, LocalDate asOf, String hash,
      Map<String, Long> versions, String user, long listed, long excluded, PublishCohorts.Published p) {
    var schema = lakehouse.contract(AUDIT).schema();
    Row row = RowFactory.create(cohort, publication, action, Date.valueOf(asOf), hash,
        new java.util.TreeMap<>(versions),
        user, Timestamp.from(Instant.now()), listed, excluded,
        p == null ? null : p.added(), p == null ? null : p.removed(), p == null ? null : p.stillListed(),
        p == null ? null : p.previousPublication(), p == null ? null : p.location(),
        p == null ? null : p.files().toArray(new String[0]), org.pophealth.ops.Provenance.current().host(),
        org.pophealth.ops.Provenance.current().version(), org.pophealth.ops.Provenance.current().gitCommit());
    lakehouse.append(AUDIT, lakehouse.spark().createDataFrame(List.of(row), schema));
  }
}
