package org.pophealth.cohorts;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.pophealth.lakehouse.Lakehouse;

/**
 * One row per person who could be on a cohort (an open care gap, a risk score, acute use, a duplicate
 * test, an open risk-adjustment gap or a recent discharge), with everything the inclusion rules, exclusions and
 * reasons need.
 * Every input is read at the Delta version recorded in {@link Result#versions()}, so a publication can be
 * rebuilt exactly. An input table that does not exist (e.g. gold.hcc_gap before find-hcc-gaps ran) is
 * read as its empty first version: the rules on it hold for nobody, the others are unaffected.
 *
 * <p>Risk-adjustment gaps ({@code hcc_gaps}): the payment year's open gold.hcc_gap rows, one per (gap kind,
 * HCC label) of the person. gold.hcc_gap has a row per model, and the V24 and V28 rows of one condition
 * carry the same CMS label while their HCC numbers differ (Diabetes with Chronic Complications is V24 HCC18
 * and V28 HCC37), so the label is what identifies the condition across models: it counts once, with the
 * larger of its rows' values (a row without a label stands alone, as "V28 HCC 37"). Where V28 renamed a
 * condition (V24 "Congestive Heart Failure", V28 "Heart Failure, Except End-Stage and Acute") the two rows
 * count as two gaps: gold.hcc_gap does not link them.
 */
final class CollectPersonFacts {
  /** Tables read by build-cohorts (and, for gold.person and gold.attribution, by publish at the same versions). */
  static final List<String> INPUTS = List.of("gold.care_gap", "gold.risk_score", "gold.risk_factor",
      "gold.duplicate_test_event", "silver.event", "silver.patient", "silver.eligibility", "gold.identity_crosswalk",
      "gold.person", "gold.attribution", "ops.cohort_opt_out", "gold.hcc_gap");

  private final Lakehouse lakehouse;
  private final LocalDate asOf;
  private final LocalDate periodStart;
  private final LocalDate periodEnd;
  private final int paymentYear;
  private final CohortReference reference;
  private int tcmDays;

  CollectPersonFacts(Lakehouse lakehouse, LocalDate asOf, LocalDate periodStart, LocalDate periodEnd, int paymentYear,
      CohortReference reference) {
    this.lakehouse = lakehouse;
    this.asOf = asOf;
    this.periodStart = periodStart;
    this.periodEnd = periodEnd;
    this.paymentYear = paymentYear;
    this.reference = reference;
  }

  record Result(Dataset<Row> facts, Map<String, Long> versions) {}

  /**
   * Collect discharges (the longest transitional_care window any cohort asks for, days; 0: none): facts
   * {@code discharges} (d: the ED visit's or inpatient stay's end date, the claim's through date; s: ed or
   * inpatient; ip: s is inpatient, so the latest of a day is the stay) and {@code followups} (d: the date of
   * an event of tcm_follow_up.csv; k: visit or contact) in the window up to as-of. An inpatient stay without an
   * end (still admitted) or ending after as-of is no discharge yet; an ED visit without an end ends on its day.
   * From claims, an inpatient discharge is the facility's (institutional) claim: a professional claim at an
   * inpatient place of service is a physician's visit during the stay, not its end.
   */
  CollectPersonFacts transitionalCare(int days) {
    this.tcmDays = days;
    return this;
  }

  /** {@code acuteMonths}, {@code duplicateMonths}: the longest windows any cohort asks for (0: none). */
  Result execute(int acuteMonths, int duplicateMonths) {
    SparkSession spark = lakehouse.spark();
    Map<String, Long> versions = new TreeMap<>();
    for (String t : INPUTS) {
      long v = lakehouse.version(t);
      // an absent table is recorded as version 0, the empty first version it would have when created (so a
      // publication id does not depend on whether another job created the table already)
      versions.put(t, Math.max(v, 0));
      lakehouse.readVersion(t, Math.max(v, 0)).createOrReplaceTempView("coh_" + t.replace('.', '_'));
    }
    reference.gapCodesFrame(spark).createOrReplaceTempView("coh_gap_code");
    String d = "DATE'" + asOf + "'";
    String edClasses = inList("ed", "encounter_class");
    String ipClasses = inList("inpatient", "encounter_class");
    String edPos = inList("ed", "place_of_service");
    String ipPos = inList("inpatient", "place_of_service");
    String ipBill = prefixes("inpatient", reference.acute().stream()
        .filter(a -> a.setting().equals("inpatient") && a.kind().equals("bill_type")).map(a -> a.value()).toList());
    String edBill = prefixes("ed", reference.acute().stream()
        .filter(a -> a.setting().equals("ed") && a.kind().equals("bill_type")).map(a -> a.value()).toList());
    String hospiceCodes = reference.hospice().stream().filter(h -> h.kind().equals("code"))
        .map(h -> "named_struct('system', '" + q(h.systemUri()) + "', 'code', '" + q(h.value()) + "')")
        .collect(Collectors.joining(", "));
    String hospicePos = literals(reference.hospice().stream().filter(h -> h.kind().equals("place_of_service"))
        .map(h -> h.value()).toList());
    String hospiceBill = prefixes("hospice", reference.hospice().stream().filter(h -> h.kind().equals("bill_type"))
        .map(h -> h.value()).toList());
    String pk = "coalesce(person_id, concat(source, ':', patient_id))";
    spark.sql("""
        SELECT %s AS person_key, person_id, source, patient_id, event_kind, codes, event_date, start_time, value_num,
               encounter_class, place_of_service, end_time, claim_id, claim_type,
               CASE WHEN length(bill_type) = 4 AND substr(bill_type, 1, 1) = '0' THEN substr(bill_type, 2) ELSE bill_type END AS bill
        FROM coh_silver_event WHERE event_date <= %s
        """.formatted(pk, d)).createOrReplaceTempView("coh_ev");

    String sql = """
        WITH gaps AS (
          SELECT person_key, max(person_id) AS person_id, array_sort(collect_set(regexp_replace(cms_id, 'FHIR$', ''))) AS gaps
          FROM coh_gold_care_gap WHERE period_start = DATE'%2$s' AND period_end = DATE'%3$s'
            AND status IN ('open', 'prospective')
          GROUP BY person_key),
        gap_last AS (
          SELECT e.person_key, g.cms,
                 max_by(named_struct('d', e.event_date, 'v', e.value_num), named_struct('t', e.start_time, 'd', e.event_date, 'v', e.value_num)) AS last
          FROM (SELECT person_key, event_date, start_time, value_num, explode(codes) AS x FROM coh_ev
                WHERE person_key IN (SELECT person_key FROM gaps)) e
          JOIN coh_gap_code g ON g.system = e.x.system AND g.code = e.x.code
          GROUP BY e.person_key, g.cms),
        gap_text AS (
          SELECT gg.person_key, map_from_entries(collect_list(named_struct('k', gg.cms, 'v',
                 CASE WHEN r.service IS NULL THEN concat('open care gap ', gg.cms)
                      WHEN r.value_kind = 'value' AND l.last.v IS NOT NULL THEN concat(r.service, ' ',
                        regexp_replace(format_string('%%.1f', l.last.v), '\\\\.0$', ''), r.unit, ' (', date_format(l.last.d, 'yyyy-MM'), ')')
                      WHEN r.value_kind = 'date' AND l.last.d IS NOT NULL THEN concat('no ', r.service, ' since ', date_format(l.last.d, 'yyyy-MM'))
                      ELSE concat('no ', r.service, ' on record') END))) AS gap_texts
          FROM (SELECT person_key, explode(gaps) AS cms FROM gaps) gg
          LEFT JOIN (SELECT DISTINCT cms, service, value_kind, unit FROM coh_gap_code) r ON r.cms = gg.cms
          LEFT JOIN gap_last l ON l.person_key = gg.person_key AND l.cms = gg.cms
          GROUP BY gg.person_key),
        risk AS (
          SELECT person_key, person_id, payment_score AS risk_score, tier_top_1pct, tier_top_5pct, tier_rising, score_change
          FROM coh_gold_risk_score WHERE payment_year = %4$d AND model = 'BLEND'),
        risk_lab AS (
          SELECT person_key, transform(slice(array_sort(collect_list(named_struct('c', -c, 'l', hcc_label))), 1, 2), x -> x.l) AS risk_labels
          FROM (SELECT person_key, hcc_label, max(coefficient) AS c FROM coh_gold_risk_factor
                WHERE payment_year = %4$d AND factor_kind = 'hcc' AND hcc_label IS NOT NULL GROUP BY person_key, hcc_label)
          GROUP BY person_key),
        acute AS (
          SELECT person_key, max(person_id) AS person_id, array_sort(collect_set(named_struct('d', event_date, 's', setting))) AS acute
          FROM (SELECT person_key, person_id, event_date,
                       CASE WHEN %6$s THEN 'inpatient' WHEN %7$s THEN 'ed' END AS setting
                FROM coh_ev WHERE event_kind = 'encounter' AND event_date > add_months(%1$s, -%5$d))
          WHERE setting IS NOT NULL GROUP BY person_key),
        dups AS (
          SELECT coalesce(person_id, person_key) AS person_key, max(person_id) AS person_id,
                 array_sort(collect_list(named_struct('d', repeat_date, 'f', family))) AS dups
          FROM coh_gold_duplicate_test_event
          WHERE kind = 'duplicate' AND repeat_date <= %1$s AND repeat_date > add_months(%1$s, -%8$d)
          GROUP BY coalesce(person_id, person_key)),
        hcc AS (
          SELECT person_key, array_sort(collect_list(named_struct('k', gap_kind, 'l', label, 'v', value))) AS hcc_gaps
          FROM (SELECT person_key, gap_kind, min(trim(coalesce(hcc_label, concat(model, ' HCC ', hcc)))) AS label,
                       max(value) AS value
                FROM coh_gold_hcc_gap WHERE payment_year = %4$d AND status = 'open'
                GROUP BY person_key, gap_kind, lower(trim(coalesce(hcc_label, concat(model, ' HCC ', hcc)))))
          GROUP BY person_key),
        discharges AS (
          SELECT person_key, max(person_id) AS person_id,
                 array_sort(collect_set(named_struct('d', dd, 'ip', setting = 'inpatient', 's', setting))) AS discharges
          FROM (SELECT person_key, person_id, to_date(coalesce(end_time, start_time)) AS dd, end_time,
                       CASE WHEN %6$s THEN 'inpatient' WHEN %7$s THEN 'ed' END AS setting, claim_id, claim_type
                FROM coh_ev WHERE event_kind = 'encounter')
          WHERE setting IS NOT NULL AND (end_time IS NOT NULL OR setting = 'ed') AND dd <= %1$s AND %12$s
            AND NOT (setting = 'inpatient' AND claim_id IS NOT NULL AND coalesce(claim_type, '') <> 'institutional')
          GROUP BY person_key),
        followups AS (
          SELECT person_key, array_sort(collect_set(named_struct('d', event_date, 'k', k))) AS followups
          FROM (SELECT person_key, event_date, CASE WHEN %13$s THEN 'visit' WHEN %14$s THEN 'contact' END AS k
                FROM coh_ev WHERE person_key IN (SELECT person_key FROM discharges)
                  AND event_date > date_sub(%1$s, %15$d))
          WHERE k IS NOT NULL GROUP BY person_key),
        universe AS (
          SELECT person_key, max(person_id) AS person_id FROM (
            SELECT person_key, person_id FROM gaps UNION ALL SELECT person_key, person_id FROM risk
            UNION ALL SELECT person_key, person_id FROM acute UNION ALL SELECT person_key, person_id FROM dups
            UNION ALL SELECT person_key, CAST(NULL AS STRING) FROM hcc
            UNION ALL SELECT person_key, person_id FROM discharges)
          GROUP BY person_key),
        deceased AS (
          SELECT DISTINCT coalesce(x.person_id, concat(p.source, ':', p.id)) AS person_key
          FROM coh_silver_patient p LEFT JOIN coh_gold_identity_crosswalk x ON x.source = p.source AND x.record_id = p.id
          WHERE p.deceased AND (p.deceased_at IS NULL OR to_date(p.deceased_at) <= %1$s)
          UNION
          SELECT DISTINCT coalesce(e.person_id, x.person_id, concat(e.source, ':', e.member_id))
          FROM coh_silver_eligibility e LEFT JOIN coh_gold_identity_crosswalk x ON x.source = e.source AND x.record_id = e.member_id
          WHERE e.death_date <= %1$s OR (e.death_date IS NULL AND e.death_flag = 1)),
        enrolment AS (
          SELECT coalesce(e.person_id, x.person_id, concat(e.source, ':', e.member_id)) AS person_key,
                 max(e.enrollment_start_date <= %1$s AND (e.enrollment_end_date IS NULL OR e.enrollment_end_date >= %1$s)) AS covered
          FROM coh_silver_eligibility e LEFT JOIN coh_gold_identity_crosswalk x ON x.source = e.source AND x.record_id = e.member_id
          GROUP BY 1),
        hospice AS (
          SELECT DISTINCT person_key FROM coh_ev
          WHERE event_date > add_months(%1$s, -12)
            AND (exists(codes, x -> array_contains(array(%9$s), named_struct('system', x.system, 'code', x.code)))
                 OR coalesce(array_contains(array(%10$s), place_of_service), false) OR %11$s)),
        opt AS (
          SELECT person_key, collect_set(cohort) AS opted_out FROM coh_ops_cohort_opt_out GROUP BY person_key)
        SELECT u.person_key, coalesce(u.person_id, gp.person_id) AS person_id,
               coalesce(g.gaps, array()) AS gaps, coalesce(gt.gap_texts, map()) AS gap_texts,
               r.risk_score, coalesce(r.tier_top_1pct, false) AS tier_top_1pct,
               coalesce(r.tier_top_5pct, false) AS tier_top_5pct, coalesce(r.tier_rising, false) AS tier_rising,
               r.score_change, coalesce(rl.risk_labels, array()) AS risk_labels,
               coalesce(a.acute, array()) AS acute, coalesce(du.dups, array()) AS dups,
               coalesce(hg.hcc_gaps, array()) AS hcc_gaps,
               dc.person_key IS NOT NULL AS deceased, coalesce(NOT en.covered, false) AS disenrolled,
               h.person_key IS NOT NULL AS hospice, coalesce(o.opted_out, array()) AS opted_out,
               coalesce(dis.discharges, array()) AS discharges, coalesce(fu.followups, array()) AS followups
        FROM universe u
        LEFT JOIN coh_gold_person gp ON gp.person_id = u.person_key
        LEFT JOIN gaps g ON g.person_key = u.person_key
        LEFT JOIN gap_text gt ON gt.person_key = u.person_key
        LEFT JOIN risk r ON r.person_key = u.person_key
        LEFT JOIN risk_lab rl ON rl.person_key = u.person_key
        LEFT JOIN acute a ON a.person_key = u.person_key
        LEFT JOIN dups du ON du.person_key = u.person_key
        LEFT JOIN hcc hg ON hg.person_key = u.person_key
        LEFT JOIN deceased dc ON dc.person_key = u.person_key
        LEFT JOIN enrolment en ON en.person_key = u.person_key
        LEFT JOIN hospice h ON h.person_key = u.person_key
        LEFT JOIN opt o ON o.person_key = u.person_key
        LEFT JOIN discharges dis ON dis.person_key = u.person_key
        LEFT JOIN followups fu ON fu.person_key = u.person_key
        """.formatted(d, periodStart, periodEnd, paymentYear, Math.max(acuteMonths, 1),
        "(" + or(ipClasses.isEmpty() ? "" : "encounter_class IN (" + ipClasses + ")",
            ipPos.isEmpty() ? "" : "place_of_service IN (" + ipPos + ")", ipBill) + ")",
        "(" + or(edClasses.isEmpty() ? "" : "encounter_class IN (" + edClasses + ")",
            edPos.isEmpty() ? "" : "place_of_service IN (" + edPos + ")", edBill) + ")",
        Math.max(duplicateMonths, 1),
        hospiceCodes.isEmpty() ? "CAST(NULL AS STRUCT<system: STRING, code: STRING>)" : hospiceCodes,
        hospicePos.isEmpty() ? "CAST(NULL AS STRING)" : hospicePos, hospiceBill,
        tcmDays > 0 ? "dd > date_sub(" + d + ", " + tcmDays + ")" : "false", followUp("visit"), followUp("contact"),
        Math.max(tcmDays, 1));
    Dataset<Row> facts = spark.sql(sql);
    if (acuteMonths == 0) {
      facts = facts.withColumn("acute", org.apache.spark.sql.functions.expr("filter(acute, x -> false)"));
    }
    return new Result(facts, versions);
  }

  /**
   * SQL condition on a coh_ev row: it matches a tcm_follow_up.csv line that closes {@code closes} (a code on
   * any event; an encounter class on an EHR encounter; a place of service on a claims encounter).
   */
  private String followUp(String closes) {
    List<CohortReference.FollowUpCriterion> c = reference.followUps().stream().filter(f -> f.closes().equals(closes))
        .toList();
    String codes = c.stream().filter(f -> f.kind().equals("code"))
        .map(f -> "named_struct('system', '" + q(f.systemUri()) + "', 'code', '" + q(f.value()) + "')")
        .collect(Collectors.joining(", "));
    String classes = literals(c.stream().filter(f -> f.kind().equals("encounter_class")).map(f -> f.value()).toList());
    String pos = literals(c.stream().filter(f -> f.kind().equals("place_of_service")).map(f -> f.value()).toList());
    return "(" + or(codes.isEmpty() ? "" : "exists(codes, x -> array_contains(array(" + codes + "),"
            + " named_struct('system', x.system, 'code', x.code)))",
        classes.isEmpty() ? "" : "(event_kind = 'encounter' AND claim_id IS NULL AND encounter_class IN (" + classes
            + "))",
        pos.isEmpty() ? "" : "(event_kind = 'encounter' AND claim_id IS NOT NULL AND place_of_service IN (" + pos
            + "))") + ")";
  }

  private String inList(String setting, String kind) {
    return literals(reference.acute().stream().filter(a -> a.setting().equals(setting) && a.kind().equals(kind))
        .map(a -> a.value()).toList());
  }

  private static String literals(List<String> values) {
    return values.stream().map(v -> "'" + q(v) + "'").collect(Collectors.joining(", "));
  }

  private static String prefixes(String label, List<String> values) {
    if (values.isEmpty()) {
      return "false";
    }
    return "(" + values.stream().map(v -> "coalesce(startswith(bill, '" + q(v) + "'), false)")
        .collect(Collectors.joining(" OR ")) + ")";
  }

  private static String or(String... parts) {
    String s = java.util.Arrays.stream(parts).filter(p -> !p.isEmpty() && !p.equals("false"))
        .collect(Collectors.joining(" OR "));
    return s.isEmpty() ? "false" : s;
  }

  private static String q(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'");
  }
}
