package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

/**
 * A request that names its drug by a reference to a Medication counts as one that names it inline: the 2024
 * package's CMS156 retrieves {@code [MedicationRequest: "Potentially Harmful Antihistamines for Older
 * Adults"]}, which its ELM expands to requests whose referenced Medication has such a code (repaired in
 * {@link LoadMeasurePackage}). RxNorm 1013619 is in that value set (2.16.840.1.113883.3.464.1003.1043); two
 * orders on different days of 2025 are what "Same High Risk Medications Ordered on Different Days" asks for.
 * No Spark.
 */
class ReferencedMedicationTest {
  private static final String RX = "{\"system\":\"http://www.nlm.nih.gov/research/umls/rxnorm\",\"code\":\"1013619\"}";
  private static final String EXPRESSION = "Same High Risk Medications Ordered on Different Days";

  private static List<Resource> person(String medication) {
    return person(medication, RX);
  }

  private static List<Resource> person(String medication, String medicationCode) {
    var parser = FhirContexts.r4().newJsonParser();
    List<Resource> out = new ArrayList<>();
    out.add((Resource) parser.parseResource(
        "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"gender\":\"female\",\"birthDate\":\"1950-01-01\"}"));
    out.add((Resource) parser.parseResource("{\"resourceType\":\"Medication\",\"id\":\"m1\",\"code\":{\"coding\":[" + medicationCode + "]}}"));
    for (String[] order : new String[][] {{"r1", "2025-03-01"}, {"r2", "2025-06-01"}}) {
      out.add((Resource) parser.parseResource("{\"resourceType\":\"MedicationRequest\",\"id\":\"" + order[0]
          + "\",\"status\":\"active\",\"intent\":\"order\",\"subject\":{\"reference\":\"Patient/p1\"},\"authoredOn\":\""
          + order[1] + "\"," + medication + "}"));
    }
    return out;
  }

  private static int matched(List<Resource> resources) throws Exception {
    CqlMeasureEvaluator ev = new CqlMeasureEvaluator(LoadMeasurePackage.cached("qicore-2024"));
    ev.person(resources);
    var run = CqlMeasureEvaluator.class.getDeclaredMethod("run", MeasurePackage.MeasureDefinition.class, String.class,
        org.opencds.cqf.cql.engine.runtime.Interval.class, ZonedDateTime.class, java.util.Set.class);
    run.setAccessible(true);
    var r = (org.opencds.cqf.cql.engine.execution.EvaluationResult) run.invoke(ev,
        ev.measurePackage().measure("UseofHighRiskMedicationsintheElderlyFHIR"), "p1",
        CqlMeasureEvaluator.period(LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31)),
        ZonedDateTime.of(2026, 1, 15, 0, 0, 0, 0, ZoneOffset.UTC), java.util.Set.of(EXPRESSION));
    return ((List<?>) r.getExpressionResults().get(EXPRESSION).getValue()).size();
  }

  @Test
  void aReferencedMedicationCountsLikeAnInlineCode() throws Exception {
    assertEquals(2, matched(person("\"medicationCodeableConcept\":{\"coding\":[" + RX + "]}")), "inline code");
    assertEquals(2, matched(person("\"medicationReference\":{\"reference\":\"Medication/m1\"}")),
        "referenced Medication: no engine error, the same two orders");
  }

  @Test
  void onlyTheReferencedMedicationsCodeAndIdDecide() throws Exception {
    // the source of the expansion is narrowed to requests whose referenced resource is coded in the value set
    // (LoadMeasurePackage.narrowByReference): the relationship still decides, so nothing else changes
    String lisinopril = "{\"system\":\"http://www.nlm.nih.gov/research/umls/rxnorm\",\"code\":\"314076\"}";
    assertEquals(0, matched(person("\"medicationReference\":{\"reference\":\"Medication/m1\"}", lisinopril)),
        "a referenced Medication outside the value set");
    assertEquals(0, matched(person("\"medicationReference\":{\"reference\":\"Medication/m2\"}")),
        "a reference to a Medication the person does not have");
    assertEquals(2, matched(person("\"medicationReference\":{\"reference\":\"https://ehr.example/fhir/Medication/m1\"}")),
        "an absolute reference: its last segment is the id");
    assertEquals(0, matched(person("\"medicationReference\":{\"reference\":\"Medication/m1/_history/2\"}")),
        "a versioned reference: the logic compares the last segment ('2') with the id, as written");
  }

  @Test
  void everyExpansionOfAReferencedValueSetRetrieveIsNarrowed() {
    // counted independently from the shipped ELM (a script over the Library resources): in the 2024 CMS156
    // library 24 such queries test a value set and 1 a single code; in the 2025 edition 111 and 4
    assertEquals(25, occurrences(LoadMeasurePackage.cached("qicore-2024"), "UseofHighRiskMedicationsintheElderlyFHIR"));
    int all2025 = 0;
    MeasurePackage p2025 = LoadMeasurePackage.cached("qicore-2025");
    for (String library : p2025.elmByLibrary().keySet()) {
      all2025 += occurrences(p2025, library);
    }
    assertEquals(115, all2025);
  }

  private static int occurrences(MeasurePackage p, String library) {
    String elm = p.elmByLibrary().get(library);
    return elm.split(java.util.regex.Pattern.quote("\"medication.resolve().code\""), -1).length - 1;
  }
}
