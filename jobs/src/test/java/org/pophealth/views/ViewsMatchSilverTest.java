package org.pophealth.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;
import org.pophealth.testing.TestResources;

/**
 * A view over Patient written to give silver.patient's columns (test resource views/match-silver/, from the
 * column descriptions of schemas/silver/patient.yaml) returns the same rows as silver.patient, which the
 * ingest's own converter builds: after a full export (Synthea's three patients and two hand-made ones), after
 * an incremental export that changes one, deletes one and adds one, and after the first export is ingested
 * again (older: nothing may change). Two independent routes to the current version of every patient.
 */
class ViewsMatchSilverTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS = "id, version_id, last_updated, active, gender, birth_date, deceased,"
      + " deceased_at, given_names, family_name, name_prefix, mrn, ssn, email, city, state, postal_code, country,"
      + " marital_status, race_code, ethnicity_code, birth_sex, language";

  @TempDir Path tmp;

  @Test
  void patientViewMatchesSilverThroughIncrementalExportsWithDeletes() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    List<String> synthea = Files.readAllLines(TestResources.dir("synthea-tiny").resolve("Patient.ndjson")).stream()
        .filter(l -> !l.isBlank()).toList();
    List<String> full = new ArrayList<>(synthea);
    full.add("{\"resourceType\":\"Patient\",\"id\":\"h1\",\"meta\":{\"versionId\":\"3\",\"lastUpdated\":\"2024-12-01T10:00:00+02:00\"},"
        + "\"active\":false,\"gender\":\"other\",\"birthDate\":\"1961-05\",\"deceasedBoolean\":true,"
        + "\"name\":[{\"use\":\"nickname\",\"given\":[\"Red\"]},{\"use\":\"official\",\"family\":\"Quinn\",\"given\":[\"Rory\",\"J\"],\"prefix\":[\"Dr.\",\"Prof.\"]}],"
        + "\"address\":[{\"use\":\"work\",\"city\":\"Salem\"},{\"use\":\"home\",\"city\":\"Lynn\",\"state\":\"MA\",\"postalCode\":\"01901\"}],"
        + "\"telecom\":[{\"system\":\"phone\",\"value\":\"555\"},{\"system\":\"email\",\"value\":\"r@example.org\"}],"
        + "\"identifier\":[{\"type\":{\"coding\":[{\"code\":\"MR\"}]},\"value\":\"M-9\"}]}");
    full.add("{\"resourceType\":\"Patient\",\"id\":\"h2\",\"birthDate\":\"1999\",\"name\":[{\"family\":\"Ng\"}],"
        + "\"address\":[{\"city\":\"Quincy\"}]}");
    Path run1 = export("run1", "2025-01-01T00:00:00Z", full, null);
    ObjectNode changed = (ObjectNode) JSON.readTree(synthea.get(0));
    ((ObjectNode) changed.withArray("name").get(0)).put("family", "Changed");
    changed.put("deceasedDateTime", "2025-01-20T08:30:00-05:00");
    String deletedId = JSON.readTree(synthea.get(1)).path("id").asText();
    Path run2 = export("run2", "2025-02-01T00:00:00Z", List.of(changed.toString(),
        "{\"resourceType\":\"Patient\",\"id\":\"h3\",\"gender\":\"female\",\"birthDate\":\"2020-02-29\"}"),
        "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"request\":{\"method\":\"DELETE\","
            + "\"url\":\"Patient/" + deletedId + "\"}},{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient/h2\"}}]}");

    ViewFiles.Named def = ViewFiles.file(TestResources.dir("views/match-silver").resolve("patient_as_silver.json"));
    int[] expectedRows = {5, 4, 4};
    Path[] runs = {run1, run2, run1};
    for (int i = 0; i < runs.length; i++) {
      assertTrue(new IngestFhirExport(lh, "ehr", runs[i].toString()).execute().reconciled());
      BuildViews.Result r = new BuildViews(lh, List.of(def)).execute();
      assertEquals(0, r.resourcesFailed(), "run " + (i + 1) + ": " + r.views());
      List<String> silver = rows(lh.spark().sql("SELECT source, " + COLUMNS + " FROM delta.`"
          + lh.path("silver.patient") + "`").collectAsList());
      List<String> view = rows(lh.spark().sql("SELECT _source AS source, id, version_id,"
          + " cast(last_updated AS timestamp) AS last_updated, active, gender, cast(birth_date AS date) AS birth_date,"
          + " deceased, cast(deceased_at AS timestamp) AS deceased_at, given_names, family_name, name_prefix, mrn,"
          + " ssn, email, city, state, postal_code, country, marital_status, race_code, ethnicity_code, birth_sex,"
          + " language FROM delta.`" + lh.viewPath("patient_as_silver") + "`").collectAsList());
      assertEquals(expectedRows[i], silver.size(), "run " + (i + 1) + ": silver.patient rows");
      assertEquals(silver, view, "run " + (i + 1) + ": view.patient_as_silver = silver.patient");
    }
    List<String> ids = lh.spark().read().format("delta").load(lh.viewPath("patient_as_silver")).select("id")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertTrue(!ids.contains(deletedId) && !ids.contains("h2") && ids.contains("h3"), "deletes applied: " + ids);
  }

  private static List<String> rows(List<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(r.toString());
    }
    java.util.Collections.sort(out);
    return out;
  }

  private Path export(String name, String transactionTime, List<String> patients, String deleted) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.write(dir.resolve("Patient.ndjson"), patients, StandardCharsets.UTF_8);
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("transactionTime", transactionTime);
    manifest.put("request", "http://ehr.example/fhir/$export");
    manifest.put("requiresAccessToken", false);
    manifest.putArray("output").addObject().put("type", "Patient").put("url", "Patient.ndjson");
    ArrayNode del = manifest.putArray("deleted");
    if (deleted != null) {
      Files.writeString(dir.resolve("deleted.ndjson"), deleted + "\n", StandardCharsets.UTF_8);
      del.addObject().put("type", "Bundle").put("url", "deleted.ndjson");
    }
    manifest.putArray("error");
    Files.writeString(dir.resolve("manifest.json"), manifest.toString(), StandardCharsets.UTF_8);
    return dir;
  }
}
