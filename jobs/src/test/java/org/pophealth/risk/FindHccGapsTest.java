package org.pophealth.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;

/**
 * find-hcc-gaps on hand-written scores (gold.risk_factor, gold.risk_score of PY2023-2026). PY2026 pays on V28
 * only (measures/risk/payment_years.yaml), so V24 rows make no gap; the look-back is two payment years
 * (measures/risk/gaps.yaml: PY2024, PY2025). Expected rows, from the CMS tables by hand:
 * <ul>
 *   <li>P1: V28 HCC37 in PY2025, nothing in PY2026: open; value CNA_HCC37 = 0.166 (ra_coefficients_2026.csv).
 *       Its V24 HCC18 of PY2025: no gap (V24 weighs 0 in PY2026).
 *   <li>P2: HCC226 in PY2024; PY2026 has HCC225, which excludes 226 in the V28 hierarchy: closed by 225.
 *   <li>P3: HCC38 and HCC113 in PY2025; PY2026 has HCC37 (excludes 38): closed by 37. HCC113 is not chronic
 *       (hcc_is_chronic.csv has no flag): no gap.
 *   <li>P4: HCC37 in PY2023 only, outside the look-back: no gap.
 *   <li>P5: HCC37 in PY2025, not scored in PY2026: no gap.
 *   <li>P6: HCC37 in PY2025, a new enrollee in PY2026 (segment NE, no disease factors): open, no value.
 * </ul>
 */
class FindHccGapsTest {
  @Test
  void recaptureGaps() {
    Lakehouse lh = SharedSpark.newLakehouse();
    List<String> factors = List.of(
        factor(2025, "P1", "V28", 37, "E1122", "e1"), factor(2025, "P1", "V24", 18, "E1122", "e1"),
        factor(2024, "P2", "V28", 226, "I5022", "e2"), factor(2026, "P2", "V28", 225, "I5021", "e3"),
        factor(2025, "P3", "V28", 38, "E119", "e4"), factor(2025, "P3", "V28", 113, "J9601", "e5"),
        factor(2026, "P3", "V28", 37, "E1122", "e6"),
        factor(2023, "P4", "V28", 37, "E1122", "e7"),
        factor(2025, "P5", "V28", 37, "E1122", "e8"),
        factor(2025, "P6", "V28", 37, "E1122", "e9"));
    List<String> scores = new ArrayList<>();
    for (String p : List.of("P1", "P2", "P3", "P4")) {
      scores.add(score(p, "CNA"));
    }
    scores.add(score("P6", "NE"));
    append(lh, "gold.risk_factor", factors);
    append(lh, "gold.risk_score", scores);

    FindHccGaps.Result r = new FindHccGaps(lh, 2026).execute();
    assertEquals(List.of("V28"), r.models());
    assertEquals(List.of(2024, 2025), r.priorYears());
    assertEquals(5, r.persons());
    assertEquals(4, r.gaps());
    assertEquals(4, r.recapture());
    assertEquals(0, r.suspect()); // no silver.event: no evidence
    assertEquals(2, r.open());
    assertEquals(2, r.closed());
    assertEquals(0, r.dismissed());
    assertEquals(2, r.personsWithOpen());
    assertEquals(0.166, r.openValue(), 1e-9);

    Map<String, Row> gaps = gaps(lh);
    assertEquals(List.of("P1/37", "P2/226", "P3/38", "P6/37"), List.copyOf(gaps.keySet()));
    Row p1 = gaps.get("P1/37");
    assertEquals("open", p1.getAs("status"));
    assertEquals(0.166, (Double) p1.getAs("value"), 1e-9);
    assertEquals(2025, (int) p1.getAs("last_coded_payment_year"));
    assertEquals(List.of("E1122"), p1.getList(p1.fieldIndex("evidence_dx_codes")));
    assertEquals(List.of("e1"), p1.getList(p1.fieldIndex("evidence_event_ids")));
    assertNull(p1.getAs("closing_hcc"));
    Row p2 = gaps.get("P2/226");
    assertEquals("closed", p2.getAs("status"));
    assertEquals(225, (int) p2.getAs("closing_hcc"));
    assertEquals(List.of("e3"), p2.getList(p2.fieldIndex("closing_event_ids")));
    assertEquals(2024, (int) p2.getAs("last_coded_payment_year"));
    Row p3 = gaps.get("P3/38");
    assertEquals("closed", p3.getAs("status"));
    assertEquals(37, (int) p3.getAs("closing_hcc"));
    Row p6 = gaps.get("P6/37");
    assertEquals("open", p6.getAs("status"));
    assertNull(p6.getAs("value"));

    // re-run: the same rows
    List<String> before = lh.read("gold.hcc_gap").toJSON().collectAsList().stream().sorted().toList();
    new FindHccGaps(lh, 2026).execute();
    assertEquals(before, lh.read("gold.hcc_gap").toJSON().collectAsList().stream().sorted().toList());
  }

  /**
   * Suspect rules of measures/risk/suspects/ on hand-written events; data year 2025, so the window of a 24-month
   * rule starts 2024-01-01 and of a 12-month rule 2025-01-01. V28 HCCs and CNA factors of ra_coefficients_2026.csv:
   * <ul>
   *   <li>S1: eGFR (33914-3) 48 on 2025-02-01 and 52 on 2025-06-15, 134 days apart, both below 60:
   *       ckd-stage3-egfr, HCC329 open, value 0.127.
   *   <li>S2: eGFR 55 on 2025-09-01 and 50 on 2025-10-15 (44 days apart), and 45 on 2023-10-01 (before the
   *       window, which would otherwise make two readings 745 days apart): no gap. eGFR 75 on 2024-03-01: not
   *       below 60.
   *   <li>S3: HbA1c (4548-4) 7.2 on 2025-03-01: diabetes-a1c-or-medication, HCC38; PY2026's score carries
   *       HCC37, above 38 in the V28 hierarchy: closed by 37 (closing event e37).
   *   <li>S4: BMI (39156-5) 41.3 on 2025-05-05: morbid-obesity-bmi, HCC48, open; a reviewer dismissed it
   *       (ops.hcc_gap_review, PY2026, any model and HCC): dismissed, and stays dismissed on re-run. A decision
   *       for PY2025 does not apply.
   *   <li>S5: PHQ-9 (44261-6) 9 on 2025-04-01 (below 10) and fluoxetine 20 MG (RxNorm 310385, Adult Depression
   *       Medications) on 2025-07-01: depression-phq9-or-antidepressant, HCC155, value 0.299; dismissed on
   *       2026-01-05, reopened on 2026-02-01: open, reviewed by the reopening reviewer. Evidence: the
   *       prescription only.
   *   <li>P1: recapture gap HCC37 (diabetes, coded for PY2025); HbA1c 8 on 2025-05-01 would be a suspect HCC38,
   *       which HCC37 is above: not repeated.
   * </ul>
   */
  @Test
  void suspectGaps() {
    Lakehouse lh = SharedSpark.newLakehouse();
    append(lh, "gold.risk_factor", List.of(factor(2025, "P1", "V28", 37, "E1122", "e1"),
        factor(2026, "S3", "V28", 37, "E1122", "e37")));
    List<String> scores = new ArrayList<>();
    for (String p : List.of("P1", "S1", "S2", "S3", "S4", "S5")) {
      scores.add(score(p, "CNA"));
    }
    append(lh, "gold.risk_score", scores);
    String loinc = "http://loinc.org";
    append(lh, "silver.event", List.of(
        event("g1", "S1", "lab", loinc, "33914-3", 48.0, "2025-02-01"),
        event("g2", "S1", "lab", loinc, "33914-3", 52.0, "2025-06-15"),
        event("g3", "S2", "lab", loinc, "33914-3", 55.0, "2025-09-01"),
        event("g4", "S2", "lab", loinc, "33914-3", 50.0, "2025-10-15"),
        event("g5", "S2", "lab", loinc, "33914-3", 45.0, "2023-10-01"),
        event("g6", "S2", "lab", loinc, "33914-3", 75.0, "2024-03-01"),
        event("a1", "S3", "lab", loinc, "4548-4", 7.2, "2025-03-01"),
        event("b1", "S4", "vital", loinc, "39156-5", 41.3, "2025-05-05"),
        event("q1", "S5", "observation", loinc, "44261-6", 9.0, "2025-04-01"),
        event("m1", "S5", "medication", "http://www.nlm.nih.gov/research/umls/rxnorm", "310385", null, "2025-07-01"),
        event("a2", "P1", "lab", loinc, "4548-4", 8.0, "2025-05-01")));
    append(lh, FindHccGaps.REVIEWS, List.of(
        review(2026, "S4", "morbid-obesity-bmi", "dismissed", "ann", "2026-01-10T09:00:00"),
        review(2025, "S4", "morbid-obesity-bmi", "reopened", "bob", "2026-03-01T09:00:00"),
        review(2026, "S5", "depression-phq9-or-antidepressant", "dismissed", "ann", "2026-01-05T09:00:00"),
        review(2026, "S5", "depression-phq9-or-antidepressant", "reopened", "cy", "2026-02-01T09:00:00")));

    FindHccGaps.Result r = new FindHccGaps(lh, 2026).execute();
    assertEquals(1, r.recapture());
    assertEquals(4, r.suspect());
    assertEquals(3, r.open()); // P1 recapture, S1, S5
    assertEquals(1, r.closed());
    assertEquals(1, r.dismissed());
    assertEquals(0.166 + 0.127 + 0.299, r.openValue(), 1e-9);

    Map<String, Row> gaps = gaps(lh);
    assertEquals(List.of("P1/37", "S1/329", "S3/38", "S4/48", "S5/155"), List.copyOf(gaps.keySet()));
    Row s1 = gaps.get("S1/329");
    assertEquals("suspect", s1.getAs("gap_kind"));
    assertEquals("ckd-stage3-egfr", s1.getAs("rule"));
    assertEquals("open", s1.getAs("status"));
    assertEquals("Chronic Kidney Disease, Moderate (Stage 3, Except 3B)", s1.getAs("hcc_label"));
    assertEquals(0.127, (Double) s1.getAs("value"), 1e-9);
    assertNull(s1.getAs("last_coded_payment_year"));
    assertEquals(List.of("g1", "g2"), s1.getList(s1.fieldIndex("evidence_event_ids")));
    assertEquals(List.of("33914-3 = 48 mL/min/{1.73_m2} (2025-02-01)", "33914-3 = 52 mL/min/{1.73_m2} (2025-06-15)"),
        s1.getList(s1.fieldIndex("evidence")));
    Row s3 = gaps.get("S3/38");
    assertEquals("closed", s3.getAs("status"));
    assertEquals(37, (int) s3.getAs("closing_hcc"));
    assertEquals(List.of("e37"), s3.getList(s3.fieldIndex("closing_event_ids")));
    Row s4 = gaps.get("S4/48");
    assertEquals("dismissed", s4.getAs("status"));
    assertEquals("ann", s4.getAs("reviewed_by"));
    Row s5 = gaps.get("S5/155");
    assertEquals("open", s5.getAs("status"));
    assertEquals("cy", s5.getAs("reviewed_by"));
    assertEquals(List.of("m1"), s5.getList(s5.fieldIndex("evidence_event_ids")));
    assertEquals(List.of("310385 fluoxetine 20 MG Oral Capsule (2025-07-01)"), s5.getList(s5.fieldIndex("evidence")));
    assertEquals(List.of("E1122 coded for PY2025"), gaps.get("P1/37").getList(gaps.get("P1/37").fieldIndex("evidence")));

    // re-run: the same rows, S4 still dismissed
    List<String> before = lh.read("gold.hcc_gap").toJSON().collectAsList().stream().sorted().toList();
    new FindHccGaps(lh, 2026).execute();
    assertEquals(before, lh.read("gold.hcc_gap").toJSON().collectAsList().stream().sorted().toList());
  }

  private static String event(String id, String person, String kind, String system, String code, Double value,
      String date) {
    boolean med = kind.equals("medication");
    return String.format("{\"event_id\":\"%s\",\"source\":\"ehr\",\"patient_id\":\"%s\",\"person_id\":\"%s\","
        + "\"event_kind\":\"%s\",\"code_system\":\"%s\",\"code\":\"%s\",\"display\":%s,"
        + "\"codes\":[{\"system\":\"%s\",\"code\":\"%s\"}],\"value_num\":%s,\"value_unit\":%s,"
        + "\"event_date\":\"%s\",\"source_resource_type\":\"%s\",\"source_resource_id\":\"%s\","
        + "\"component_index\":0,\"ingest_run_id\":\"run1\",\"bronze_file\":\"f.ndjson\",\"bronze_line\":1}",
        id, person.toLowerCase(), person, kind, system, code, med ? "\"fluoxetine 20 MG Oral Capsule\"" : "null", system,
        code, value == null ? "null" : value.toString(), med ? "null" : "\"" + unit(code) + "\"", date,
        med ? "MedicationRequest" : "Observation", id);
  }

  private static String unit(String code) {
    return switch (code) {
      case "33914-3" -> "mL/min/{1.73_m2}";
      case "4548-4" -> "%";
      case "39156-5" -> "kg/m2";
      default -> "{score}";
    };
  }

  private static String review(int year, String person, String rule, String decision, String who, String at) {
    return String.format("{\"payment_year\":%d,\"person_key\":\"%s\",\"rule\":\"%s\",\"model\":null,\"hcc\":null,"
        + "\"decision\":\"%s\",\"reason\":\"chart review\",\"reviewed_by\":\"%s\",\"reviewed_at\":\"%s\"}",
        year, person, rule, decision, who, at);
  }

  private static Map<String, Row> gaps(Lakehouse lh) {
    Map<String, Row> out = new TreeMap<>();
    for (Row g : lh.read("gold.hcc_gap").filter("payment_year = 2026").collectAsList()) {
      out.put(g.getAs("person_key") + "/" + g.getAs("hcc"), g);
    }
    return out;
  }

  private static String factor(int year, String person, String model, int hcc, String dx, String event) {
    return String.format("{\"payment_year\":%d,\"person_key\":\"%s\",\"model\":\"%s\",\"segment\":\"CNA\","
        + "\"variable\":\"CNA_HCC%d\",\"factor_kind\":\"hcc\",\"coefficient\":0.1,\"hcc\":%d,\"hcc_label\":\"HCC %d\","
        + "\"dx_codes\":[\"%s\"],\"event_ids\":[\"%s\"],\"claim_ids\":[]}", year, person, model, hcc, hcc, hcc, dx, event);
  }

  private static String score(String person, String segment) {
    return String.format("{\"payment_year\":2026,\"person_key\":\"%s\",\"source\":\"payer\",\"patient_id\":\"%s\","
        + "\"model\":\"V28\",\"segment\":\"%s\",\"age\":70,\"sex\":\"M\",\"orec\":0,\"dual_status\":\"non\","
        + "\"demographics_source\":\"patient\",\"raw_score\":0.4,\"normalized_score\":0.4,\"payment_score\":0.4,"
        + "\"hcc_count\":0,\"hccs\":[],\"diagnosis_count\":0,\"tier_top_1pct\":false,\"tier_top_5pct\":false,"
        + "\"tier_rising\":false}", person, person.toLowerCase(), segment);
  }

  private static void append(Lakehouse lh, String table, List<String> json) {
    Dataset<Row> rows = lh.spark().read().schema(lh.contract(table).schema())
        .json(lh.spark().createDataset(json, Encoders.STRING()));
    lh.append(table, rows);
  }
}
