package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

/**
 * The MeasureReports ExportMeasureReports writes conform to the Da Vinci DEQM profiles (issue 22), as HAPI's
 * own instance validator judges them: the DEQM StructureDefinitions in src/test/resources/deqm (unchanged HL7
 * artifacts, see PROVENANCE.md) get snapshots from the R4 core definitions, and every report must come out
 * without an error. Reports are built from plain gold.measure_result rows, no Spark session.
 *
 * <p>Profiles DEQM points at but this machine cannot have (QI-Core, CRMI, the FHIR extensions pack, DEQM's
 * individual-report List) are not replaced by stand-ins: the validator reports each as a warning, printed
 * with the rest, and the test fails should one ever surface as an error.
 */
class DeqmValidationTest {
  private static final String BCS = "BreastCancerScreeningFHIR";
  private static final String BCS_URL = "https://madie.cms.gov/Measure/BreastCancerScreeningFHIR";
  private static final StructType SUMMARY = MeasureResultRows.SUMMARY;

  static final List<String> FILES = List.of("StructureDefinition-indv-measurereport-deqm.xml",
      "StructureDefinition-summary-measurereport-deqm.xml", "StructureDefinition-subjectlist-measurereport-deqm.xml",
      "StructureDefinition-extension-measureScoring.json", "StructureDefinition-extension-groupImprovementNotation.json");
  /** The DEQM definitions loaded: never "unresolvable", so their findings always count. */
  static final Set<String> DEQM_LOADED = Set.of(ExportMeasureReports.SUMMARY_PROFILE,
      ExportMeasureReports.SUBJECT_LIST_PROFILE, ExportMeasureReports.INDIVIDUAL_PROFILE,
      ExportMeasureReports.SCORING_EXTENSION, ExportMeasureReports.GROUP_IMPROVEMENT_EXTENSION);

  private static final String TWO_RATES = "TobaccoScreeningFHIR";
  private static DeqmValidator validator;
  private static ExportMeasureReports.Reports reports;

  @BeforeAll
  static void validatorAndReports() {
    validator = new DeqmValidator(FILES, DEQM_LOADED);

    List<Row> rows = new ArrayList<>();
    // a patient-based proportion measure with one of its own stratifiers: 20 in the denominator, p1-p2
    // excluded, p3-p5 exceptions, p6-p14 in the numerator; stratum true for p1-p8, false for p9-p20
    for (int i = 1; i <= 20; i++) {
      rows.add(row(BCS, BCS_URL, "increase", "p" + i, i <= 2, i >= 3 && i <= 5, i >= 6 && i <= 14,
          Map.of("strata", JavaConverters.mapAsScalaMap(Map.of("Stratification_1_1", i <= 8 ? "true" : "false")))));
    }
    // an episode-based inverse measure: e1 has 3 deliveries in the denominator (2 in the numerator), e2 one
    rows.add(row("CesareanBirthFHIR", "https://madie.cms.gov/Measure/CesareanBirthFHIR", "decrease", "e1", false, false,
        true, Map.of("episode_counts", JavaConverters.mapAsScalaMap(
            Map.of("initial-population", 3, "denominator", 3, "denominator-exclusion", 0, "numerator", 2)))));
    rows.add(row("CesareanBirthFHIR", "https://madie.cms.gov/Measure/CesareanBirthFHIR", "decrease", "e2", false, false,
        false, Map.of("episode_counts", JavaConverters.mapAsScalaMap(
            Map.of("initial-population", 1, "denominator", 1, "denominator-exclusion", 0, "numerator", 0)))));
    // a measure of two rates (as CMS138): one person in both groups, numerator in the second only
    for (int g = 1; g <= 2; g++) {
      rows.add(row(TWO_RATES, "https://madie.cms.gov/Measure/" + TWO_RATES, "increase", "t1", false, false, g == 2,
          Map.of("group_index", g, "group_id", "Group_" + g)));
    }
    Map<String, Row> scores = Map.of(
        TWO_RATES + "|1", new GenericRowWithSchema(new Object[] {TWO_RATES, 1, "proportion", 0.0}, SUMMARY),
        TWO_RATES + "|2", new GenericRowWithSchema(new Object[] {TWO_RATES, 2, "proportion", 1.0}, SUMMARY),
        BCS + "|1", new GenericRowWithSchema(new Object[] {BCS, 1, "proportion", 0.6}, SUMMARY),
        "CesareanBirthFHIR|1", new GenericRowWithSchema(new Object[] {"CesareanBirthFHIR", 1, "proportion", 0.5}, SUMMARY));
    reports = new ExportMeasureReports(null, LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31), null, true)
        .reports(rows, scores);
  }

  @Test
  void summaryReportsConformToTheDeqmSummaryProfile() {
    assertEveryMeasureConforms("summary/", ExportMeasureReports.SUMMARY_PROFILE);
    MeasureReport bcs = reports.files().get("summary/" + BCS + ".json");
    assertEquals(BCS_URL + "|0.2.000", bcs.getMeasure(), "versioned canonical (deqm-0)");
    assertEquals(2, bcs.getGroupFirstRep().getStratifierFirstRep().getStratum().size(), "the fixture has strata");
  }

  @Test
  void subjectListReportsConformToTheDeqmSubjectListProfile() {
    assertEveryMeasureConforms("subject-list/", ExportMeasureReports.SUBJECT_LIST_PROFILE);
  }

  @Test
  void individualReportsConformToTheDeqmIndividualProfile() {
    List<Map.Entry<String, MeasureReport>> individual = reports.files().entrySet().stream()
        .filter(e -> e.getKey().startsWith("individual/")).toList();
    assertEquals(24, individual.size(), "20 + 2 persons in an initial population, and one person's two rates");
    // DEQM's individual report holds one group: the two-rate measure's person has one report per group
    for (int g = 1; g <= 2; g++) {
      MeasureReport mr = reports.files().get("individual/" + TWO_RATES + "/t1-group" + g + ".json");
      assertEquals(1, mr.getGroup().size());
      assertEquals("Group_" + g, mr.getGroupFirstRep().getId());
    }
    for (Map.Entry<String, MeasureReport> e : individual) {
      assertEquals(ExportMeasureReports.INDIVIDUAL_PROFILE, e.getValue().getMeta().getProfile().get(0).getValue());
      assertConforms(e.getKey(), e.getValue());
    }
  }

  @Test
  void theValidatorRefusesReportsMissingWhatDeqmRequires() {
    // negative controls: the same summary without its reporter (1..1 in DEQM), with an unversioned measure
    // canonical (deqm-0), without its measure scoring (deqm-3); each must fail, proving the profile is applied
    MeasureReport noReporter = reports.files().get("summary/" + BCS + ".json").copy();
    noReporter.setReporter(null);
    assertTrue(errors(noReporter).stream().anyMatch(m -> m.getLocationString().contains("MeasureReport")
        && m.getMessage().contains("reporter")), "missing reporter must be an error:\n" + describe(validator.validate(noReporter)));

    MeasureReport unversioned = reports.files().get("summary/" + BCS + ".json").copy();
    unversioned.setMeasure(BCS_URL);
    assertTrue(errors(unversioned).stream().anyMatch(m -> m.getMessage().contains("deqm-0")),
        "unversioned canonical must break deqm-0:\n" + describe(validator.validate(unversioned)));

    MeasureReport noScoring = reports.files().get("individual/" + BCS + "/p1.json").copy();
    noScoring.getExtension().removeIf(x -> x.getUrl().equals(ExportMeasureReports.SCORING_EXTENSION));
    assertTrue(errors(noScoring).stream().anyMatch(m -> m.getMessage().contains("deqm-3")),
        "no scoring must break deqm-3:\n" + describe(validator.validate(noScoring)));

    // and the base resource rules still apply under the profile: a subject-list population without its List
    MeasureReport noList = reports.files().get("subject-list/" + BCS + ".json").copy();
    noList.getGroupFirstRep().getPopulationFirstRep().setSubjectResults(null);
    assertFalse(errors(noList).isEmpty(), "subject-list population without subjectResults must be an error");
  }

  /**
   * The folder's report of each fixture measure, the two-rate measure's one per group (DEQM: one group per
   * report), each with one group, claiming {@code profile} and conforming to it.
   */
  private static void assertEveryMeasureConforms(String folder, String profile) {
    for (String m : List.of(BCS, "CesareanBirthFHIR", TWO_RATES + "-group1", TWO_RATES + "-group2")) {
      MeasureReport mr = reports.files().get(folder + m + ".json");
      assertEquals(1, mr.getGroup().size(), m);
      assertEquals(profile, mr.getMeta().getProfile().get(0).getValue());
      assertConforms(folder + m, mr);
    }
  }

  private static void assertConforms(String name, MeasureReport mr) {
    validator.assertConforms(name, mr);
  }

  private static List<SingleValidationMessage> errors(MeasureReport mr) {
    return validator.errors(mr);
  }

  private static String describe(ValidationResult result) {
    return validator.describe(result);
  }

  private static Row row(String measure, String url, String improvement, String person, boolean excl, boolean exception,
      boolean numer, Map<String, Object> more) {
    return MeasureResultRows.row(measure, url, improvement, person, excl, exception, numer, more);
  }
}
