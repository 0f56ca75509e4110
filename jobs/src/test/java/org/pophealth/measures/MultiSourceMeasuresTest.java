package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
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

  /**
   * A nightly run evaluates only the person whose evidence changed and keeps the others' rows, and its tables
   * equal those of a full evaluation over the same data. Night 2 brings Carl Cole (P4) a newer HbA1c of 9.6 %
   * (2025-11-01): the most recent result is now above 9, so CMS122 (inverse) puts him in the numerator
   * (derived by hand; README.md has night 1).
   */
  @Test
  void nightlyRunEvaluatesOnlyWhoChangedAndWritesWhatAFullRunWrites(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    Path night2 = tmp.resolve("night2");
    java.nio.file.Files.createDirectories(night2);
    java.nio.file.Files.writeString(night2.resolve("Observation.ndjson"), """
        {"resourceType":"Observation","id":"a1c3b","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"4548-4","display":"Hemoglobin A1c/Hemoglobin.total in Blood"}]},"subject":{"reference":"Patient/p3"},"effectiveDateTime":"2025-11-01T09:00:00Z","valueQuantity":{"value":9.6,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}
        """);
    Lakehouse nightly = withCrosswalk();
    EvaluateMeasures.Result first = new EvaluateMeasures(nightly, "qicore-2024", START, END).trend(1).execute();
    first.release();
    assertEquals(List.of(5L, 0L), List.of(first.evaluatedPersons(), first.reusedPersons()), "night 1: everyone");
    assertEquals(List.of(true, true, false), flags(nightly, "CMS122FHIR", "P4"));

    new IngestFhirExport(nightly, "ehr", night2.toString()).execute();
    EvaluateMeasures.Result second = new EvaluateMeasures(nightly, "qicore-2024", START, END).trend(1).execute();
    second.release();
    for (EvaluateMeasures.Result r : List.of(second, second.trend().get(0))) {
      assertEquals(List.of(5L, 1L, 4L), List.of(r.persons(), r.evaluatedPersons(), r.reusedPersons()),
          "night 2: only P4's evidence changed");
      assertEquals(first.resultRows(), r.resultRows(), "every person still has every row");
    }
    assertEquals(List.of(true, true, true), flags(nightly, "CMS122FHIR", "P4"), "HbA1c 9.6 % is the most recent");

    List<String> tables = List.of("gold.measure_result", "gold.measure_summary", "gold.care_gap",
        "gold.measure_diagnostic");
    Map<String, List<String>> incremental = new java.util.HashMap<>();
    tables.forEach(t -> incremental.put(t, rows(nightly, t)));

    EvaluateMeasures.Result third = new EvaluateMeasures(nightly, "qicore-2024", START, END).trend(1).execute();
    third.release();
    assertEquals(List.of(0L, 5L, 0L), List.of(third.evaluatedPersons(), third.reusedPersons(), third.evaluatedNow()),
        "nothing changed: nothing evaluated");
    assertEquals(incremental.get("gold.measure_result"), rows(nightly, "gold.measure_result"));
    assertEquals(2L, nightly.read("gold.measure_result").select("evaluated_at").distinct().count(),
        "two evaluation times: night 1's rows and P4's of night 2");

    EvaluateMeasures.Result full = new EvaluateMeasures(nightly, "qicore-2024", START, END).trend(1).full(true).execute();
    full.release();
    assertEquals(List.of(5L, 0L), List.of(full.evaluatedPersons(), full.reusedPersons()), "--full: everyone");
    for (String table : tables) {
      assertEquals(rows(nightly, table), incremental.get(table), table + ": nightly run and full evaluation");
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
