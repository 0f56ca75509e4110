package org.pophealth.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;

/**
 * score-risk on a tiny silver fixture (src/test/resources/risk-spark): eligibility filter, ICD-10-CM
 * extraction, quarantine, person keys, tiers against the prior payment year, idempotent re-run.
 * Expected scores are computed by hand from the CMS tables (comments below).
 */
class ScoreRiskJobTest {
  @Test
  void scoresTinySilverFixture() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    Path dir = Path.of(ScoreRiskJobTest.class.getResource("/risk-spark").toURI());
    for (String table : List.of("silver.event", "silver.patient", "gold.identity_crosswalk")) {
      Dataset<Row> rows = lh.spark().read().schema(lh.contract(table).schema())
          .json(dir.resolve(table + ".ndjson").toString());
      lh.append(table, rows);
    }

    // prior payment year rows (what score-risk --payment-year 2025 gives, by hand):
    // PERSON-1 has I50.22 on inpatient bill type 111 in 2024 -> V24 HCC85, V28 HCC226.
    // V24 CNA_M70_74 0.394 + CNA_HCC85 0.331 + D1 0 = 0.725 -> /1.146 = 0.633; V28 0.396 + 0.36 = 0.756 -> /1.045 = 0.723
    // blend 0.33 x 0.633 + 0.67 x 0.723 = 0.6933 -> 0.693; x 0.941 = 0.652. PERSON-2 (no diagnoses): 0.343.
    // (the 2025 blend itself is covered by ScoreMemberKnownAnswerTest and the blend-2025 golden case)
    lh.append("gold.risk_score", lh.spark().read().schema(lh.contract("gold.risk_score").schema())
        .json(dir.resolve("gold.risk_score.prior.ndjson").toString()));

    // PY2026 (diagnoses of 2025). Eligible for PERSON-1: E11.22 (professional + 99213), N18.4 (bill type 0111),
    // J44.9 (bill type 131 + G0438). Not: I50.22 (professional, only 36415), E11.9 (DME), ZZ (invalid: quarantined).
    // V28: CNA_M70_74 0.396 + HCC37 0.166 + HCC327 0.514 + HCC280 0.319 + CNA_D3 0 = 1.395; /1.067 = 1.3074 -> 1.307;
    // x 0.941 = 1.2299 -> 1.230 (PY2026 blend = 100% V28).
    // V24 (weight 0): CNA_M70_74 0.394 + HCC18 0.302 + HCC137 0.289 + HCC111 0.335 + CNA_D3 0 = 1.320.
    ScoreRisk.Result r = new ScoreRisk(lh, 2026).execute();
    assertEquals(3, r.persons());
    assertEquals(2, r.scored());
    assertEquals(1, r.notScored(), "e3 has gender unknown");
    assertEquals(8, r.diagnosisEvents(), "diagnosis events dated 2025");
    assertEquals(4, r.eligibleDiagnosisEvents(), "E11.22, N18.4, ZZ, J44.9");
    assertEquals(1, r.invalidCodes());
    Row v28 = score(lh, 2026, "PERSON-1", "V28");
    assertEquals(1.395, v28.getAs("raw_score"), 1e-9);
    assertEquals(1.307, v28.getAs("normalized_score"), 1e-9);
    assertEquals(List.of("HCC37", "HCC280", "HCC327"), v28.getList(v28.fieldIndex("hccs")));
    assertEquals("CNA", v28.getAs("segment"));
    assertEquals(1.320, score(lh, 2026, "PERSON-1", "V24").getAs("raw_score"), 1e-9);
    Row b = blend(lh, 2026, "PERSON-1");
    assertEquals(1.230, b.getAs("payment_score"), 1e-9);
    // tiers: 2 scored -> top 1% and top 5% = 1 person; rising: ceil(2 x 5%) = 1, PERSON-1 (+0.578) over e2 (+0.005)
    assertTrue((Boolean) b.getAs("tier_top_1pct"));
    assertTrue((Boolean) b.getAs("tier_rising"));
    assertEquals(0.578, b.getAs("score_change"), 1e-9);
    Row e2 = blend(lh, 2026, "PERSON-2");
    assertFalse((Boolean) e2.getAs("tier_rising"));
    assertEquals(0.348, e2.getAs("payment_score"), 1e-9); // 0.395 / 1.067 = 0.370; x 0.941 = 0.348

    // explanation: the HCC37 factor names its code, event and claim
    Row f = lh.read("gold.risk_factor").filter("payment_year = 2026 AND person_key = 'PERSON-1' AND variable = 'CNA_HCC37'")
        .head();
    assertEquals(0.166, f.getAs("coefficient"), 1e-9);
    assertEquals(List.of("E1122"), f.getList(f.fieldIndex("dx_codes")));
    assertEquals(List.of("ev1"), f.getList(f.fieldIndex("event_ids")));
    assertEquals(List.of("C1"), f.getList(f.fieldIndex("claim_ids")));
    assertEquals(2, lh.read("ops.quarantine").filter("stage = 'score-risk'").count(), "ZZ and e3");

    // EHR encounter diagnoses for clinical triage: e2's I50.22 -> HCC226: 0.395 + 0.36 + D1 0 = 0.755
    List<String> before = lh.read("gold.risk_score").toJSON().collectAsList().stream().sorted().toList();
    new ScoreRisk(lh, 2026).includeEhrDiagnoses(true).execute();
    assertEquals(0.755, score(lh, 2026, "PERSON-2", "V28").getAs("raw_score"), 1e-9);
    // back to payment mode: identical rows to the first run
    new ScoreRisk(lh, 2026).execute();
    assertEquals(before, lh.read("gold.risk_score").toJSON().collectAsList().stream().sorted().toList());
    assertEquals(2, lh.read("ops.quarantine").filter("stage = 'score-risk'").count(), "re-run adds no quarantine rows");
  }

  /**
   * Long-term institutional residence from nursing-facility claims (measures/risk/member_status.yaml: POS 32, 33,
   * 54 or bill types 22x, 65x, 66x; first to last at least 90 days apart in 2025, the last after 2025-10-02).
   * Four women born 1950-03-01 (75 on 2026-02-01), no diagnoses, eligibility absent (community non-dual OREC 0):
   * <ul>
   *   <li>n1: POS 32 on 2025-03-01 and 2025-11-20 (264 days): INS, V28 raw = INS_F75_79 = 0.965.
   *   <li>n2: POS 32 on 2025-10-01 and 2025-11-15 (45 days): community, CNA_F75_79 = 0.465.
   *   <li>n3: POS 32 on 2025-01-05 and 2025-06-01 (147 days, discharged before October): community.
   *   <li>n4: POS 31 (skilled nursing: post-acute) on 2025-02-01 and 2025-12-01: community.
   *   <li>n5: bill type 0221 on 2025-04-01 and 2025-12-15: INS.
   * </ul>
   */
  @Test
  void longTermInstitutionalFromNursingFacilityClaims() {
    Lakehouse lh = SharedSpark.newLakehouse();
    List<String> patients = new java.util.ArrayList<>();
    List<String> events = new java.util.ArrayList<>();
    String[][] claims = {{"n1", "32", null, "2025-03-01"}, {"n1", "32", null, "2025-11-20"},
        {"n2", "32", null, "2025-10-01"}, {"n2", "32", null, "2025-11-15"},
        {"n3", "32", null, "2025-01-05"}, {"n3", "32", null, "2025-06-01"},
        {"n4", "31", null, "2025-02-01"}, {"n4", "31", null, "2025-12-01"},
        {"n5", null, "0221", "2025-04-01"}, {"n5", null, "0221", "2025-12-15"}};
    for (String p : List.of("n1", "n2", "n3", "n4", "n5")) {
      patients.add(patient(p));
    }
    int i = 0;
    for (String[] c : claims) {
      events.add(claim(++i, c[0], "99309", c[1], c[2], c[3]));
    }
    for (var t : java.util.Map.of("silver.patient", patients, "silver.event", events).entrySet()) {
      lh.append(t.getKey(), lh.spark().read().schema(lh.contract(t.getKey()).schema())
          .json(lh.spark().createDataset(t.getValue(), org.apache.spark.sql.Encoders.STRING())));
    }
    ScoreRisk.Result r = new ScoreRisk(lh, 2026).execute();
    assertEquals(2, r.institutional());
    for (String p : List.of("n1", "n5")) {
      Row s = score(lh, 2026, "payer:" + p, "V28");
      assertEquals("INS", s.getAs("segment"), p);
      assertEquals(0.965, s.getAs("raw_score"), 1e-9, p);
    }
    for (String p : List.of("n2", "n3", "n4")) {
      Row s = score(lh, 2026, "payer:" + p, "V28");
      assertEquals("CNA", s.getAs("segment"), p);
      assertEquals(0.465, s.getAs("raw_score"), 1e-9, p);
    }
  }

  /**
   * ESRD dialysis status (measures/risk/member_status.yaml): Medicare status code 11/21/31 of the latest
   * eligibility span, and a dialysis claim (bill type 72x or a dialysis CPT/HCPCS) in 2025-10-03..2025-12-31.
   * Three women born 1950-03-01 (75 on 2026-02-01), OREC 0, non-dual, no diagnoses:
   * <ul>
   *   <li>d1: status 31, CPT 90960 on 2025-12-01: dialysis. ESRD-V24 DI: DI_F75_79 = 0.617; / 1.062 = 0.581;
   *       x 0.941 = 0.547. Its BLEND row pays that (segment DI, payment_model ESRD-V24); V28 is still scored:
   *       CNA_F75_79 0.465 / 1.067 = 0.436, x 0.941 = 0.410.
   *   <li>d2: status 31, dialysis only on 2025-06-01: ESRD without recent dialysis, the CMS-HCC blend (0.410, V28).
   *   <li>d3: status 10 (aged, no ESRD), bill type 0721 on 2025-11-01: not ESRD, the CMS-HCC blend.
   * </ul>
   */
  @Test
  void esrdDialysisMembersArePaidOnTheEsrdModel() {
    Lakehouse lh = SharedSpark.newLakehouse();
    List<String> patients = new java.util.ArrayList<>();
    List<String> eligibility = new java.util.ArrayList<>();
    String[][] members = {{"d1", "31"}, {"d2", "31"}, {"d3", "10"}};
    for (String[] m : members) {
      patients.add(patient(m[0]));
      eligibility.add(eligibility(m[0], m[1]));
    }
    String[][] claims = {{"d1", "90960", null, "2025-12-01"}, {"d2", "90960", null, "2025-06-01"},
        {"d3", "90999", "0721", "2025-11-01"}};
    List<String> events = new java.util.ArrayList<>();
    int i = 0;
    for (String[] c : claims) {
      events.add(claim(++i, c[0], c[1], null, c[2], c[3]));
    }
    for (var t : java.util.Map.of("silver.patient", patients, "silver.eligibility", eligibility, "silver.event", events)
        .entrySet()) {
      lh.append(t.getKey(), lh.spark().read().schema(lh.contract(t.getKey()).schema())
          .json(lh.spark().createDataset(t.getValue(), org.apache.spark.sql.Encoders.STRING())));
    }
    ScoreRisk.Result r = new ScoreRisk(lh, 2026).execute();
    assertEquals(1, r.esrdDialysis());
    assertEquals(1, r.esrdNotDialysis());
    Row esrd = score(lh, 2026, "payer:d1", "ESRD-V24");
    assertEquals("DI", esrd.getAs("segment"));
    assertEquals(0.617, esrd.getAs("raw_score"), 1e-9);
    assertEquals(0.547, esrd.getAs("payment_score"), 1e-9);
    Row pays = blend(lh, 2026, "payer:d1");
    assertEquals("DI", pays.getAs("segment"));
    assertEquals("ESRD-V24", pays.getAs("payment_model"));
    assertEquals(0.547, pays.getAs("payment_score"), 1e-9);
    assertEquals(0.410, score(lh, 2026, "payer:d1", "V28").getAs("payment_score"), 1e-9);
    for (String p : List.of("d2", "d3")) {
      Row b = blend(lh, 2026, "payer:" + p);
      assertEquals("V28", b.getAs("payment_model"), p);
      assertEquals("CNA", b.getAs("segment"), p);
      assertEquals(0.410, b.getAs("payment_score"), 1e-9, p);
      assertEquals(0, lh.read("gold.risk_score").filter("model = 'ESRD-V24' AND person_key = 'payer:" + p + "'").count());
    }
  }

  /**
   * ESRD transplant and functioning graft status from claims (measures/risk/member_status.yaml kidney_transplant):
   * an ESRD member (Medicare status 31) with a kidney transplant claim dated 2025 or before; the month scored is
   * December 2025, the transplant month being month 1 (months 1-3 transplant, then graft). Six women born 1950-03-01
   * (75 on 2026-02-01), OREC 0, non-dual, community, no diagnoses:
   * <ul>
   *   <li>k1: CPT 50360 on 2025-03-10: December is month 10, graft 10+. ESRD-V24-GRAFT GNPA: GNPA_F75_79 0.42
   *       + FGC_GE65_DUR10PL_ND_PBD 0.905 = 1.325; / 1.104 = 1.2002 -> 1.200; x 0.941 = 1.1292 -> 1.129.
   *   <li>k2: ICD-10-PCS 0TY10Z0 on 2025-12-05 (dialysis 90960 on 2025-11-20, before it): month 1, transplant.
   *       ESRD-V24-TRANSPLANT TRANSPLANT_KIDNEY_ONLY_1M 5.985; / 1.062 = 5.6356 -> 5.636; x 0.941 = 5.3035 -> 5.303.
   *   <li>k3: an inpatient claim with MS-DRG 652 (silver.medical_claim), its event on 2025-08-20: month 5, graft 4-9.
   *       GNPA_F75_79 0.42 + FGC_GE65_DUR4_9_ND_PBD 2.529 = 2.949; / 1.104 = 2.6712 -> 2.671; x 0.941 = 2.5134 -> 2.513.
   *   <li>k4: CPT 50365 on 2025-05-01, dialysis 90960 on 2025-12-10 (month 8, after the transplant months: the graft
   *       failed): dialysis. ESRD-V24 DI_F75_79 0.617; / 1.062 = 0.581; x 0.941 = 0.547.
   *   <li>k5: status 10 (no ESRD) with CPT 50360 on 2025-03-10: not ESRD, the CMS-HCC blend: CNA_F75_79 0.465
   *       / 1.067 = 0.436, x 0.941 = 0.410.
   *   <li>k6: status 31, CPT 50360 on 2026-01-10 (after the data year): ESRD without dialysis or transplant, 0.410.
   * </ul>
   */
  @Test
  void esrdTransplantAndGraftStatusFromTransplantClaims() {
    Lakehouse lh = SharedSpark.newLakehouse();
    List<String> patients = new java.util.ArrayList<>();
    List<String> eligibility = new java.util.ArrayList<>();
    String[][] members = {{"k1", "31"}, {"k2", "31"}, {"k3", "31"}, {"k4", "31"}, {"k5", "10"}, {"k6", "31"}};
    for (String[] m : members) {
      patients.add(patient(m[0]));
      eligibility.add(eligibility(m[0], m[1]));
    }
    String[][] claims = {{"k1", "50360", null, "2025-03-10"}, {"k2", "0TY10Z0", "0111", "2025-12-05"},
        {"k2", "90960", null, "2025-11-20"}, {"k3", "99223", "0111", "2025-08-20"}, {"k4", "50365", null, "2025-05-01"},
        {"k4", "90960", null, "2025-12-10"}, {"k5", "50360", null, "2025-03-10"}, {"k6", "50360", null, "2026-01-10"}};
    List<String> events = new java.util.ArrayList<>();
    int i = 0;
    for (String[] c : claims) {
      events.add(claim(++i, c[0], c[1], null, c[2], c[3]));
    }
    // k3's claim (C4) carries the kidney transplant MS-DRG on the claim, not on an event coding
    String drg = "{\"claim_id\":\"C4\",\"claim_line_number\":1,\"claim_type\":\"institutional\",\"member_id\":\"k3\","
        + "\"claim_start_date\":\"2025-08-20\",\"bill_type_code\":\"111\",\"ms_drg_code\":\"652\","
        + "\"source_claim_id\":\"C4\",\"claim_versions\":1,\"eligibility_matched\":true,\"source\":\"payer\","
        + "\"ingest_run_id\":\"run1\",\"bronze_file\":\"medical_claim.csv\",\"bronze_line\":1}";
    for (var t : java.util.Map.of("silver.patient", patients, "silver.eligibility", eligibility, "silver.event", events,
        "silver.medical_claim", List.of(drg)).entrySet()) {
      lh.append(t.getKey(), lh.spark().read().schema(lh.contract(t.getKey()).schema())
          .json(lh.spark().createDataset(t.getValue(), org.apache.spark.sql.Encoders.STRING())));
    }
    ScoreRisk.Result r = new ScoreRisk(lh, 2026).execute();
    assertEquals(1, r.esrdTransplant());
    assertEquals(2, r.esrdGraft());
    assertEquals(1, r.esrdDialysis());
    assertEquals(1, r.esrdNotDialysis());
    Object[][] paid = {{"k1", "ESRD-V24-GRAFT", "GNPA", 1.325, 1.129}, {"k2", "ESRD-V24-TRANSPLANT", "TRANSPLANT_1M", 5.985, 5.303},
        {"k3", "ESRD-V24-GRAFT", "GNPA", 2.949, 2.513}, {"k4", "ESRD-V24", "DI", 0.617, 0.547}};
    for (Object[] p : paid) {
      String key = "payer:" + p[0];
      Row model = score(lh, 2026, key, (String) p[1]);
      assertEquals(p[2], model.getAs("segment"), key);
      assertEquals((Double) p[3], model.getAs("raw_score"), 1e-9, key);
      Row pays = blend(lh, 2026, key);
      assertEquals(p[1], pays.getAs("payment_model"), key);
      assertEquals(p[2], pays.getAs("segment"), key);
      assertEquals((Double) p[4], pays.getAs("payment_score"), 1e-9, key);
      assertEquals(0.410, score(lh, 2026, key, "V28").getAs("payment_score"), 1e-9, key);
    }
    for (String p : List.of("k5", "k6")) {
      Row b = blend(lh, 2026, "payer:" + p);
      assertEquals("V28", b.getAs("payment_model"), p);
      assertEquals(0.410, b.getAs("payment_score"), 1e-9, p);
      assertEquals(0, lh.read("gold.risk_score").filter("model LIKE 'ESRD%' AND person_key = 'payer:" + p + "'").count());
    }
  }

  /** A silver.eligibility row of source payer since 2020: a woman born 1950-03-01 with a Medicare status code. */
  private static String eligibility(String id, String medicareStatus) {
    return "{\"member_id\":\"" + id + "\",\"gender\":\"female\",\"birth_date\":\"1950-03-01\","
        + "\"enrollment_start_date\":\"2020-01-01\",\"payer\":\"mapd\",\"payer_type\":\"medicare\",\"plan\":\"p\","
        + "\"medicare_status_code\":\"" + medicareStatus + "\",\"source\":\"payer\",\"ingest_run_id\":\"run1\","
        + "\"bronze_file\":\"eligibility.csv\",\"bronze_line\":1}";
  }

  /** A silver.patient row of source payer: a woman born 1950-03-01. */
  private static String patient(String id) {
    return "{\"source\":\"payer\",\"id\":\"" + id + "\",\"content_hash\":\"h\",\"export_time\":\"2025-12-31T00:00:00Z\","
        + "\"ingest_run_id\":\"run1\",\"bronze_file\":\"Patient.ndjson\",\"bronze_line\":1,\"gender\":\"female\","
        + "\"birth_date\":\"1950-03-01\",\"deceased\":false}";
  }

  /** A procedure event of a payer claim: professional with a place of service, or institutional with a bill type. */
  private static String claim(int n, String person, String code, String pos, String billType, String date) {
    return String.format("{\"event_id\":\"x%d\",\"source\":\"payer\",\"patient_id\":\"%s\",\"event_kind\":\"procedure\","
        + "\"code_system\":\"http://www.ama-assn.org/go/cpt\",\"code\":\"%s\",\"codes\":[{\"system\":"
        + "\"http://www.ama-assn.org/go/cpt\",\"code\":\"%s\"}],\"event_date\":\"%s\",\"claim_id\":\"C%d\","
        + "\"claim_type\":\"%s\",\"place_of_service\":%s,\"bill_type\":%s,\"source_resource_type\":\"Claim\","
        + "\"source_resource_id\":\"r%d\",\"component_index\":0,\"ingest_run_id\":\"run1\",\"bronze_file\":\"f\","
        + "\"bronze_line\":%d}", n, person, code, code, date, n, billType == null ? "professional" : "institutional",
        pos == null ? "null" : "\"" + pos + "\"", billType == null ? "null" : "\"" + billType + "\"", n, n);
  }

  private static Row score(Lakehouse lh, int year, String key, String model) {
    return lh.read("gold.risk_score")
        .filter("payment_year = " + year + " AND person_key = '" + key + "' AND model = '" + model + "'").head();
  }

  private static Row blend(Lakehouse lh, int year, String key) {
    return score(lh, year, key, "BLEND");
  }
}
