package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;

/**
 * The measures' evidence fingerprint ({@link CollectPersonResources#fingerprints}), which decides whose evidence a
 * nightly evaluate-measures gathers: a corrected result changes only its patient's fingerprint; a changed Location
 * (a shared resource) changes the fingerprint of the patient whose encounters name it, and a changed Location that
 * no gathered resource names changes none (a nightly run's deleted orders leave such Medications behind); and
 * gathering only one person's records
 * gives that person exactly the evidence a gathering of everyone gives them. The three-patient fixture, one
 * source.
 */
class EvidenceFingerprintTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aChangeReachesTheFingerprintOfWhomItConcerns(@TempDir Path tmp) throws Exception {
    Path base = Path.of(EvidenceFingerprintTest.class.getResource("/synthea-tiny").toURI());
    MeasurePackage pkg = LoadMeasurePackage.cached("qicore-2024");
    Lakehouse lh = SharedSpark.newLakehouse();
    new IngestFhirExport(lh, "ehr", base.toString()).execute();
    CollectPersonResources.Fingerprints before = new CollectPersonResources(lh, pkg).fingerprints();
    Map<String, String> evidenceBefore = evidence(before);
    assertEquals(3, evidenceBefore.size(), "one fingerprint per patient: " + evidenceBefore.keySet());

    // the night: one result corrected (same id, another value); a Location that one other patient's encounters
    // name, renamed; and a Location no encounter, procedure or immunization names, renamed (others may: a
    // PractitionerRole)
    JsonLine obs = JsonLine.first(base.resolve("Observation.ndjson"), "\"valueQuantity\"");
    ((ObjectNode) obs.node().get("valueQuantity")).put("value", 123.456);
    String patient = patientOf(obs.node());
    List<String> encounters = Files.readAllLines(base.resolve("Encounter.ndjson"));
    // the resources whose silver rows have a location column (encounter, procedure, immunization)
    List<String> withLocation = new ArrayList<>(encounters);
    withLocation.addAll(Files.readAllLines(base.resolve("Procedure.ndjson")));
    withLocation.addAll(Files.readAllLines(base.resolve("Immunization.ndjson")));
    ObjectNode named = null;
    ObjectNode unnamed = null;
    String other = null;
    for (String line : Files.readAllLines(base.resolve("Location.ndjson"))) {
      ObjectNode l = (ObjectNode) JSON.readTree(line);
      String id = l.get("id").asText();
      var byEncounter = encounters.stream().filter(e -> e.contains(id)).findFirst();
      if (named == null && byEncounter.isPresent() && !patientOf(JSON.readTree(byEncounter.get())).equals(patient)) {
        named = l;
        other = patientOf(JSON.readTree(byEncounter.get()));
      } else if (unnamed == null && withLocation.stream().noneMatch(e -> e.contains(id))) {
        unnamed = l;
      }
    }
    // and a request of one of those two patients deleted: the Medication it named is left named by no one
    String deletedRequest = null;
    for (String line : Files.readAllLines(base.resolve("MedicationRequest.ndjson"))) {
      var mr = JSON.readTree(line);
      String p = patientOf(mr);
      if (mr.has("medicationReference") && (p.equals(patient) || p.equals(other))) {
        deletedRequest = mr.get("id").asText();
        break;
      }
    }
    org.junit.jupiter.api.Assertions.assertNotNull(deletedRequest, "the fixture has a request naming a Medication");
    named.put("name", "Renamed clinic");
    unnamed.put("name", "Renamed, and named by no resource");
    Path night = Files.createDirectories(tmp.resolve("night"));
    Files.writeString(night.resolve("Observation.ndjson"), JSON.writeValueAsString(obs.node()) + "\n");
    Files.writeString(night.resolve("Location.ndjson"),
        JSON.writeValueAsString(named) + "\n" + JSON.writeValueAsString(unnamed) + "\n");
    Files.createDirectories(night.resolve("deleted"));
    Files.writeString(night.resolve("deleted/Bundle.ndjson"), "{\"resourceType\":\"Bundle\",\"type\":\"transaction\","
        + "\"entry\":[{\"request\":{\"method\":\"DELETE\",\"url\":\"MedicationRequest/" + deletedRequest + "\"}}]}\n");
    new IngestFhirExport(lh, "ehr", night.toString()).execute();
    assertEquals(0L, lh.read("silver.medication_request").filter("id = '" + deletedRequest + "'").count(),
        "the request's tombstone was applied");

    CollectPersonResources.Fingerprints after = new CollectPersonResources(lh, pkg).fingerprints();
    Map<String, String> evidenceAfter = evidence(after);
    assertEquals(evidenceBefore.keySet(), evidenceAfter.keySet());
    List<String> changed = new ArrayList<>();
    for (String person : evidenceBefore.keySet()) {
      if (!evidenceBefore.get(person).equals(evidenceAfter.get(person))) {
        changed.add(person);
      }
    }
    assertEquals(new java.util.TreeSet<>(List.of("ehr:" + patient, "ehr:" + other)), new java.util.TreeSet<>(changed),
        "the corrected result's patient and the renamed clinic's (one of them also lost a request); not the third");
    assertEquals(before.shared(), after.shared(), "a Location no encounter, procedure or immunization names, and a"
        + " Medication no request names any more, are in nobody's evidence: they change no one's fingerprint");

    // one person's records only: the same evidence as when everyone's is gathered
    Map<String, List<String>> everyone = resources(new CollectPersonResources(lh, pkg).execute().collectAsList());
    Row only = after.persons().filter("person_key = 'ehr:" + patient + "'").select("patients").first();
    List<Row> records = only.getList(0);
    assertEquals(1, records.size());
    var one = new CollectPersonResources(lh, pkg)
        .onlyPatients(SharedSpark.spark().createDataFrame(records, records.get(0).schema()));
    Map<String, List<String>> gathered = resources(one.execute().collectAsList());
    assertEquals(List.of("ehr:" + patient), List.copyOf(gathered.keySet()));
    assertEquals(everyone.get("ehr:" + patient), gathered.get("ehr:" + patient));
  }

  private static Map<String, String> evidence(CollectPersonResources.Fingerprints f) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : f.persons().select("person_key", "evidence").collectAsList()) {
      out.put(r.getString(0), r.getString(1));
    }
    return out;
  }

  /** Person key → each resource's type and JSON, sorted. */
  private static Map<String, List<String>> resources(List<Row> persons) {
    Map<String, List<String>> out = new TreeMap<>();
    for (Row p : persons) {
      List<String> rs = new ArrayList<>();
      for (Row r : p.<Row>getList(p.fieldIndex("resources"))) {
        rs.add(r.getString(r.fieldIndex("resource_type")) + " " + r.getString(r.fieldIndex("raw")));
      }
      rs.sort(null);
      out.put(p.getString(p.fieldIndex("person_key")), rs);
    }
    return out;
  }

  private static String patientOf(com.fasterxml.jackson.databind.JsonNode resource) {
    return resource.get("subject").get("reference").asText().replaceAll(".*[/:]", "");
  }

  /** The first line of an NDJSON file that contains {@code marker}, parsed. */
  private record JsonLine(ObjectNode node) {
    static JsonLine first(Path file, String marker) throws Exception {
      String line = Files.readAllLines(file).stream().filter(l -> l.contains(marker)).findFirst().orElseThrow();
      return new JsonLine((ObjectNode) JSON.readTree(line));
    }
  }
}
