package org.pophealth.conform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;
import org.pophealth.tools.generate.GenerateNightlyExport;

/**
 * silver.event after a nightly export: only the touched patients' events are built again, and the table is the
 * one a full rebuild of the source gives. The night (GenerateNightlyExport on the three-patient fixture): one
 * patient changed (new visit and result), one added, one deleted (tombstones for every resource); and one
 * existing Observation sent again with another value (an event updated in place).
 */
class IncrementalEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void nightlyEventsEqualAFullRebuild(@TempDir Path tmp) throws Exception {
    Path base = Path.of(IncrementalEventsTest.class.getResource("/synthea-tiny").toURI());
    GenerateNightlyExport.Result night = new GenerateNightlyExport(base, tmp.resolve("gen"), 7).execute();
    // an existing result corrected: same id, another value
    String first = Files.readAllLines(base.resolve("Observation.ndjson")).stream()
        .filter(l -> l.contains("\"valueQuantity\"")).findFirst().orElseThrow();
    ObjectNode corrected = (ObjectNode) JSON.readTree(first);
    ((ObjectNode) corrected.get("valueQuantity")).put("value", 123.456);
    String correctedId = corrected.get("id").asText();
    Files.writeString(night.night().resolve("Observation.ndjson"), JSON.writeValueAsString(corrected) + "\n",
        StandardOpenOption.APPEND);

    Lakehouse lh = SharedSpark.newLakehouse();
    new IngestFhirExport(lh, "ehr", base.toString()).execute();
    long before = lh.read("silver.event").count();
    IngestResult second = new IngestFhirExport(lh, "ehr", night.night().toString()).buildEvents(false).execute();
    BuildEvents.Result incremental = new BuildEvents(lh, "ehr").changedIn(second.runId()).execute();
    List<String> nightly = rows(lh);

    assertFalse(incremental.full(), "a night without shared resources changed is built incrementally");
    assertEquals(4, incremental.patients(), "the changed, the added, the deleted patient and the third one's corrected result");
    assertTrue(incremental.deleted() > 0, "the deleted patient's events are gone");
    assertEquals(night.tombstones(), lh.read("bronze.fhir_resource").filter("is_deleted").count(),
        "every tombstone of the night was loaded");
    assertTrue(nightly.stream().anyMatch(r -> r.contains(correctedId) && r.contains("123.456")),
        "the corrected result's event carries the new value");
    assertTrue(nightly.size() != before, "the night changed the table");

    BuildEvents.Result full = new BuildEvents(lh, "ehr").execute();
    assertTrue(full.full());
    assertEquals(rows(lh), nightly, "the nightly events are those a full rebuild gives");
  }

  private static List<String> rows(Lakehouse lh) {
    return lh.read("silver.event").collectAsList().stream().map(Row::toString).sorted().toList();
  }
}
