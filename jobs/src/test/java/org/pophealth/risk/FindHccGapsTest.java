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
    assertEquals(2, r.open());
    assertEquals(2, r.closed());
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
