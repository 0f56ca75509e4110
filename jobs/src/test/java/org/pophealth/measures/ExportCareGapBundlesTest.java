package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The care-gap Bundles ExportCareGapBundles builds (issue 22) hold the right gaps with the IG's status codes, and
 * conform to the Da Vinci DEQM gaps-in-care profiles as HAPI's instance validator judges them (definitions in
 * src/test/resources/deqm, unchanged, PROVENANCE.md; policy as in DeqmValidationTest). Built from hand-made
 * gold.care_gap and gold.measure_result rows: no Spark session.
 */
class ExportCareGapBundlesTest {
  private static final String BCS = "BreastCancerScreeningFHIR";
  private static final String BCS_URL = "https://madie.cms.gov/Measure/BreastCancerScreeningFHIR";
  private static final String HBA1C = "DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR";
  private static final String WCC = "WeightAssessmentandCounselingforNutritionandPhysicalActivityforChildrenandAdolescentsFHIR";

  /**
   * By hand from the IG's gaps-status code system (CodeSystem-deqm-gaps-status.json: prospective-gap, open-gap,
   * closed-gap, not-applicable) and gold.care_gap's definitions: the code each person's gap must carry.
   */
  private static final Map<String, String> EXPECTED = Map.of(
      "p-open|" + BCS + "|1", "open-gap",
      "p-prospective|" + BCS + "|1", "prospective-gap",
      "p-closed|" + BCS + "|1", "closed-gap",
      "p-excluded|" + BCS + "|1", "not-applicable",
      "ehr:42|" + BCS + "|1", "open-gap",
      "ehr:42|" + HBA1C + "|1", "prospective-gap",
      "ehr:42|" + WCC + "|1", "closed-gap",
      "ehr:42|" + WCC + "|2", "open-gap");

  private static DeqmValidator validator;
  private static ExportCareGapBundles.Bundles actionable;
  private static ExportCareGapBundles.Bundles all;

  @BeforeAll
  static void fixture() {
    validator = DeqmValidator.forExports();

    List<Row> results = new ArrayList<>();
    List<Row> gaps = new ArrayList<>();
    // breast cancer screening: one person per status; ehr:42 (a key before identity resolution) has gaps in
    // three measures, one of them with two groups (a closed one and an open one)
    results.add(result(BCS, BCS_URL, "increase", "p-open", false, false, false));
    gaps.add(gap("p-open", BCS, 1, "open", false));
    results.add(result(BCS, BCS_URL, "increase", "p-prospective", false, false, false));
    gaps.add(gap("p-prospective", BCS, 1, "prospective", false));
    results.add(result(BCS, BCS_URL, "increase", "p-closed", false, false, true));
    gaps.add(gap("p-closed", BCS, 1, "closed", false));
    results.add(result(BCS, BCS_URL, "increase", "p-excluded", true, false, false));
    gaps.add(gap("p-excluded", BCS, 1, "not-applicable", false));
    results.add(result(BCS, BCS_URL, "increase", "ehr:42", false, false, false));
    gaps.add(gap("ehr:42", BCS, 1, "open", false));
    // inverse: in the numerator (glycemic status > 9%) is the gap, still open to change while the period runs
    results.add(result(HBA1C, "https://madie.cms.gov/Measure/" + HBA1C, "decrease", "ehr:42", false, false, true));
    gaps.add(gap("ehr:42", HBA1C, 1, "prospective", true));
    results.add(result(WCC, "https://madie.cms.gov/Measure/" + WCC, "increase", "ehr:42", false, false, true));
    gaps.add(gap("ehr:42", WCC, 1, "closed", false));
    Row group2 = result(WCC, "https://madie.cms.gov/Measure/" + WCC, "increase", "ehr:42", false, false, false,
        Map.of("group_index", 2, "group_id", "Group_2"));
    results.add(group2);
    gaps.add(gap("ehr:42", WCC, 2, "open", false));
    Map<String, Row> scores = new HashMap<>();
    for (String m : List.of(BCS, HBA1C, WCC)) {
      for (int g = 1; g <= 2; g++) {
        scores.put(m + "|" + g, new GenericRowWithSchema(new Object[] {m, g, "proportion", 0.5}, MeasureResultRows.SUMMARY));
      }
    }
    ExportCareGapBundles export = new ExportCareGapBundles(null, LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31), null)
        .reporter("Example Health Plan");
    actionable = export.bundles(gaps, results, scores);
    all = export.allStatuses(true).bundles(gaps, results, scores);
  }

  @Test
  void byDefaultOnlyPersonsWithOpenOrProspectiveGapsGetABundleWithOnlyThoseGaps() {
    assertEquals(Set.of("p-open.json", "p-prospective.json", "ehr_42.json"), actionable.files().keySet());
    assertEquals(new ExportCareGapBundles.Result(3, 5, 3, 2, 0, 0), actionable.result());
    Map<String, String> expected = EXPECTED.entrySet().stream()
        .filter(e -> e.getValue().equals("open-gap") || e.getValue().equals("prospective-gap"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    assertEquals(expected, statuses(actionable));
  }

  @Test
  void withAllStatusesEveryGapIsThereWithTheIgStatusCode() {
    assertEquals(5, all.files().size());
    assertEquals(new ExportCareGapBundles.Result(5, 8, 3, 2, 2, 1), all.result());
    assertEquals(EXPECTED, statuses(all));
  }

  @Test
  void theStatusCodesAreConceptsOfTheIgsGapStatusCodeSystem() throws IOException {
    CodeSystem cs;
    try (InputStream in = getClass().getResourceAsStream("/deqm/CodeSystem-deqm-gaps-status.json")) {
      cs = FhirContexts.r4().newJsonParser().parseResource(CodeSystem.class,
          new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    Set<String> concepts = cs.getConcept().stream().map(CodeSystem.ConceptDefinitionComponent::getCode)
        .collect(Collectors.toSet());
    assertEquals(Set.of("open-gap", "closed-gap", "prospective-gap", "not-applicable"), concepts);
    assertTrue(concepts.containsAll(statuses(all).values()));
  }

  @Test
  void everyBundleConformsToTheDeqmGapsProfiles() {
    for (Map.Entry<String, Bundle> e : all.files().entrySet()) {
      assertEquals(ExportCareGapBundles.BUNDLE_PROFILE, e.getValue().getMeta().getProfile().get(0).getValue());
      validator.assertConforms("gaps bundle " + e.getKey(), e.getValue());
    }
  }

  @Test
  void theDocumentHangsTogetherAndNamesThePatientByKeyOnly() {
    Bundle b = all.files().get("ehr_42.json");
    assertEquals(Bundle.BundleType.DOCUMENT, b.getType());
    assertTrue(b.getIdentifier().hasSystem() && b.getIdentifier().hasValue() && b.hasTimestamp());
    Composition c = assertInstanceOf(Composition.class, b.getEntryFirstRep().getResource(), "the Composition comes first");
    assertEquals(Composition.CompositionStatus.FINAL, c.getStatus());
    assertEquals("96315-7", c.getType().getCodingFirstRep().getCode());
    assertEquals(4, c.getSection().size(), "one section per measure group: BCS, HbA1c, WCC 1 and 2");
    Patient p = (Patient) resolve(b, c.getSubject().getReference());
    // a FHIR id cannot hold ':'; the key is kept readable, with a hash so that two keys cannot meet
    assertTrue(p.getIdElement().getIdPart().startsWith("ehr-42-"), p.getIdElement().getIdPart());
    assertEquals("{\"resourceType\":\"Patient\",\"id\":\"" + p.getIdElement().getIdPart() + "\"}",
        FhirContexts.r4().newJsonParser().encodeResourceToString(p), "no patient data beyond the key");
    for (Composition.SectionComponent s : c.getSection()) {
      MeasureReport mr = (MeasureReport) resolve(b, s.getFocus().getReference());
      assertEquals(MeasureReport.MeasureReportType.INDIVIDUAL, mr.getType());
      assertEquals(1, mr.getGroup().size(), "DEQM's individual report holds one group");
      assertEquals(c.getSubject().getReference(), mr.getSubject().getReference());
      assertEquals(1, s.getEntry().size());
      DetectedIssue di = (DetectedIssue) resolve(b, s.getEntryFirstRep().getReference());
      assertEquals(s.getFocus().getReference(), di.getEvidenceFirstRep().getDetailFirstRep().getReference());
      assertEquals(c.getSubject().getReference(), di.getPatient().getReference());
    }
    List<String> titles = c.getSection().stream().map(Composition.SectionComponent::getTitle).toList();
    assertEquals(List.of(BCS + " title", HBA1C + " title", WCC + " title, group 1", WCC + " title, group 2"), titles);
    Map<String, String> groupOf = new TreeMap<>();
    for (Composition.SectionComponent s : c.getSection()) {
      groupOf.put(s.getTitle(), ((MeasureReport) resolve(b, s.getFocus().getReference())).getGroupFirstRep().getId());
    }
    assertEquals("Group_2", groupOf.get(WCC + " title, group 2"));
  }

  @Test
  void anOpenGapSaysWhatClosesItAndByWhenAClosedOneDoesNot() {
    Map<String, DetectedIssue> issues = issues(all);
    DetectedIssue open = issues.get("p-open|" + BCS + "|1");
    assertEquals("Meet the numerator — a mammogram. Closed by: Diagnostic Study: Mammography. Due by 2025-12-31.",
        open.getDetail());
    assertEquals(DetectedIssue.DetectedIssueStatus.FINAL, open.getStatus());
    assertEquals(DetectedIssue.DetectedIssueStatus.PRELIMINARY, issues.get("p-prospective|" + BCS + "|1").getStatus(),
        "a prospective gap may still close");
    assertTrue(issues.get("ehr:42|" + WCC + "|2").getDetail().startsWith("Group 2: "));
    assertNull(issues.get("p-closed|" + BCS + "|1").getDetail());
  }

  @Test
  void theValidatorRefusesBundlesMissingWhatTheGapsProfilesRequire() {
    // negative controls: each must fail, proving the gaps profiles are applied and not just the base resources
    Bundle noStatus = all.files().get("p-open.json").copy();
    detectedIssues(noStatus).get(0).getModifierExtension().clear();
    assertTrue(validator.errors(noStatus).stream().anyMatch(m -> m.getMessage().contains("gapStatus")),
        "a DetectedIssue without its gap status must be an error:\n" + validator.describe(validator.validate(noStatus)));

    Bundle wrongCode = all.files().get("p-open.json").copy();
    detectedIssues(wrongCode).get(0).getCode().getCodingFirstRep().setCode("DRG");
    assertFalse(validator.errors(wrongCode).isEmpty(), "a DetectedIssue that is not a care gap must be an error");

    Bundle noIdentifier = all.files().get("p-open.json").copy();
    noIdentifier.setIdentifier(null);
    assertTrue(validator.errors(noIdentifier).stream().anyMatch(m -> m.getMessage().contains("identifier")),
        "a gaps Bundle without identifier must be an error:\n" + validator.describe(validator.validate(noIdentifier)));

    Bundle noIssue = all.files().get("p-open.json").copy();
    ((Composition) noIssue.getEntryFirstRep().getResource()).getSectionFirstRep().getEntry().clear();
    assertFalse(validator.errors(noIssue).isEmpty(), "a measure section without its DetectedIssue must be an error");
  }

  /** person|measure|group → gap status code, over every DetectedIssue of every Bundle. */
  private static Map<String, String> statuses(ExportCareGapBundles.Bundles bundles) {
    Map<String, String> out = new TreeMap<>();
    issues(bundles).forEach((k, di) -> out.put(k, ((org.hl7.fhir.r4.model.CodeableConcept) di
        .getModifierExtensionsByUrl(ExportCareGapBundles.GAP_STATUS_EXTENSION).get(0).getValue()).getCodingFirstRep().getCode()));
    return out;
  }

  /**
   * person|measure|group → DetectedIssue: the person from the file name (the fixture's keys), the measure from
   * the section's MeasureReport (its canonical), the group from the DetectedIssue's id (gap-N-group).
   */
  private static Map<String, DetectedIssue> issues(ExportCareGapBundles.Bundles bundles) {
    Map<String, DetectedIssue> out = new TreeMap<>();
    for (Map.Entry<String, Bundle> e : bundles.files().entrySet()) {
      String person = e.getKey().equals("ehr_42.json") ? "ehr:42" : e.getKey().replace(".json", "");
      Bundle b = e.getValue();
      for (Composition.SectionComponent s : ((Composition) b.getEntryFirstRep().getResource()).getSection()) {
        String canonical = ((MeasureReport) resolve(b, s.getFocus().getReference())).getMeasure();
        String measure = canonical.substring(canonical.lastIndexOf('/') + 1, canonical.indexOf('|'));
        for (var entry : s.getEntry()) {
          DetectedIssue di = (DetectedIssue) resolve(b, entry.getReference());
          String id = di.getIdElement().getIdPart();
          out.put(person + "|" + measure + "|" + id.substring(id.lastIndexOf('-') + 1), di);
        }
      }
    }
    return out;
  }

  private static List<DetectedIssue> detectedIssues(Bundle b) {
    return b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(DetectedIssue.class::isInstance)
        .map(DetectedIssue.class::cast).toList();
  }

  private static Resource resolve(Bundle b, String fullUrl) {
    return b.getEntry().stream().filter(e -> e.getFullUrl().equals(fullUrl)).findFirst().orElseThrow().getResource();
  }

  private static Row result(String measure, String url, String improvement, String person, boolean excl,
      boolean exception, boolean numer) {
    return result(measure, url, improvement, person, excl, exception, numer, Map.of());
  }

  private static Row result(String measure, String url, String improvement, String person, boolean excl,
      boolean exception, boolean numer, Map<String, Object> more) {
    return MeasureResultRows.row(measure, url, improvement, person, excl, exception, numer, more);
  }

  private static Row gap(String person, String measure, int group, String status, boolean inverse) {
    return MeasureResultRows.careGap(person, measure, group, status, inverse);
  }
}
