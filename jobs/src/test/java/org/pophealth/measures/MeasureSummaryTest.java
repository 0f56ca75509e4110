package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;
import scala.collection.JavaConverters;

/**
 * Summary arithmetic, small-cell suppression and care gaps on hand-made measure results (expected
 * values computed by hand below, not by the code under test).
 */
class MeasureSummaryTest {

  @Test
  void rateExcludesExclusionsAndExceptionsSuppressesSmallCellsAndListsGaps() {
    Lakehouse lh = SharedSpark.newLakehouse();
    List<Row> rows = new ArrayList<>();
    // BreastCancerScreening: 20 in the denominator; p1-p2 excluded, p3-p5 exceptions, p6-p14 numerator,
    // p15-p20 open gaps. p1-p12 female, p13-p20 male.
    for (int i = 1; i <= 20; i++) {
      rows.add(row("BreastCancerScreeningFHIR", "increase", "p" + i, i <= 12 ? "female" : "male",
          i <= 2, i >= 3 && i <= 5, i >= 6 && i <= 14));
    }
    // Inverse measure (CMS122): q1 in the numerator (poor control) is the gap, q2 is not.
    rows.add(row("DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR", "decrease", "q1", "male", false, false, true));
    rows.add(row("DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR", "decrease", "q2", "male", false, false, false));
    Dataset<Row> results = lh.spark().createDataFrame(rows, lh.contract("gold.measure_result").schema());

    EvaluateMeasures job = new EvaluateMeasures(lh, "qicore-2024", LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31))
        .smallCellThreshold(5);
    Map<String, Row> summary = job.summarize(results, new Timestamp(0)).filter("measure = 'BreastCancerScreeningFHIR'")
        .collectAsList().stream().collect(Collectors.toMap(r -> r.getAs("stratifier") + "/" + r.getAs("stratum"), r -> r));
    Row all = summary.get("all/all");
    assertEquals(20L, (long) all.getAs("denominator"));
    assertEquals(2L, (long) all.getAs("denominator_exclusion"));
    assertEquals(3L, (long) all.getAs("denominator_exception"));
    assertEquals(9L, (long) all.getAs("numerator"));
    assertEquals(9.0 / 15.0, (double) all.getAs("performance_rate"), 1e-9, "9 / (20 - 2 - 3)");
    assertFalse((boolean) all.getAs("suppressed"));
    Row male = summary.get("sex/male");
    assertTrue((boolean) male.getAs("suppressed"), "male numerator 2 is below the threshold 5");
    assertNull(male.getAs("numerator"));
    assertNull(male.getAs("performance_rate"));
    Row female = summary.get("sex/female");
    assertTrue((boolean) female.getAs("suppressed"),
        "complementary: female (7 / (12 - 2 - 3)) shown next to the all row would give male away by subtraction");
    assertNull(female.getAs("denominator"));
    assertEquals(20L, (long) summary.get("age_band/(none)").getAs("denominator"), "unknown stratum kept as (none)");

    MeasurePackage pkg = LoadMeasurePackage.cached("qicore-2024");
    Map<String, String> status = EvaluateMeasures.careGaps(results, pkg).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("person_key"), r -> r.getAs("status")));
    Map<String, String> expected = new java.util.HashMap<>();
    for (int i = 1; i <= 20; i++) {
      // evaluated 2026-01-15, after the 2025 period: what is not met is open
      expected.put("p" + i, i <= 5 ? "not-applicable" : i <= 14 ? "closed" : "open");
    }
    expected.put("q1", "open"); // inverse: in the numerator (poor control)
    expected.put("q2", "closed");
    assertEquals(expected, status);
    Row p15 = EvaluateMeasures.careGaps(results, pkg).filter("person_key = 'p15'").collectAsList().get(0);
    assertEquals(Date.valueOf("2025-12-31"), p15.getAs("due_date"));
    List<String> closeWith = p15.getList(p15.fieldIndex("close_with"));
    // CMS125's Numerator: exists ([Observation: "Mammography"]).isDiagnosticStudyPerformed() ... (no visit retrieve)
    assertEquals(List.of("Observation: Mammography"), closeWith);
    // still running: a 2025 period evaluated in mid-2025 makes the same gap prospective
    Dataset<Row> midYear = results.withColumn("evaluated_at", org.apache.spark.sql.functions.lit(Timestamp.valueOf("2025-06-30 00:00:00")));
    assertEquals("prospective", EvaluateMeasures.careGaps(midYear, pkg).filter("person_key = 'p15'").collectAsList().get(0)
        .getAs("status"));
  }

  @Test
  void episodeBasedGroupsCountEpisodesAndSuppressSmallCellsOfPersons() {
    Lakehouse lh = SharedSpark.newLakehouse();
    List<Row> rows = new ArrayList<>();
    // threshold 5. An episode-based measure (population basis Encounter): e1-e6 have 4 encounters each in the
    // denominator, 2 of them in the numerator -> 24 episodes in the denominator, 12 in the numerator, rate 0.5.
    // By sex: e1-e3 female, e4-e6 male -> 12 episodes each, 6 met, 6 not (none small), but 3 persons each (small).
    for (int i = 1; i <= 6; i++) {
      rows.add(episodes(row("CesareanBirthFHIR", "decrease", "e" + i, i <= 3 ? "female" : "male", false, false, true),
          Map.of("initial-population", 4, "denominator", 4, "numerator", 2)));
    }
    Dataset<Row> results = lh.spark().createDataFrame(rows, lh.contract("gold.measure_result").schema());
    EvaluateMeasures job = new EvaluateMeasures(lh, "qicore-2024", LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31))
        .smallCellThreshold(5);
    Map<String, Row> summary = job.summarize(results, new Timestamp(0)).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("stratifier") + "/" + r.getAs("stratum"), r -> r));
    Row all = summary.get("all/all");
    assertFalse((boolean) all.getAs("suppressed"), "6 persons, 24 episodes, 12 met, 12 not met");
    assertEquals(24L, (long) all.getAs("initial_population"));
    assertEquals(24L, (long) all.getAs("denominator"));
    assertEquals(12L, (long) all.getAs("numerator"));
    assertEquals(0.5, (double) all.getAs("performance_rate"), 1e-9);
    assertTrue((boolean) summary.get("sex/female").getAs("suppressed"), "12 episodes, but of 3 persons");
    assertTrue((boolean) summary.get("sex/male").getAs("suppressed"), "12 episodes, but of 3 persons");
  }

  private static Row episodes(Row r, Map<String, Integer> counts) {
    return with(r, Map.of("episode_counts", JavaConverters.mapAsScalaMap(counts)));
  }

  @Test
  void aContinuousVariableGroupScoresTheAggregateOfItsObservations(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    // a package whose one measure is a continuous-variable group observed by a function, aggregate Median
    java.nio.file.Path packaged = java.nio.file.Path.of(getClass().getClassLoader()
        .getResource("measures/ecqm/qicore-2024/measure").toURI()).getParent();
    String m = "BreastCancerScreeningFHIR";
    for (String f : new String[] {"library/" + m + ".json", "profiles.yaml"}) {
      java.nio.file.Files.createDirectories(dir.resolve(f).getParent());
      java.nio.file.Files.copy(packaged.resolve(f), dir.resolve(f));
    }
    java.nio.file.Files.createDirectories(dir.resolve("valueset"));
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode measure = (com.fasterxml.jackson.databind.node.ObjectNode)
        json.readTree(packaged.resolve("measure/" + m + ".json").toFile());
    measure.set("group", json.readTree("""
        [{"id": "G1", "extension": [{"url": "http://hl7.org/fhir/us/cqfmeasures/StructureDefinition/cqfm-scoring",
           "valueCodeableConcept": {"coding": [{"code": "continuous-variable"}]}}],
          "population": [
           {"id": "IP", "code": {"coding": [{"code": "initial-population"}]}, "criteria": {"expression": "Initial Population"}},
           {"id": "MP", "code": {"coding": [{"code": "measure-population"}]}, "criteria": {"expression": "Denominator"}},
           {"id": "MPX", "code": {"coding": [{"code": "measure-population-exclusion"}]}, "criteria": {"expression": "Denominator Exclusions"}},
           {"id": "OBS", "code": {"coding": [{"code": "measure-observation"}]}, "criteria": {"expression": "Some Function"},
            "extension": [{"url": "http://hl7.org/fhir/us/cqfmeasures/StructureDefinition/cqfm-aggregateMethod", "valueCode": "Median"},
                          {"url": "http://hl7.org/fhir/us/cqfmeasures/StructureDefinition/cqfm-criteriaReference", "valueString": "MP"}]}]}]
        """));
    java.nio.file.Files.createDirectories(dir.resolve("measure"));
    json.writeValue(dir.resolve("measure/" + m + ".json").toFile(), measure);

    Lakehouse lh = SharedSpark.newLakehouse();
    List<Row> rows = new ArrayList<>();
    // 12 persons observed with values 1..12 (median 6.5); a 13th in the measure population but excluded: no value
    for (int i = 1; i <= 13; i++) {
      Row r = row(m, "increase", "v" + i, "female", false, false, false);
      Map<String, Object> set = new java.util.HashMap<>();
      set.put("episode_counts", JavaConverters.mapAsScalaMap(Map.of("initial-population", 1, "measure-population", 1,
          "measure-population-exclusion", i == 13 ? 1 : 0)));
      if (i < 13) {
        set.put("observations", JavaConverters.mapAsScalaMap(Map.of("measure-population",
            JavaConverters.asScalaBuffer(List.of((double) i)).toSeq())));
      }
      rows.add(with(r, set));
    }
    Dataset<Row> results = lh.spark().createDataFrame(rows, RESULT);
    EvaluateMeasures job = new EvaluateMeasures(lh, dir.toString(), LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31))
        .smallCellThreshold(5);
    Row all = job.summarize(results, new Timestamp(0)).filter("stratifier = 'all'").collectAsList().get(0);
    assertEquals("continuous-variable", all.getAs("scoring"));
    assertEquals(13L, (long) all.getAs("measure_population"));
    assertEquals(1L, (long) all.getAs("measure_population_exclusion"));
    assertEquals(12L, (long) all.getAs("observations"));
    assertEquals(6.5, (double) all.getAs("measure_score"), 1e-9, "median of 1..12");
    assertNull(all.getAs("performance_rate"), "no proportion here");
    assertFalse((boolean) all.getAs("suppressed"));
  }

  @Test
  void complementarySuppressionHidesTheSmallestOtherStratumOnlyWhenNeeded() {
    Lakehouse lh = SharedSpark.newLakehouse();
    List<Row> rows = new ArrayList<>();
    // threshold 5: a cell is small when 1-4 (met, not met, or the denominator).
    // ColonCancerScreening by sex: female 10 (5 met), male 12 (7 met), other 3 (1 met) -> "other" is small; the
    // smallest remaining stratum (female, performance denominator 10) is hidden with it; male stays.
    // KidneyHealth by sex: female 10 (5 met), male 10 (5 met): nothing small, nothing hidden.
    // CervicalCancerScreening: female 9 with 8 met -> 1 not met is a small cell: suppressed on its own.
    int p = 0;
    for (int i = 0; i < 10; i++) {
      rows.add(row("ColonCancerScreeningFHIR", "increase", "c" + p++, "female", false, false, i < 5));
    }
    for (int i = 0; i < 12; i++) {
      rows.add(row("ColonCancerScreeningFHIR", "increase", "c" + p++, "male", false, false, i < 7));
    }
    for (int i = 0; i < 3; i++) {
      rows.add(row("ColonCancerScreeningFHIR", "increase", "c" + p++, "other", false, false, i < 1));
    }
    for (int i = 0; i < 20; i++) {
      rows.add(row("KidneyHealthEvaluationFHIR", "increase", "k" + i, i < 10 ? "female" : "male", false, false,
          i < 10 ? i < 5 : i < 15));
    }
    for (int i = 0; i < 9; i++) {
      rows.add(row("CervicalCancerScreeningFHIR", "increase", "v" + i, "female", false, false, i < 8));
    }
    Dataset<Row> results = lh.spark().createDataFrame(rows, lh.contract("gold.measure_result").schema());
    EvaluateMeasures job = new EvaluateMeasures(lh, "qicore-2024", LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31))
        .smallCellThreshold(5);
    Map<String, Boolean> suppressed = job.summarize(results, new Timestamp(0)).filter("stratifier IN ('all', 'sex')")
        .collectAsList().stream().collect(Collectors.toMap(
            r -> r.getAs("measure").toString().replace("FHIR", "") + "/" + r.getAs("stratifier") + "/" + r.getAs("stratum"),
            r -> (Boolean) r.getAs("suppressed")));
    assertEquals(Map.of(
        "ColonCancerScreening/all/all", false, "ColonCancerScreening/sex/female", true,
        "ColonCancerScreening/sex/male", false, "ColonCancerScreening/sex/other", true,
        "KidneyHealthEvaluation/all/all", false, "KidneyHealthEvaluation/sex/female", false,
        "KidneyHealthEvaluation/sex/male", false,
        "CervicalCancerScreening/all/all", true, "CervicalCancerScreening/sex/female", true), suppressed);
  }

  @Test
  void exportsSummarySubjectListAndIndividualMeasureReportsThatHapiReads() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    List<Row> rows = new ArrayList<>();
    // as in the first test: 20 in the denominator, 2 excluded, 3 exceptions, 9 in the numerator
    // the measure's own stratifier: true for p1-p8 (2 excluded, 3 exceptions, p6-p8 in the numerator), false for p9-p20
    for (int i = 1; i <= 20; i++) {
      rows.add(with(row("BreastCancerScreeningFHIR", "increase", "p" + i, "female", i <= 2, i >= 3 && i <= 5, i >= 6 && i <= 14),
          Map.of("strata", JavaConverters.mapAsScalaMap(Map.of("Stratification_1_1", i <= 8 ? "true" : "false")))));
    }
    // episode-based: e1 has 3 encounters in the denominator (2 met), e2 has 1 (not met) -> 4 and 2, score 0.5
    rows.add(episodes(row("CesareanBirthFHIR", "decrease", "e1", "female", false, false, true),
        Map.of("initial-population", 3, "denominator", 3, "denominator-exclusion", 0, "numerator", 2)));
    rows.add(episodes(row("CesareanBirthFHIR", "decrease", "e2", "female", false, false, false),
        Map.of("initial-population", 1, "denominator", 1, "denominator-exclusion", 0, "numerator", 0)));
    lh.replaceWhere("gold.measure_result", lh.spark().createDataFrame(rows, lh.contract("gold.measure_result").schema()),
        "period_start = DATE'2025-01-01'");
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("measure-reports-");
    ExportMeasureReports.Result r = new ExportMeasureReports(lh, LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31),
        dir, true).execute();
    assertEquals(2, r.summaries());
    assertEquals(22, r.individuals());
    ca.uhn.fhir.parser.IParser parser = FhirContexts.r4().newJsonParser();
    org.hl7.fhir.r4.model.MeasureReport summary = parser.parseResource(org.hl7.fhir.r4.model.MeasureReport.class,
        java.nio.file.Files.readString(dir.resolve("summary/BreastCancerScreeningFHIR.json")));
    assertEquals(org.hl7.fhir.r4.model.MeasureReport.MeasureReportType.SUMMARY, summary.getType());
    Map<String, Integer> counts = summary.getGroupFirstRep().getPopulation().stream()
        .collect(Collectors.toMap(pc -> pc.getCode().getCodingFirstRep().getCode(), pc -> pc.getCount()));
    assertEquals(Map.of("initial-population", 20, "denominator", 20, "denominator-exclusion", 2, "numerator", 9,
        "numerator-exclusion", 0, "denominator-exception", 3), counts);
    assertEquals(0.6, summary.getGroupFirstRep().getMeasureScore().getValue().doubleValue(), 1e-9, "9 / (20 - 2 - 3)");
    org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupStratifierComponent strat = summary.getGroupFirstRep()
        .getStratifierFirstRep();
    assertEquals("Stratification_1_1", strat.getId());
    Map<String, Map<String, Integer>> strata = strat.getStratum().stream().collect(Collectors.toMap(
        st -> st.getValue().getText(), st -> st.getPopulation().stream().collect(Collectors.toMap(
            pc -> pc.getCode().getCodingFirstRep().getCode(), pc -> pc.getCount()))));
    assertEquals(Map.of("initial-population", 8, "denominator", 8, "denominator-exclusion", 2, "numerator", 3,
        "numerator-exclusion", 0, "denominator-exception", 3), strata.get("true"));
    assertEquals(Map.of("initial-population", 12, "denominator", 12, "denominator-exclusion", 0, "numerator", 6,
        "numerator-exclusion", 0, "denominator-exception", 0), strata.get("false"));
    org.hl7.fhir.r4.model.MeasureReport list = parser.parseResource(org.hl7.fhir.r4.model.MeasureReport.class,
        java.nio.file.Files.readString(dir.resolve("subject-list/BreastCancerScreeningFHIR.json")));
    org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupPopulationComponent numer = list.getGroupFirstRep()
        .getPopulation().stream().filter(pc -> pc.getCode().getCodingFirstRep().getCode().equals("numerator"))
        .findFirst().orElseThrow();
    org.hl7.fhir.r4.model.ListResource subjects = (org.hl7.fhir.r4.model.ListResource) list.getContained().stream()
        .filter(c -> ("#" + c.getIdElement().getIdPart()).equals(numer.getSubjectResults().getReference())
            || c.getIdElement().getIdPart().equals(numer.getSubjectResults().getReference().substring(1)))
        .findFirst().orElseThrow();
    assertEquals(List.of("Patient/p10", "Patient/p11", "Patient/p12", "Patient/p13", "Patient/p14", "Patient/p6",
        "Patient/p7", "Patient/p8", "Patient/p9"),
        subjects.getEntry().stream().map(e -> e.getItem().getReference()).sorted().toList());
    org.hl7.fhir.r4.model.MeasureReport one = parser.parseResource(org.hl7.fhir.r4.model.MeasureReport.class,
        java.nio.file.Files.readString(dir.resolve("individual/BreastCancerScreeningFHIR/p1.json")));
    assertEquals("Patient/p1", one.getSubject().getReference());
    assertEquals(1, one.getGroupFirstRep().getPopulation().stream()
        .filter(pc -> pc.getCode().getCodingFirstRep().getCode().equals("denominator-exclusion")).findFirst()
        .orElseThrow().getCount(), "p1 is excluded");
    org.hl7.fhir.r4.model.MeasureReport episodes = parser.parseResource(org.hl7.fhir.r4.model.MeasureReport.class,
        java.nio.file.Files.readString(dir.resolve("summary/CesareanBirthFHIR.json")));
    assertEquals(Map.of("initial-population", 4, "denominator", 4, "denominator-exclusion", 0, "numerator", 2),
        episodes.getGroupFirstRep().getPopulation().stream()
        .collect(Collectors.toMap(pc -> pc.getCode().getCodingFirstRep().getCode(), pc -> pc.getCount())));
    assertEquals(0.5, episodes.getGroupFirstRep().getMeasureScore().getValue().doubleValue(), 1e-9, "2 / 4 encounters");
    org.hl7.fhir.r4.model.MeasureReport e1 = parser.parseResource(org.hl7.fhir.r4.model.MeasureReport.class,
        java.nio.file.Files.readString(dir.resolve("individual/CesareanBirthFHIR/e1.json")));
    assertEquals(2, e1.getGroupFirstRep().getPopulation().stream()
        .filter(pc -> pc.getCode().getCodingFirstRep().getCode().equals("numerator")).findFirst().orElseThrow()
        .getCount(), "e1: 2 encounters in the numerator");
  }

  @Test
  void exportsCareGapBundlesFromTheGoldTablesOnlyActionableByDefault() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    String bcs = "BreastCancerScreeningFHIR";
    String url = "https://madie.cms.gov/Measure/" + bcs;
    // p1 open, p2 closed (numerator), p3 prospective, p4 not applicable (excluded)
    List<Row> results = List.of(MeasureResultRows.row(bcs, url, "increase", "p1", false, false, false, Map.of()),
        MeasureResultRows.row(bcs, url, "increase", "p2", false, false, true, Map.of()),
        MeasureResultRows.row(bcs, url, "increase", "p3", false, false, false, Map.of()),
        MeasureResultRows.row(bcs, url, "increase", "p4", true, false, false, Map.of()));
    List<Row> gaps = List.of(MeasureResultRows.careGap("p1", bcs, 1, "open", false),
        MeasureResultRows.careGap("p2", bcs, 1, "closed", false), MeasureResultRows.careGap("p3", bcs, 1, "prospective", false),
        MeasureResultRows.careGap("p4", bcs, 1, "not-applicable", false));
    lh.replaceWhere("gold.measure_result", lh.spark().createDataFrame(results, lh.contract("gold.measure_result").schema()),
        "period_start = DATE'2025-01-01'");
    lh.replaceWhere("gold.care_gap", lh.spark().createDataFrame(gaps, lh.contract("gold.care_gap").schema()),
        "period_start = DATE'2025-01-01'");
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("care-gaps-");
    ExportCareGapBundles.Result r = new ExportCareGapBundles(lh, LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31), dir)
        .execute();
    assertEquals(new ExportCareGapBundles.Result(2, 2, 1, 1, 0, 0), r);
    try (var files = java.nio.file.Files.list(dir)) {
      assertEquals(java.util.Set.of("p1.json", "p3.json"),
          files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()));
    }
    org.hl7.fhir.r4.model.Bundle b = FhirContexts.r4().newJsonParser().parseResource(org.hl7.fhir.r4.model.Bundle.class,
        java.nio.file.Files.readString(dir.resolve("p1.json")));
    assertEquals(org.hl7.fhir.r4.model.Bundle.BundleType.DOCUMENT, b.getType());
    assertEquals(1, b.getEntry().stream().filter(e -> e.getResource() instanceof org.hl7.fhir.r4.model.DetectedIssue).count());
    ExportCareGapBundles.Result all = new ExportCareGapBundles(lh, LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31),
        java.nio.file.Files.createTempDirectory("care-gaps-all-")).allStatuses(true).execute();
    assertEquals(new ExportCareGapBundles.Result(4, 4, 1, 1, 1, 1), all);
  }

  private static final org.apache.spark.sql.types.StructType RESULT =
      org.pophealth.lakehouse.ContractRegistry.get().contract("gold.measure_result").schema();

  private static Row row(String measure, String improvement, String person, String sex, boolean excl, boolean exception,
      boolean numer) {
    Map<String, Object> v = MeasureResultRows.columns(measure, improvement, person, excl, exception, numer);
    v.put("sex", sex);
    return with(RowFactory.create(new Object[RESULT.size()]), v);
  }

  /** The row with the named columns set. */
  private static Row with(Row r, Map<String, Object> values) {
    Object[] v = new Object[RESULT.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.get(i);
    }
    values.forEach((k, x) -> v[RESULT.fieldIndex(k)] = x);
    return RowFactory.create(v);
  }
}
