package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pophealth.ingest.claims.IngestClaims;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;

/**
 * One person, every source: CMS125 on a person whose visit is on a payer claim and whose mammogram is in
 * the EHR (resources/measures-multisource/README.md derives the expected populations by hand).
 */
@Tag("integration")
class MultiSourceMeasuresTest {
  private static final LocalDate START = LocalDate.of(2025, 1, 1);
  private static final LocalDate END = LocalDate.of(2025, 12, 31);

  @Test
  void crosswalkPutsEachPersonsEvidenceTogether() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    Path dir = Path.of(MultiSourceMeasuresTest.class.getResource("/measures-multisource").toURI());
    new IngestFhirExport(lh, "ehr", dir.resolve("ehr").toString()).execute();
    new IngestClaims(lh, "payer", dir.resolve("payer").toString()).execute();

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> new EvaluateMeasures(lh, "qicore-2024", START, END).execute());
    assertTrue(refused.getMessage().contains("resolve-identity"), refused.getMessage());

    lh.append("gold.identity_crosswalk", lh.spark().read().schema(lh.contract("gold.identity_crosswalk").schema())
        .json(dir.resolve("gold.identity_crosswalk.ndjson").toString()));
    new EvaluateMeasures(lh, "qicore-2024", START, END).execute();

    List<Row> rows = lh.read("gold.measure_result").filter("cms_id = 'CMS125FHIR'")
        .select("person_id", "initial_population", "denominator", "numerator", "patient_refs")
        .orderBy("person_id").collectAsList();
    assertEquals(List.of("P1", "P2", "P3", "P4", "P5"), rows.stream().map(r -> r.getString(0)).toList(),
        "one row per person");
    Row p1 = rows.get(0);
    assertEquals(List.of(true, true, true), List.of(p1.getBoolean(1), p1.getBoolean(2), p1.getBoolean(3)),
        "P1: visit from the payer, mammogram from the EHR");
    assertEquals(List.of("ehr:p1", "payer:M1"), p1.getList(4));
    Row p2 = rows.get(1);
    assertEquals(false, p2.getBoolean(1), "P2 (EHR p2, kept apart from M2): no visit");
    Row p3 = rows.get(2);
    assertEquals(List.of(true, true, false), List.of(p3.getBoolean(1), p3.getBoolean(2), p3.getBoolean(3)),
        "P3 (payer M2 only): visit, no mammogram");
    assertEquals(List.of(true, true, false), flags(lh, "CMS122FHIR", "P4"),
        "P4: diabetes and visit from the payer, HbA1c 7.2 from the EHR (inverse measure: not in numerator)");
    assertEquals(List.of(true, true, true), flags(lh, "CMS165FHIR", "P5"),
        "P5: hypertension and visit from the payer, blood pressure 128/78 from the EHR");
    assertEquals(0, lh.read("gold.measure_result").filter("person_id IS NULL").count());
  }

  /**
   * A trend evaluated in one run (the periods written together, one commit per table) writes the rows that
   * separate runs of each period write, run timestamps aside, and counts each period as its own run does.
   */
  @Test
  void trendWritesWhatSeparateRunsOfEachPeriodWrite() throws Exception {
    Lakehouse separate = withCrosswalk();
    EvaluateMeasures.Result earlier = new EvaluateMeasures(separate, "qicore-2024", START.minusYears(1),
        END.minusYears(1)).execute();
    earlier.release();
    EvaluateMeasures.Result latest = new EvaluateMeasures(separate, "qicore-2024", START, END).execute();
    latest.release();
    Lakehouse together = withCrosswalk();
    EvaluateMeasures.Result trend = new EvaluateMeasures(together, "qicore-2024", START, END).trend(1).execute();
    trend.release();

    assertEquals(2, separate.version("gold.measure_result"), "created, then one commit per run");
    for (String table : List.of("gold.measure_result", "gold.measure_summary", "gold.care_gap",
        "gold.measure_diagnostic")) {
      assertEquals(1, together.version(table), table + ": created, then one commit for both periods");
    }
    assertEquals(1, trend.trend().size());
    for (EvaluateMeasures.Result[] pair : List.of(new EvaluateMeasures.Result[] {earlier, trend.trend().get(0)},
        new EvaluateMeasures.Result[] {latest, trend})) {
      EvaluateMeasures.Result a = pair[0];
      EvaluateMeasures.Result b = pair[1];
      assertEquals(List.of(a.persons(), a.evaluations(), a.resultRows(), a.errors(), a.summaryRows(), a.gaps()),
          List.of(b.persons(), b.evaluations(), b.resultRows(), b.errors(), b.summaryRows(), b.gaps()));
    }
    assertTrue(trend.trend().get(0).resultRows() > 0 && trend.summaryRows() > 0);
    for (String table : List.of("gold.measure_result", "gold.measure_summary", "gold.care_gap",
        "gold.measure_diagnostic")) {
      assertEquals(rows(separate, table), rows(together, table), table);
    }
  }

  /** The fixture's two sources ingested, and its identity crosswalk. */
  private static Lakehouse withCrosswalk() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    Path dir = Path.of(MultiSourceMeasuresTest.class.getResource("/measures-multisource").toURI());
    new IngestFhirExport(lh, "ehr", dir.resolve("ehr").toString()).execute();
    new IngestClaims(lh, "payer", dir.resolve("payer").toString()).execute();
    lh.append("gold.identity_crosswalk", lh.spark().read().schema(lh.contract("gold.identity_crosswalk").schema())
        .json(dir.resolve("gold.identity_crosswalk.ndjson").toString()));
    return lh;
  }

  /** A table's rows as text, sorted, without its timestamps (when the run evaluated or computed them). */
  private static List<String> rows(Lakehouse lh, String table) {
    var data = lh.read(table);
    for (var f : data.schema().fields()) {
      if (f.dataType() instanceof org.apache.spark.sql.types.TimestampType) {
        data = data.drop(f.name());
      }
    }
    return data.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  private static List<Boolean> flags(Lakehouse lh, String cms, String person) {
    Row r = lh.read("gold.measure_result").filter("cms_id = '" + cms + "' AND person_id = '" + person + "' AND group_index = 1")
        .select("initial_population", "denominator", "numerator").head();
    return List.of(r.getBoolean(0), r.getBoolean(1), r.getBoolean(2));
  }
}
