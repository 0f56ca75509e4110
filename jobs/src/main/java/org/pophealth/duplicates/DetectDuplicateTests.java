package org.pophealth.duplicates;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code detect-duplicate-tests}: reads {@code silver.event}, applies the rules of
 * {@code measures/duplicate-tests/} and replaces {@code gold.duplicate_test_event} and
 * {@code gold.duplicate_test_rate}. Set-based throughout (joins and window functions, no per-row
 * driver loops); ids are hashes of the input records, so a re-run on the same events writes the same
 * rows.
 *
 * <p>Steps: (1) events whose codes match a family; (2) records of one test grouped into units (EHR:
 * same person, family and time, i.e. a panel and its components; claims: same claim, family and
 * date, one unit per repeated code line, intentional-modifier lines alone); (3) professional (26) and
 * technical (TC) halves paired into one study (same person, family, code and date); (4) claim studies
 * matched one-to-one to EHR tests of the same person and family at most 1 day apart (mutual nearest,
 * a few rounds); (5) tests in excluded settings dropped; (6) each test compared with the person's
 * previous test of the family (lag); (7) diagnosis exclusions looked up; (8) kinds and rates.
 */
public final class DetectDuplicateTests {
  private static final Logger LOG = LoggerFactory.getLogger(DetectDuplicateTests.class);
  static final String EVENT_TABLE = "gold.duplicate_test_event";
  static final String RATE_TABLE = "gold.duplicate_test_rate";
  /** Rounds of mutual-nearest matching between claim and EHR records of the same test. */
  private static final int MATCH_ROUNDS = 3;

  private final Lakehouse lakehouse;
  private final DuplicateTestRules rules;
  private int minCellSize = 11;

  public DetectDuplicateTests(Lakehouse lakehouse, DuplicateTestRules rules) {
    this.lakehouse = lakehouse;
    this.rules = rules;
  }

  /** Cells of the rate table with fewer tests than this are suppressed (default 11). */
  public DetectDuplicateTests minCellSize(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("duplicates.min_cell_size must be at least 1: " + n);
    }
    this.minCellSize = n;
    return this;
  }

  /** Figures of one family over all months (unsuppressed: for the job's own summary). */
  public record FamilyFigures(String family, long tests, long duplicates, long sameDay, long intentional,
      long excludedDiagnosis, long lowValue, java.math.BigDecimal duplicateCost, long personsTested,
      long personsWithDuplicate) {
    public double rate() {
      return tests == 0 ? 0 : (double) duplicates / tests;
    }
  }

  /** All families by year: the trend. */
  public record YearFigures(int year, long tests, long duplicates) {
    public double rate() {
      return tests == 0 ? 0 : (double) duplicates / tests;
    }
  }

  public record Result(
      long eventsMatched,
      long tests,
      long testsExcludedSetting,
      long ehrClaimMerged,
      long halvesMerged,
      long repeats,
      long duplicates,
      long rateRows,
      long suppressedRows,
      List<FamilyFigures> byFamily,
      List<YearFigures> byYear,
      double seconds) {}

  public Result execute() {
    try {
      return detect();
    } finally {
      // the job's intermediate views (dup_*) do not outlive it on a shared session
      SparkSession spark = lakehouse.spark();
      for (org.apache.spark.sql.catalyst.TableIdentifier t : scala.collection.JavaConverters.seqAsJavaList(
          spark.sessionState().catalog().listLocalTempViews("dup_*"))) {
        spark.catalog().dropTempView(t.table());
      }
    }
  }

  private Result detect() {
    long t0 = System.nanoTime();
    // persons, not records: refused on unlinked multi-source data (person_key comes from silver.event.person_id)
    org.pophealth.identity.PersonKeys.crosswalk(lakehouse, "detect-duplicate-tests");
    SparkSession spark = lakehouse.spark();
    List<Dataset<Row>> cached = new ArrayList<>();
    try {
      registerRulesAndEvents(spark);
      Dataset<Row> withUnit = keep(cached, records(spark));
      keep(cached, studies(spark));
      keep(cached, linkClaimsToEhr(spark));
      keep(cached, tests(spark));
      Dataset<Row> repeats = keep(cached, repeats(spark));
      replace(EVENT_TABLE, repeats);
      Dataset<Row> rates = keep(cached, rates(spark));
      replace(RATE_TABLE, rates);
      Result result = figures(spark, withUnit, rates, t0);
      LOG.info("detect-duplicate-tests: {} records, {} tests ({} in excluded settings), {} repeats, {} duplicates, "
              + "{} rate rows ({} suppressed), {} s",
          result.eventsMatched(), result.tests(), result.testsExcludedSetting(), result.repeats(), result.duplicates(),
          result.rateRows(), result.suppressedRows(), String.format("%.1f", result.seconds()));
      return result;
    } finally {
      cached.forEach(Dataset::unpersist);
    }
  }

  private static Dataset<Row> keep(List<Dataset<Row>> cached, Dataset<Row> d) {
    cached.add(d);
    return d;
  }

  /** The rule tables (dup_rule, dup_code, dup_excl) and the candidate events (dup_ev) as views. */
  private void registerRulesAndEvents(SparkSession spark) {
    rules.familiesFrame(spark).createOrReplaceTempView("dup_rule");
    rules.codesFrame(spark).createOrReplaceTempView("dup_code");
    rules.exclusionsFrame(spark).createOrReplaceTempView("dup_excl");
    String codeList = rules.codes().stream().map(c -> "'" + c.code().replace("'", "''") + "'").distinct()
        .collect(Collectors.joining(","));
    lakehouse.read("silver.event")
        .filter("event_kind IN ('lab', 'procedure', 'diagnostic_report', 'observation') AND exists(codes, x -> x.code IN ("
            + codeList + "))")
        .createOrReplaceTempView("dup_ev");
  }

  /** Records of a family with their setting and modifier flags (dup_m0), and their unit ids (dup_m1). */
  private Dataset<Row> records(SparkSession spark) {
    // (1) events of a family, with their setting and modifier flags
    Dataset<Row> matched = spark.sql("""
        WITH hit AS (
          SELECT e.event_id, c.family, min(x.code) AS matched_code, min(x.system) AS matched_system
          FROM (SELECT event_id, explode(codes) AS x FROM dup_ev) e
          JOIN dup_code c ON c.system = x.system AND c.code = x.code
          GROUP BY e.event_id, c.family)
        SELECT h.family, h.matched_code, h.matched_system, e.event_id, e.source, e.patient_id, e.person_id,
               coalesce(e.person_id, concat(e.source, ':', e.patient_id)) AS person_key,
               e.event_kind, e.event_date, e.start_time, e.claim_id, e.claim_line, e.claim_id IS NOT NULL AS is_claim,
               coalesce(e.modifiers, array()) AS mods, e.allowed_amount,
               e.practitioner_id, e.practitioner_npi, e.organization_id, e.organization_npi,
               CASE e.event_kind WHEN 'diagnostic_report' THEN 0 WHEN 'procedure' THEN 1 WHEN 'lab' THEN 2 ELSE 3 END AS kind_order,
               arrays_overlap(coalesce(e.modifiers, array()), r.intentional_modifiers) AS intentional,
               CASE WHEN arrays_overlap(coalesce(e.modifiers, array()), r.professional_modifiers) THEN 'P'
                    WHEN arrays_overlap(coalesce(e.modifiers, array()), r.technical_modifiers) THEN 'T' END AS half,
               (coalesce(array_contains(r.exclude_pos, e.place_of_service), false)
                 OR coalesce(exists(r.exclude_bill_type, p -> substr(
                      CASE WHEN length(e.bill_type) = 4 AND substr(e.bill_type, 1, 1) = '0' THEN substr(e.bill_type, 2)
                           ELSE e.bill_type END, 1, length(p)) = p), false)
                 OR coalesce(array_contains(r.exclude_encounter_class, e.encounter_class), false)) AS excluded_setting
        FROM hit h JOIN dup_ev e ON e.event_id = h.event_id
        JOIN dup_rule r ON r.family = h.family
        """);
    matched.createOrReplaceTempView("dup_m0");

    // (2) units: records that are certainly one test
    Dataset<Row> withUnit = spark.sql("""
        SELECT *, substr(sha2(CASE WHEN NOT is_claim THEN
                     concat_ws('|', 'e', person_key, family, coalesce(CAST(start_time AS STRING), CAST(event_date AS STRING)))
                   ELSE concat_ws('|', 'c', source, claim_id, family, CAST(event_date AS STRING), coalesce(half, 'G'),
                     CASE WHEN intentional THEN concat('L', CAST(claim_line AS STRING)) ELSE concat('K', CAST(
                       row_number() OVER (PARTITION BY source, claim_id, family, event_date, matched_code, half, intentional
                                          ORDER BY claim_line, event_id) AS STRING)) END) END, 256), 1, 32) AS unit_id
        FROM dup_m0
        """).persist(StorageLevel.MEMORY_AND_DISK());
    withUnit.createOrReplaceTempView("dup_m1");
    return withUnit;

  }

  /** Units paired 26/TC into studies (dup_unit, dup_study). */
  private Dataset<Row> studies(SparkSession spark) {
    spark.sql("""
        WITH u AS (
          SELECT unit_id, first(person_key) AS person_key, first(family) AS family, first(is_claim) AS is_claim,
                 min(event_date) AS d, min(start_time) AS ts, min(matched_code) AS code, max(half) AS half
          FROM dup_m1 GROUP BY unit_id)
        SELECT unit_id, person_key, family, is_claim, d, ts,
               CASE WHEN half IS NULL OR NOT is_claim THEN unit_id
                    ELSE substr(sha2(concat_ws('|', 's', person_key, family, code, CAST(d AS STRING), CAST(
                      row_number() OVER (PARTITION BY person_key, family, code, d, half ORDER BY unit_id) AS STRING)), 256), 1, 32)
               END AS study_id
        FROM u
        """).createOrReplaceTempView("dup_unit");
    Dataset<Row> studies = spark.sql("""
        SELECT study_id, first(person_key) AS person_key, first(family) AS family, first(is_claim) AS is_claim,
               min(d) AS d, min(ts) AS ts
        FROM dup_unit GROUP BY study_id
        """).persist(StorageLevel.MEMORY_AND_DISK());
    studies.createOrReplaceTempView("dup_study");
    return studies;

  }

  /** Claim studies linked to EHR tests (dup_link); returns the candidate pairs (cached). */
  private Dataset<Row> linkClaimsToEhr(SparkSession spark) {
    // (4) claim study <-> EHR test, same person and family, at most 1 day apart: mutual nearest, in rounds
    Dataset<Row> pairs = spark.sql("""
        SELECT c.study_id AS c_id, e.study_id AS e_id, abs(datediff(c.d, e.d)) AS dist, c.d AS c_d, e.ts AS e_ts
        FROM dup_study c JOIN dup_study e
          ON c.person_key = e.person_key AND c.family = e.family AND c.is_claim AND NOT e.is_claim
         AND e.d BETWEEN date_sub(c.d, 1) AND date_add(c.d, 1)
        """).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> links = spark.emptyDataFrame().selectExpr("CAST(NULL AS STRING) AS c_id", "CAST(NULL AS STRING) AS e_id")
        .limit(0);
    for (int round = 0; round < MATCH_ROUNDS; round++) {
      pairs.join(links.select("c_id"), scala.collection.JavaConverters.asScalaBuffer(List.of("c_id")).toList(),
              "left_anti")
          .join(links.select("e_id"), scala.collection.JavaConverters.asScalaBuffer(List.of("e_id")).toList(),
              "left_anti")
          .createOrReplaceTempView("dup_pair_open");
      Dataset<Row> chosen = spark.sql("""
          SELECT c_id, e_id FROM (
            SELECT c_id, e_id,
                   row_number() OVER (PARTITION BY c_id ORDER BY dist, e_ts, e_id) AS rc,
                   row_number() OVER (PARTITION BY e_id ORDER BY dist, c_d, c_id) AS re
            FROM dup_pair_open) WHERE rc = 1 AND re = 1
          """);
      links = links.union(chosen).localCheckpoint();
    }
    links.createOrReplaceTempView("dup_link");
    return pairs;

  }

  /** Every record with its test id (dup_member) and the tests (dup_test). */
  private Dataset<Row> tests(SparkSession spark) {
    Dataset<Row> members = spark.sql("""
        SELECT m.*, coalesce(l.e_id, u.study_id) AS test_id
        FROM dup_m1 m JOIN dup_unit u ON u.unit_id = m.unit_id
        LEFT JOIN dup_link l ON l.c_id = u.study_id
        """);
    members.createOrReplaceTempView("dup_member");
    Dataset<Row> tests = spark.sql("""
        SELECT test_id, first(person_key) AS person_key, max(person_id) AS person_id, first(family) AS family,
               coalesce(min(CASE WHEN NOT is_claim THEN event_date END), min(event_date)) AS test_date,
               coalesce(min(CASE WHEN NOT is_claim THEN start_time END), min(start_time)) AS test_ts,
               min_by(named_struct('code', matched_code, 'system', matched_system),
                      named_struct('c', is_claim, 'k', kind_order, 'id', event_id)) AS coding,
               min_by(named_struct('id', practitioner_id, 'npi', practitioner_npi),
                      named_struct('n', practitioner_id IS NULL AND practitioner_npi IS NULL, 'c', is_claim, 'k', kind_order, 'id', event_id)) AS pr,
               min_by(named_struct('id', organization_id, 'npi', organization_npi),
                      named_struct('n', organization_id IS NULL AND organization_npi IS NULL, 'c', is_claim, 'k', kind_order, 'id', event_id)) AS org,
               array_sort(collect_set(source)) AS sources, array_sort(collect_list(event_id)) AS event_ids,
               array_sort(array_distinct(flatten(collect_list(mods)))) AS modifiers,
               sum(CASE WHEN is_claim THEN allowed_amount END) AS cost,
               max(intentional) AS intentional, max(excluded_setting) AS excluded_setting,
               max(NOT is_claim) AND max(is_claim) AS ehr_claim_merged,
               size(collect_set(half)) = 2 AS halves_merged
        FROM dup_member GROUP BY test_id
        """)
        .selectExpr("*", "coalesce(pr.npi, pr.id) AS practitioner_key", "coalesce(org.npi, org.id) AS organization_key",
            "CAST(trunc(test_date, 'MM') AS DATE) AS month")
        .persist(StorageLevel.MEMORY_AND_DISK());
    tests.createOrReplaceTempView("dup_test");
    return tests;

  }

  /** Repeats of a test within the family's window (dup_cand), with diagnosis exclusions (dup_dx, dup_repeat). */
  private Dataset<Row> repeats(SparkSession spark) {
    // (6) previous test of the family for the person, among tests outside excluded settings
    spark.sql("""
        SELECT c.* FROM (
          SELECT t.*, r.window_days, r.low_value_days, r.dx_exclusion,
                 lag(named_struct('id', test_id, 'd', test_date, 'code', coding.code, 'sources', sources,
                     'pk', practitioner_key, 'ok', organization_key, 'ids', event_ids))
                   OVER (PARTITION BY person_key, t.family
                         ORDER BY test_date, test_ts, intentional, event_ids[0], test_id) AS prev
          FROM dup_test t JOIN dup_rule r ON r.family = t.family
          WHERE NOT t.excluded_setting) c
        WHERE prev IS NOT NULL
          AND datediff(test_date, prev.d) <= greatest(window_days, coalesce(low_value_days, 0))
        """).createOrReplaceTempView("dup_cand");

    // (7) diagnosis exclusions near the repeat
    spark.sql("""
        SELECT coalesce(e.person_id, concat(e.source, ':', e.patient_id)) AS person_key, x.exclusion,
               upper(replace(cd.code, '.', '')) AS dx_code, x.reason, e.event_date AS dx_start,
               CASE WHEN x.while_active THEN coalesce(to_date(e.end_time),
                      CASE WHEN e.claim_id IS NULL AND e.status = 'active' THEN DATE '9999-12-31' END, e.event_date)
                    ELSE e.event_date END AS dx_end,
               x.days_before, x.days_after
        FROM (SELECT *, explode(codes) AS cd FROM %s WHERE event_kind = 'diagnosis' AND event_date IS NOT NULL) e
        JOIN dup_excl x ON x.system = cd.system
         AND substr(upper(replace(cd.code, '.', '')), 1, 3) BETWEEN x.dx_from AND x.dx_to
        """.formatted(eventView(spark))).createOrReplaceTempView("dup_dx");
    Dataset<Row> repeats = spark.sql("""
        WITH ex AS (
          SELECT c.test_id, min_by(named_struct('code', d.dx_code, 'reason', d.reason), named_struct('s', d.dx_start, 'c', d.dx_code)) AS ex
          FROM dup_cand c JOIN dup_dx d
            ON d.person_key = c.person_key AND d.exclusion = c.dx_exclusion
           AND d.dx_start <= date_add(c.test_date, d.days_after) AND d.dx_end >= date_sub(c.test_date, d.days_before)
          GROUP BY c.test_id)
        SELECT c.test_id AS repeat_test_id, c.family,
               CASE WHEN c.intentional THEN 'intentional'
                    WHEN ex.ex IS NOT NULL THEN 'excluded_diagnosis'
                    WHEN datediff(c.test_date, c.prev.d) = 0 THEN 'same_day'
                    WHEN datediff(c.test_date, c.prev.d) <= c.window_days THEN 'duplicate'
                    ELSE 'low_value' END AS kind,
               c.person_key, c.person_id, c.prev.id AS first_test_id, c.prev.d AS first_date, c.prev.code AS first_code,
               c.prev.sources AS first_sources, c.prev.pk AS first_practitioner_key, c.prev.ok AS first_organization_key,
               c.test_date AS repeat_date, c.coding.code AS repeat_code, c.coding.system AS repeat_code_system,
               datediff(c.test_date, c.prev.d) AS days_apart, c.window_days, c.low_value_days,
               c.practitioner_key, c.pr.id AS practitioner_id, c.pr.npi AS practitioner_npi,
               c.organization_key, c.org.id AS organization_id, c.org.npi AS organization_npi,
               c.sources AS repeat_sources, c.event_ids AS repeat_event_ids, c.prev.ids AS first_event_ids,
               c.modifiers, ex.ex.code AS exclusion_code, ex.ex.reason AS exclusion_reason,
               CAST(c.cost AS DECIMAL(18,2)) AS repeat_cost, c.month
        FROM dup_cand c LEFT JOIN ex ON ex.test_id = c.test_id
        """).persist(StorageLevel.MEMORY_AND_DISK());
    repeats.createOrReplaceTempView("dup_repeat");
    return repeats;
  }

  /** Rates per family, month, organisation and provider, small cells suppressed. */
  private Dataset<Row> rates(SparkSession spark) {
    // (8) rates
    Dataset<Row> rates = spark.sql("""
        WITH t AS (
          SELECT t.family, t.month, t.practitioner_key, t.organization_key, t.person_key, r.kind, r.repeat_cost
          FROM dup_test t LEFT JOIN dup_repeat r ON r.repeat_test_id = t.test_id
          WHERE NOT t.excluded_setting),
        g AS (
          SELECT family, month, practitioner_key, organization_key,
                 grouping(month) AS g_m, grouping(organization_key) AS g_o, grouping(practitioner_key) AS g_p,
                 count(*) AS tests, count_if(kind = 'duplicate') AS duplicates,
                 sum(CASE WHEN kind = 'duplicate' THEN repeat_cost END) AS duplicate_cost,
                 count_if(kind = 'same_day') AS same_day_repeats, count_if(kind = 'intentional') AS intentional_repeats,
                 count_if(kind = 'excluded_diagnosis') AS excluded_diagnosis, count_if(kind = 'low_value') AS low_value_repeats,
                 count(DISTINCT person_key) AS persons_tested,
                 count(DISTINCT CASE WHEN kind = 'duplicate' THEN person_key END) AS persons_with_duplicate
          FROM t
          GROUP BY family, month, practitioner_key, organization_key
          GROUPING SETS ((family), (family, month), (family, month, organization_key),
                                  (family, month, practitioner_key, organization_key))),
        s AS (
          SELECT CASE WHEN g_m = 1 THEN 'family' WHEN g_o = 1 THEN 'family_month'
                      WHEN g_p = 1 THEN 'family_organization_month' ELSE 'family_provider_organization_month' END AS level,
                 family, month, practitioner_key, organization_key, tests < %d AS suppressed,
                 tests, duplicates, duplicates / tests AS duplicate_rate, duplicate_cost, same_day_repeats,
                 intentional_repeats, excluded_diagnosis, low_value_repeats, persons_tested, persons_with_duplicate,
                 persons_with_duplicate / persons_tested AS person_rate
          FROM g),
        v AS (
          SELECT level, family, month, practitioner_key, organization_key, suppressed,
                 IF(suppressed, NULL, tests) AS tests, IF(suppressed, NULL, duplicates) AS duplicates,
                 IF(suppressed, NULL, duplicate_rate) AS duplicate_rate, IF(suppressed, NULL, duplicate_cost) AS duplicate_cost,
                 IF(suppressed, NULL, same_day_repeats) AS same_day_repeats,
                 IF(suppressed, NULL, intentional_repeats) AS intentional_repeats,
                 IF(suppressed, NULL, excluded_diagnosis) AS excluded_diagnosis,
                 IF(suppressed, NULL, low_value_repeats) AS low_value_repeats,
                 IF(suppressed, NULL, persons_tested) AS persons_tested,
                 IF(suppressed, NULL, persons_with_duplicate) AS persons_with_duplicate,
                 IF(suppressed, NULL, person_rate) AS person_rate
          FROM s)
        SELECT v.*,
               CASE WHEN month IS NOT NULL AND lag(month) OVER w = add_months(month, -1)
                    THEN duplicate_rate - lag(duplicate_rate) OVER w END AS rate_change
        FROM v
        WINDOW w AS (PARTITION BY level, family, practitioner_key, organization_key ORDER BY month)
        """.formatted(minCellSize)).persist(StorageLevel.MEMORY_AND_DISK());
    return rates;
  }

  /** The run's counts, by family and by year; checks that every matched record is in one test. */
  private Result figures(SparkSession spark, Dataset<Row> withUnit, Dataset<Row> rates, long t0) {
    Row tc = spark.sql("""
        SELECT count(*), count_if(excluded_setting), count_if(ehr_claim_merged), count_if(halves_merged),
               coalesce(sum(size(event_ids)), 0) FROM dup_test
        """).head();
    Row rc = spark.sql("SELECT count(*), count_if(kind = 'duplicate') FROM dup_repeat").head();
    Row sc = rates.selectExpr("count(*)", "count_if(suppressed)").head();
    List<FamilyFigures> byFamily = new ArrayList<>();
    for (Row r : spark.sql("""
        SELECT t.family, count(*), count_if(kind = 'duplicate'), count_if(kind = 'same_day'),
               count_if(kind = 'intentional'), count_if(kind = 'excluded_diagnosis'), count_if(kind = 'low_value'),
               sum(CASE WHEN kind = 'duplicate' THEN repeat_cost END), count(DISTINCT t.person_key),
               count(DISTINCT CASE WHEN kind = 'duplicate' THEN t.person_key END)
        FROM dup_test t LEFT JOIN dup_repeat r ON r.repeat_test_id = t.test_id
        WHERE NOT t.excluded_setting GROUP BY t.family ORDER BY t.family
        """).collectAsList()) {
      byFamily.add(new FamilyFigures(r.getString(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4),
          r.getLong(5), r.getLong(6), r.getDecimal(7), r.getLong(8), r.getLong(9)));
    }
    List<YearFigures> byYear = new ArrayList<>();
    for (Row r : spark.sql("""
        SELECT year(t.test_date) AS y, count(*), count_if(kind = 'duplicate')
        FROM dup_test t LEFT JOIN dup_repeat r ON r.repeat_test_id = t.test_id
        WHERE NOT t.excluded_setting GROUP BY y ORDER BY y
        """).collectAsList()) {
      byYear.add(new YearFigures(r.getInt(0), r.getLong(1), r.getLong(2)));
    }
    long membersTotal = tc.getLong(4);
    long eventsMatched = withUnit.count();
    if (membersTotal != eventsMatched) {
      throw new IllegalStateException("duplicate tests: " + eventsMatched + " matched records but " + membersTotal
          + " in tests");
    }
    return new Result(eventsMatched, tc.getLong(0), tc.getLong(1), tc.getLong(2), tc.getLong(3),
        rc.getLong(0), rc.getLong(1), sc.getLong(0), sc.getLong(1), byFamily, byYear,
        (System.nanoTime() - t0) / 1e9);
  }

  private String eventView(SparkSession spark) {
    lakehouse.read("silver.event").createOrReplaceTempView("dup_all_events");
    return "dup_all_events";
  }

  private void replace(String table, Dataset<Row> rows) {
    lakehouse.ensure(table);
    lakehouse.conform(rows, table).write().format("delta").mode("overwrite").save(lakehouse.path(table));
  }
}
