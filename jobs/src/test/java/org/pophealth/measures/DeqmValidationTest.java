package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.ContractRegistry;
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
  private static final StructType RESULT = ContractRegistry.get().contract("gold.measure_result").schema();
  private static final StructType SUMMARY = new StructType().add("measure", DataTypes.StringType)
      .add("group_index", DataTypes.IntegerType).add("scoring", DataTypes.StringType)
      .add("measure_score", DataTypes.DoubleType);

  private static FhirValidator validator;
  private static ExportMeasureReports.Reports reports;

  @BeforeAll
  static void validatorAndReports() throws IOException {
    FhirContext ctx = FhirContexts.r4();
    PrePopulatedValidationSupport deqm = new PrePopulatedValidationSupport(ctx);
    for (String f : new String[] {"StructureDefinition-indv-measurereport-deqm.xml",
        "StructureDefinition-summary-measurereport-deqm.xml", "StructureDefinition-subjectlist-measurereport-deqm.xml",
        "StructureDefinition-extension-measureScoring.json", "StructureDefinition-extension-groupImprovementNotation.json"}) {
      try (InputStream in = DeqmValidationTest.class.getResourceAsStream("/deqm/" + f)) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        var parser = f.endsWith(".xml") ? ctx.newXmlParser() : ctx.newJsonParser();
        deqm.addStructureDefinition(parser.parseResource(StructureDefinition.class, text));
      }
    }
    // differential-only profiles: the snapshot generator derives them from the R4 base definitions
    ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(ctx), deqm,
        new SnapshotGeneratingValidationSupport(ctx), new InMemoryTerminologyServerValidationSupport(ctx),
        new CommonCodeSystemsTerminologyService(ctx));
    FhirInstanceValidator instance = new FhirInstanceValidator(chain);
    // extensions DEQM names but we do not have are reported, not refused; the ones we write are all known
    instance.setAnyExtensionsAllowed(true);
    validator = ctx.newValidator().setValidateAgainstStandardSchema(false).setValidateAgainstStandardSchematron(false);
    validator.registerValidatorModule(instance);

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
    Map<String, Row> scores = Map.of(
        BCS + "|1", new GenericRowWithSchema(new Object[] {BCS, 1, "proportion", 0.6}, SUMMARY),
        "CesareanBirthFHIR|1", new GenericRowWithSchema(new Object[] {"CesareanBirthFHIR", 1, "proportion", 0.5}, SUMMARY));
    reports = new ExportMeasureReports(null, LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31), null, true)
        .reports(rows, scores);
  }

  @Test
  void summaryReportsConformToTheDeqmSummaryProfile() {
    for (String m : List.of(BCS, "CesareanBirthFHIR")) {
      MeasureReport mr = reports.files().get("summary/" + m + ".json");
      assertEquals(ExportMeasureReports.SUMMARY_PROFILE, mr.getMeta().getProfile().get(0).getValue());
      assertConforms("summary/" + m, mr);
    }
    MeasureReport bcs = reports.files().get("summary/" + BCS + ".json");
    assertEquals(BCS_URL + "|0.2.000", bcs.getMeasure(), "versioned canonical (deqm-0)");
    assertEquals(2, bcs.getGroupFirstRep().getStratifierFirstRep().getStratum().size(), "the fixture has strata");
  }

  @Test
  void subjectListReportsConformToTheDeqmSubjectListProfile() {
    for (String m : List.of(BCS, "CesareanBirthFHIR")) {
      MeasureReport mr = reports.files().get("subject-list/" + m + ".json");
      assertEquals(ExportMeasureReports.SUBJECT_LIST_PROFILE, mr.getMeta().getProfile().get(0).getValue());
      assertConforms("subject-list/" + m, mr);
    }
  }

  @Test
  void individualReportsConformToTheDeqmIndividualProfile() {
    List<Map.Entry<String, MeasureReport>> individual = reports.files().entrySet().stream()
        .filter(e -> e.getKey().startsWith("individual/")).toList();
    assertEquals(22, individual.size(), "20 + 2 persons in an initial population");
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
        && m.getMessage().contains("reporter")), "missing reporter must be an error:\n" + describe(validator.validateWithResult(noReporter)));

    MeasureReport unversioned = reports.files().get("summary/" + BCS + ".json").copy();
    unversioned.setMeasure(BCS_URL);
    assertTrue(errors(unversioned).stream().anyMatch(m -> m.getMessage().contains("deqm-0")),
        "unversioned canonical must break deqm-0:\n" + describe(validator.validateWithResult(unversioned)));

    MeasureReport noScoring = reports.files().get("individual/" + BCS + "/p1.json").copy();
    noScoring.getExtension().removeIf(x -> x.getUrl().equals(ExportMeasureReports.SCORING_EXTENSION));
    assertTrue(errors(noScoring).stream().anyMatch(m -> m.getMessage().contains("deqm-3")),
        "no scoring must break deqm-3:\n" + describe(validator.validateWithResult(noScoring)));

    // and the base resource rules still apply under the profile: a subject-list population without its List
    MeasureReport noList = reports.files().get("subject-list/" + BCS + ".json").copy();
    noList.getGroupFirstRep().getPopulationFirstRep().setSubjectResults(null);
    assertFalse(errors(noList).isEmpty(), "subject-list population without subjectResults must be an error");
  }

  /** Fails with every message (severity, location, text) when the validator finds an error or worse. */
  private static void assertConforms(String name, MeasureReport mr) {
    ValidationResult result = validator.validateWithResult(mr);
    String all = describe(result);
    System.out.println("== " + name + "\n" + all);
    List<SingleValidationMessage> errors = errors(result);
    if (!errors.isEmpty()) {
      fail(name + ": " + errors.size() + " error(s) against its DEQM profile\n" + all);
    }
    assertTrue(result.getMessages().stream().noneMatch(m -> unresolved(m) != null && DEQM_LOADED.contains(unresolved(m))),
        name + ": a DEQM definition this test loads was not used\n" + all);
  }

  /** The DEQM definitions loaded above: never "unresolvable", so their findings always count. */
  private static final java.util.Set<String> DEQM_LOADED = java.util.Set.of(ExportMeasureReports.SUMMARY_PROFILE,
      ExportMeasureReports.SUBJECT_LIST_PROFILE, ExportMeasureReports.INDIVIDUAL_PROFILE,
      ExportMeasureReports.SCORING_EXTENSION, ExportMeasureReports.GROUP_IMPROVEMENT_EXTENSION);

  private static final java.util.regex.Pattern UNRESOLVED = java.util.regex.Pattern.compile(
      "(?:profile \\[CanonicalType\\[|Unable to resolve profile CanonicalType\\[|Unable to resolve the profile reference ')"
          + "([^\\]']+)");

  /** The canonical of a profile the validator could not find, when the message is about one; else null. */
  private static String unresolved(SingleValidationMessage m) {
    java.util.regex.Matcher x = UNRESOLVED.matcher(m.getMessage());
    return x.find() && (m.getMessage().contains("could not be resolved") || m.getMessage().contains("Unable to resolve"))
        ? x.group(1) : null;
  }

  private static List<SingleValidationMessage> errors(MeasureReport mr) {
    return errors(validator.validateWithResult(mr));
  }

  /**
   * Error-or-worse messages, less those caused only by a profile outside this test's reach (QI-Core, CRMI, the
   * FHIR extensions pack, DEQM's List profile: see PROVENANCE.md): the validator cannot resolve it, and then
   * also finds no allowed target type at that element. Those are reported as warnings by describe().
   */
  private static List<SingleValidationMessage> errors(ValidationResult result) {
    java.util.Set<String> unresolvedAt = result.getMessages().stream()
        .filter(m -> unresolved(m) != null && !DEQM_LOADED.contains(unresolved(m)))
        .map(SingleValidationMessage::getLocationString).collect(Collectors.toSet());
    return result.getMessages().stream().filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
        .filter(m -> !external(m, unresolvedAt)).toList();
  }

  private static boolean external(SingleValidationMessage m, java.util.Set<String> unresolvedAt) {
    String u = unresolved(m);
    if (u != null) {
      return !DEQM_LOADED.contains(u);
    }
    return m.getMessage().contains("but expected one of ([])") && unresolvedAt.contains(m.getLocationString());
  }

  private static String describe(ValidationResult result) {
    java.util.Set<String> unresolvedAt = result.getMessages().stream()
        .filter(m -> unresolved(m) != null && !DEQM_LOADED.contains(unresolved(m)))
        .map(SingleValidationMessage::getLocationString).collect(Collectors.toSet());
    return result.getMessages().stream()
        .map(m -> (m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal() && external(m, unresolvedAt)
            ? "WARNING (unresolvable external profile; validator said " + m.getSeverity() + ")" : m.getSeverity().toString())
            + " " + m.getLocationString() + ": " + m.getMessage())
        .collect(Collectors.joining("\n"));
  }

  private static Row row(String measure, String url, String improvement, String person, boolean excl, boolean exception,
      boolean numer, Map<String, Object> more) {
    Map<String, Object> v = MeasureResultRows.columns(measure, improvement, person, excl, exception, numer);
    v.put("measure_url", url);
    v.put("measure_version", "0.2.000");
    v.put("group_id", "Group_1");
    v.putAll(more);
    Object[] values = new Object[RESULT.size()];
    v.forEach((k, x) -> values[RESULT.fieldIndex(k)] = x);
    return new GenericRowWithSchema(values, RESULT);
  }
}
