package org.pophealth.ingest.fhir.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;

/**
 * fetch-references against {@link FakeBulkServer} (a real HTTP server on 127.0.0.1): Medications the exported
 * MedicationRequests reference but the export lacks are read by id in batched searches and reach silver and
 * silver.event; what the server does not have is counted as unresolved. Fixtures: src/test/resources/bulk/README.md.
 */
class FetchReferencesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static BulkSettings settings(FakeBulkServer server, Path dir) {
    return new BulkSettings(server.base(), "system", List.of("Patient", "MedicationRequest", "Medication"),
        List.of(), List.of(), List.of(), null, false, null, dir, Duration.ofMillis(50), Duration.ofMillis(10), 1, 2,
        true, true, null);
  }

  /**
   * The requests reference bmed1 (exported), bmed2 (by two requests), bmed3 (versioned reference) and bmed9, plus a
   * contained #c1 (never fetched). Missing: bmed2, bmed3, bmed9, in id order; batch size 2 gives the searches
   * _id=bmed2,bmed3 and _id=bmed9; the server pages one entry at a time, so the first batch takes two requests
   * (the next link followed) and the second one (nothing found): 3 requests, 2 fetched, 1 not found.
   */
  @Test
  void unexportedMedicationIsFetchedAndItsCodesReachTheEvent() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    Path dir = FakeBulkServer.tempDir();
    try (FakeBulkServer server = new FakeBulkServer()) {
      server.searchPageSize = 1;
      IngestBulkExport.Result r = new IngestBulkExport(lh, "refs", settings(server, dir), null)
          .fetchReferences(new FetchReferences.Settings(true, List.of("Medication"), 2))
          .execute();

      FetchReferences.TypeResult med = r.exports().get(0).references().types().get(0);
      assertEquals(new FetchReferences.TypeResult("Medication", 4, 3, 2, 1, 3, "Medication.fetched.ndjson"), med);
      List<FakeBulkServer.Seen> searches = server.requests("GET", "/fhir/Medication");
      assertEquals(3, searches.size());
      assertEquals(List.of("bmed2,bmed3"), searches.get(0).query().get("_id"));
      assertEquals(List.of("2"), searches.get(0).query().get("_count"));
      assertEquals(List.of("1"), searches.get(1).query().get("_offset"), "the next link followed");
      assertEquals(List.of("bmed9"), searches.get(2).query().get("_id"));

      Path exportDir = r.export().exportDir();
      List<String> fetched = Files.readAllLines(exportDir.resolve("Medication.fetched.ndjson"));
      assertEquals(List.of("bmed2", "bmed3"), fetched.stream().map(l -> id(l)).toList(), "sorted by id");
      JsonNode entry = null;
      for (JsonNode e : JSON.readTree(exportDir.resolve("manifest.json").toFile()).path("output")) {
        entry = e.path("url").asText().equals("Medication.fetched.ndjson") ? e : entry;
      }
      assertEquals("{\"type\":\"Medication\",\"url\":\"Medication.fetched.ndjson\",\"count\":2}", String.valueOf(entry));

      assertTrue(r.ingest().reconciled());
      assertEquals(List.of("bmed1", "bmed2", "bmed3"), lh.read("silver.medication").filter("source = 'refs'")
          .select("id").orderBy("id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
      Row bmed2 = lh.read("silver.medication").filter("source = 'refs' AND id = 'bmed2'").select("bronze_file").first();
      assertEquals("Medication.fetched.ndjson", bmed2.getString(0), "lineage: the fetched file");

      Map<String, String> codes = new java.util.TreeMap<>();
      for (Row e : lh.read("silver.event").filter("source = 'refs' AND event_kind = 'medication'")
          .select("source_resource_id", "code").collectAsList()) {
        codes.put(e.getString(0), e.getString(1));
      }
      Map<String, String> expected = new java.util.TreeMap<>();
      expected.put("bmr1", "860975"); // exported Medication
      expected.put("bmr2", "617314"); // fetched
      expected.put("bmr3", "314076"); // fetched, versioned reference
      expected.put("bmr4", null);     // on no server: unresolved
      expected.put("bmr5", "197361"); // contained
      expected.put("bmr6", "617314"); // fetched once, used twice
      assertEquals(expected, codes);

      Row rec = lh.read("ops.ingest_reconciliation").filter("run_id = '" + r.ingest().runId()
          + "' AND resource_type = 'MedicationRequest'").select("unresolved_references").first();
      assertEquals(Map.of("Medication", 1L), rec.getJavaMap(0), "bmr4's bmed9");
      Row medRec = lh.read("ops.ingest_reconciliation").filter("run_id = '" + r.ingest().runId()
          + "' AND resource_type = 'Medication' AND file_kind = 'output'").select("files", "lines_read").first();
      assertEquals(2, medRec.getInt(0), "the exported file and the fetched one");
      assertEquals(3L, medRec.getLong(1));
    }
  }

  /** Off: no search is sent and nothing is written. */
  @Test
  void disabledSendsNoSearch() throws Exception {
    try (FakeBulkServer server = new FakeBulkServer()) {
      Path export = exportDir();
      FetchReferences.Result r = new FetchReferences(new BulkHttp(settings(server, export), null),
          new FetchReferences.Settings(false, List.of("Medication"), 50), export, null).execute();
      assertTrue(r.skipped());
      assertEquals("off", r.describe());
      assertTrue(server.requests.isEmpty());
      assertFalse(Files.exists(export.resolve("Medication.fetched.ndjson")));
    }
  }

  /**
   * Ids the source already has in silver are not fetched again (bmed2 here); a type the server cannot search
   * (Practitioner: 404) is a warning, not a failure: its references stay unresolved, no file, no manifest entry.
   */
  @Test
  void ingestedIdsAreNotFetchedAndARefusedSearchIsNotFatal() throws Exception {
    try (FakeBulkServer server = new FakeBulkServer()) {
      Path export = exportDir();
      Files.writeString(export.resolve("Encounter.ndjson"), "{\"resourceType\":\"Encounter\",\"id\":\"e1\","
          + "\"participant\":[{\"individual\":{\"reference\":\"Practitioner/pr7\"}}],\"subject\":{\"reference\":"
          + "\"Patient/bp1\"}}\n");
      addToManifest(export, "Encounter", "Encounter.ndjson");
      FetchReferences.Result r = new FetchReferences(new BulkHttp(settings(server, export), null),
          new FetchReferences.Settings(true, List.of("Medication", "Practitioner"), 50), export,
          t -> t.equals("Medication") ? Set.of("bmed2") : Set.of()).execute();
      assertEquals(List.of(
          new FetchReferences.TypeResult("Medication", 4, 2, 1, 1, 1, "Medication.fetched.ndjson"),
          new FetchReferences.TypeResult("Practitioner", 1, 1, 0, 1, 1, null)), r.types());
      assertEquals(List.of("bmed3,bmed9"), server.requests("GET", "/fhir/Medication").get(0).query().get("_id"));
      assertFalse(Files.exists(export.resolve("Practitioner.fetched.ndjson")));
      assertFalse(Files.readString(export.resolve("manifest.json")).contains("Practitioner.fetched"));
    }
  }

  @Test
  void badSettingsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FetchReferences.Settings(true, List.of("Medicine"), 50));
    assertEquals("fetch_references.types: Medicine is not a FHIR R4 resource type", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new FetchReferences.Settings(true, List.of(), 0));
    assertEquals("fetch_references.batch_size must be between 1 and 1000, not 0", e.getMessage());
    assertEquals(new FetchReferences.Settings(true, List.of("Medication"), 50), FetchReferences.Settings.DEFAULT);
  }

  /** The YAML config: on by default for [Medication] in batches of 50; a source's section overrides key by key. */
  @Test
  void settingsComeFromTheSourceConfig() throws Exception {
    assertEquals(FetchReferences.Settings.DEFAULT,
        FetchReferences.Settings.of(org.pophealth.config.ConfigLoader.defaults().sources().get("ehr")));
    Path yaml = Files.createTempFile("pophealth-refs-", ".yaml");
    Files.writeString(yaml, "sources:\n  ehr:\n    fetch_references:\n      enabled: false\n      batch_size: 10\n"
        + "  other:\n    kind: fhir-bulk\n    fetch_references:\n      types: [Medication, Practitioner]\n");
    var config = org.pophealth.config.ConfigLoader.load(yaml);
    assertEquals(new FetchReferences.Settings(false, List.of("Medication"), 10),
        FetchReferences.Settings.of(config.sources().get("ehr")));
    assertEquals(new FetchReferences.Settings(true, List.of("Medication", "Practitioner"), 50),
        FetchReferences.Settings.of(config.sources().get("other")));
  }

  /** A downloaded export as RunBulkExport leaves it: the fixtures' MedicationRequests and Medication, a manifest. */
  private static Path exportDir() throws Exception {
    Path d = FakeBulkServer.tempDir();
    Files.writeString(d.resolve("MedicationRequest.1.ndjson"),
        String.join("\n", FakeBulkServer.fixtureLines("full/MedicationRequest.ndjson")) + "\n");
    Files.writeString(d.resolve("Medication.1.ndjson"),
        String.join("\n", FakeBulkServer.fixtureLines("full/Medication.ndjson")) + "\n");
    Files.writeString(d.resolve("manifest.json"), "{\"transactionTime\":\"2025-03-01T10:00:00Z\",\"output\":["
        + "{\"type\":\"MedicationRequest\",\"url\":\"MedicationRequest.1.ndjson\",\"count\":6},"
        + "{\"type\":\"Medication\",\"url\":\"Medication.1.ndjson\",\"count\":1}],\"deleted\":[],\"error\":[]}");
    return d;
  }

  private static void addToManifest(Path export, String type, String name) throws Exception {
    var m = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(export.resolve("manifest.json").toFile());
    m.withArray("output").addObject().put("type", type).put("url", name);
    JSON.writeValue(export.resolve("manifest.json").toFile(), m);
  }

  private static String id(String line) {
    try {
      return JSON.readTree(line).path("id").asText();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
