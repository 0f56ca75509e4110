package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DeviceRequest;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Procedure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Profile recognition as data (measures/ecqm/profiles/): the shipped catalogs describe every profile both
 * editions retrieve by; an unknown profile stops the package load naming it; each criterion recognises
 * what the profile's definition says (expected values from the QI-Core / US Core profile pages, by hand).
 */
class ProfileCatalogTest {
  private static final String QICORE = "http://hl7.org/fhir/us/qicore/StructureDefinition/";
  private static final String USCORE = "http://hl7.org/fhir/us/core/StructureDefinition/";
  private static final String LOINC = "http://loinc.org";
  private static final String CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category";
  private static final String LIBRARY = "PCSBMIScreenAndFollowUpFHIR";
  private static final String CATALOGS_2024 = "catalogs: [qicore-4.1.1, fhir-r4-vital-signs]\n";
  /** The 2025 edition's catalogs (QI-Core 6.0.0, US Core 6.1.0). */
  private static final ProfileCatalog EDITION_2025 =
      ProfileCatalog.of(List.of("qicore-6.0.0", "us-core-6.1.0", "fhir-r4-vital-signs"), null);

  @TempDir
  Path dir;

  @Test
  void theShippedPackageLoadsWithItsProfilesDescribed() {
    ProfileCatalog c = LoadMeasurePackage.cached("qicore-2024").profiles();
    assertEquals(Boolean.TRUE, c.rule(QICORE + "qicore-mednotrequested").doNotPerform());
    assertEquals(java.util.Set.of(LOINC + "|39156-5"), c.rule("http://hl7.org/fhir/StructureDefinition/bmi").code());
    assertEquals(null, c.rule(USCORE + "us-core-bmi"), "the 2024 package is not written against US Core");
    // the 2025 edition's renamed and US Core profiles are described in its catalogs
    for (String url : List.of(QICORE + "qicore-medicationnotrequested", QICORE + "qicore-observationcancelled",
        QICORE + "qicore-medicationadministrationnotdone", USCORE + "us-core-bmi", USCORE + "us-core-body-weight",
        USCORE + "us-core-observation-pregnancystatus")) {
      assertNotNull(EDITION_2025.rule(url), url);
    }
  }

  @Test
  void aPackageRetrievingByAnUnknownProfileFailsToLoadNamingIt() throws Exception {
    copyPackage();
    replaceInElm(QICORE + "qicore-mednotrequested", QICORE + "qicore-madeup");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LoadMeasurePackage(dir.toString()).execute());
    assertTrue(e.getMessage().contains("library " + LIBRARY + " retrieves MedicationRequest by profile "
        + QICORE + "qicore-madeup, which no profile catalog describes"), e.getMessage());

    // the package's own profiles.yaml can describe it
    Files.writeString(dir.resolve("profiles.yaml"), CATALOGS_2024 + "profiles:\n  - {url: " + QICORE
        + "qicore-madeup, type: MedicationRequest, do_not_perform: true}\n");
    assertEquals(Boolean.TRUE, new LoadMeasurePackage(dir.toString()).execute().profiles()
        .rule(QICORE + "qicore-madeup").doNotPerform());

    // but not describe a shipped profile a second time, nor use a key the catalogs do not know
    Files.writeString(dir.resolve("profiles.yaml"), CATALOGS_2024 + "profiles:\n  - {url: " + QICORE
        + "qicore-madeup, type: MedicationRequest}\n  - {url: " + QICORE + "qicore-patient, type: Patient}\n");
    assertEquals("profile " + QICORE + "qicore-patient is described twice: in qicore-4.1.1.yaml and profiles.yaml",
        assertThrows(IllegalArgumentException.class, () -> new LoadMeasurePackage(dir.toString()).execute())
            .getMessage());
    Files.writeString(dir.resolve("profiles.yaml"), CATALOGS_2024 + "profiles:\n  - {url: " + QICORE
        + "qicore-madeup, type: MedicationRequest, dnp: true}\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new LoadMeasurePackage(dir.toString()).execute())
        .getMessage().startsWith("profile catalog profiles.yaml, profile 1: unknown key 'dnp'"));
  }

  @Test
  void aPackageNamesItsCatalogs() throws Exception {
    copyPackage();
    Files.delete(dir.resolve("profiles.yaml"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new LoadMeasurePackage(dir.toString()).execute())
        .getMessage().startsWith("measure package " + dir + " has no profiles.yaml naming the profile catalogs"));
    Files.writeString(dir.resolve("profiles.yaml"), "catalogs: [qicore-9]\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new LoadMeasurePackage(dir.toString()).execute())
        .getMessage().startsWith("no profile catalog qicore-9 (there are [fhir-r4-vital-signs, qicore-4.1.1,"));
    // read against QI-Core 6 alone, the 2024 logic names profiles QI-Core 6 split (qicore-condition), renamed
    // (qicore-mednotrequested) or never had (FHIR R4 bmi)
    Files.writeString(dir.resolve("profiles.yaml"), "catalogs: [qicore-6.0.0]\n");
    String m = assertThrows(IllegalArgumentException.class, () -> new LoadMeasurePackage(dir.toString()).execute())
        .getMessage();
    assertTrue(m.matches("library " + LIBRARY + " retrieves \\w+ by profile http://hl7.org/fhir/"
        + "(us/qicore/StructureDefinition/qicore-(condition|mednotrequested)|StructureDefinition/bmi), which no profile catalog"
        + " describes \\(read: qicore-6.0.0.yaml, profiles.yaml\\).*"), m);
  }

  @Test
  void aProfileOfAnotherTypeIsALoadError() throws Exception {
    copyPackage();
    Files.writeString(dir.resolve("profiles.yaml"), CATALOGS_2024 + "profiles:\n  - {url: " + QICORE
        + "qicore-madeup, type: ServiceRequest}\n");
    replaceInElm(QICORE + "qicore-mednotrequested", QICORE + "qicore-madeup");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new LoadMeasurePackage(dir.toString()).execute())
        .getMessage().endsWith("which profiles.yaml describes as a profile of ServiceRequest"));
  }

  @Test
  void negationProfilesAreToldByContent() {
    ProfileCatalog c = LoadMeasurePackage.cached("qicore-2024").profiles();
    MedicationRequest ordered = new MedicationRequest();
    MedicationRequest notOrdered = new MedicationRequest().setDoNotPerform(true);
    for (ProfileCatalog.Rule notRequested : List.of(c.rule(QICORE + "qicore-mednotrequested"),
        EDITION_2025.rule(QICORE + "qicore-medicationnotrequested"))) {
      assertTrue(notRequested.matches(notOrdered));
      assertFalse(notRequested.matches(ordered));
    }
    assertTrue(c.rule(QICORE + "qicore-medicationrequest").matches(ordered));
    assertFalse(c.rule(QICORE + "qicore-medicationrequest").matches(notOrdered));

    // DeviceRequest has no doNotPerform element: the request-doNotPerform modifier extension says it
    DeviceRequest device = new DeviceRequest();
    device.addModifierExtension(new org.hl7.fhir.r4.model.Extension(
        "http://hl7.org/fhir/StructureDefinition/request-doNotPerform", new BooleanType(true)));
    assertTrue(c.rule(QICORE + "qicore-devicenotrequested").matches(device));
    assertFalse(c.rule(QICORE + "qicore-devicerequest").matches(device));
    assertTrue(c.rule(QICORE + "qicore-devicerequest").matches(new DeviceRequest()));

    Procedure notDone = new Procedure().setStatus(Procedure.ProcedureStatus.NOTDONE);
    Procedure done = new Procedure().setStatus(Procedure.ProcedureStatus.COMPLETED);
    assertTrue(c.rule(QICORE + "qicore-procedurenotdone").matches(notDone));
    assertFalse(c.rule(QICORE + "qicore-procedurenotdone").matches(done));
    assertFalse(c.rule(QICORE + "qicore-procedure").matches(notDone));
    assertTrue(c.rule(QICORE + "qicore-procedure").matches(new Procedure())); // no status: not a negation

    Observation cancelled = new Observation().setStatus(Observation.ObservationStatus.CANCELLED);
    assertTrue(EDITION_2025.rule(QICORE + "qicore-observationcancelled").matches(cancelled));
    assertTrue(c.rule(QICORE + "qicore-observationnotdone").matches(cancelled));
    assertFalse(EDITION_2025.rule(QICORE + "qicore-observationcancelled")
        .matches(new Observation().setStatus(Observation.ObservationStatus.FINAL)));
    // a rule of another type never matches
    assertFalse(EDITION_2025.rule(QICORE + "qicore-observationcancelled").matches(notDone));
  }

  @Test
  void vitalSignProfilesAreToldByTheirLoincCode() {
    ProfileCatalog c = EDITION_2025;
    Observation bmi = observation("39156-5");
    Observation weight = observation("29463-7");
    Observation pregnancy = observation("82810-3");
    assertTrue(c.rule(USCORE + "us-core-bmi").matches(bmi));
    assertFalse(c.rule(USCORE + "us-core-bmi").matches(weight));
    assertTrue(c.rule(USCORE + "us-core-body-weight").matches(weight));
    assertFalse(c.rule(USCORE + "us-core-observation-pregnancystatus").matches(bmi));
    assertTrue(c.rule(USCORE + "us-core-observation-pregnancystatus").matches(pregnancy));
    assertTrue(c.rule("http://hl7.org/fhir/StructureDefinition/bmi").matches(bmi));
    // pulse oximetry: either of its two codes
    assertTrue(c.rule(USCORE + "us-core-pulse-oximetry").matches(observation("59408-5")));
    // a code of another system is not the LOINC code
    Observation other = new Observation();
    other.getCode().addCoding().setSystem("http://snomed.info/sct").setCode("39156-5");
    assertFalse(c.rule(USCORE + "us-core-bmi").matches(other));
  }

  @Test
  void encounterDiagnosesAndProblemsPartitionTheConditions() {
    ProfileCatalog c = EDITION_2025;
    ProfileCatalog.Rule dx = c.rule(QICORE + "qicore-condition-encounter-diagnosis");
    ProfileCatalog.Rule problems = c.rule(QICORE + "qicore-condition-problems-health-concerns");
    Condition encounterDx = condition("encounter-diagnosis");
    Condition problem = condition("problem-list-item");
    Condition concern = condition("health-concern");
    Condition uncategorised = new Condition();
    for (Condition x : List.of(encounterDx, problem, concern, uncategorised)) {
      assertTrue(dx.matches(x) ^ problems.matches(x), "exactly one of the two profiles: " + x.getCategory());
    }
    assertTrue(dx.matches(encounterDx));
    assertTrue(problems.matches(uncategorised));
  }

  private static Observation observation(String loinc) {
    Observation o = new Observation().setStatus(Observation.ObservationStatus.FINAL);
    o.getCode().addCoding().setSystem(LOINC).setCode(loinc);
    return o;
  }

  private static Condition condition(String category) {
    Condition c = new Condition();
    c.addCategory(new CodeableConcept().addCoding(
        new org.hl7.fhir.r4.model.Coding().setSystem(CONDITION_CATEGORY).setCode(category)));
    return c;
  }

  /** One measure of the shipped package with its library only (it includes no other library's retrieves). */
  private void copyPackage() throws Exception {
    Path packaged = Path.of(getClass().getClassLoader().getResource("measures/ecqm/qicore-2024/measure").toURI())
        .getParent();
    for (String sub : List.of("measure", "library", "valueset")) {
      Files.createDirectories(dir.resolve(sub));
    }
    Files.copy(packaged.resolve("measure/" + LIBRARY + ".json"), dir.resolve("measure/" + LIBRARY + ".json"));
    Files.copy(packaged.resolve("library/" + LIBRARY + ".json"), dir.resolve("library/" + LIBRARY + ".json"));
    Files.copy(packaged.resolve("profiles.yaml"), dir.resolve("profiles.yaml"));
  }

  private void replaceInElm(String from, String to) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Path f = dir.resolve("library/" + LIBRARY + ".json");
    ObjectNode lib = (ObjectNode) json.readTree(f.toFile());
    for (var c : lib.withArray("content")) {
      if ("application/elm+json".equals(c.path("contentType").asText())) {
        String elm = new String(Base64.getDecoder().decode(c.path("data").asText()), StandardCharsets.UTF_8);
        assertTrue(elm.contains(from), "the library retrieves by " + from);
        ((ObjectNode) c).put("data", Base64.getEncoder().encodeToString(elm.replace(from, to)
            .getBytes(StandardCharsets.UTF_8)));
      }
    }
    json.writeValue(f.toFile(), lib);
  }
}
