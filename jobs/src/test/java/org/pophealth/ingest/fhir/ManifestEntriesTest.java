package org.pophealth.ingest.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * A directory's manifest entries as {@code ingest-fhir --dir} reads them (no SparkSession): an entry
 * without a file name is one error naming it, and the summary says "reconciled" only when the
 * manifest's counts match the lines read.
 */
class ManifestEntriesTest {

  private static Path export(String manifest) throws Exception {
    Path dir = Files.createTempDirectory("pophealth-manifest-");
    Files.writeString(dir.resolve("Patient.ndjson"), "{\"resourceType\":\"Patient\",\"id\":\"p1\"}\n");
    Files.writeString(dir.resolve("manifest.json"), manifest);
    return dir;
  }

  @Test
  void entryWithoutAFileNameIsNamedInTheError() throws Exception {
    Path empty = export("{\"transactionTime\":\"2025-07-01T00:00:00Z\",\"output\":["
        + "{\"type\":\"Patient\",\"url\":\"http://ehr.example/files/Patient.ndjson\"},"
        + "{\"type\":\"Observation\",\"url\":\"\"}]}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ReadExportDirectory(empty.toString(), new Configuration()).execute());
    assertEquals("manifest manifest.json: entry output[1] (Observation) has no url", e.getMessage());

    Path folder = export("{\"transactionTime\":\"2025-07-01T00:00:00Z\",\"output\":[],"
        + "\"error\":[{\"url\":\"http://ehr.example/files/\"}]}");
    IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
        () -> new ReadExportDirectory(folder.toString(), new Configuration()).execute());
    assertEquals("manifest manifest.json: entry error[0] has a url that does not end in a file name", f.getMessage());
  }

  private static IngestResult result(Long expectedPatients, long readPatients) {
    List<IngestResult.TypeCount> types = List.of(
        new IngestResult.TypeCount("Patient", "output", 1, readPatients, readPatients, 0, expectedPatients,
            "silver.patient", readPatients, 0, 0L, 0L, 0, 0),
        new IngestResult.TypeCount("Observation", "output", 1, 4, 3, 1, 4L, "silver.observation", 3, 0, 0L, 0L, 0, 0));
    return new IngestResult("run-1", "ehr", "/x", Instant.parse("2025-07-01T00:00:00Z"), 2, readPatients + 4,
        readPatients + 3, 1, 0, 0, 0, types, List.of(), Map.of(), 1.0, 10, Map.of(), Map.of(), 0, 0);
  }

  @Test
  void summarySaysReconciledOnlyWhenTheManifestCountsMatch() {
    assertEquals(" (reconciled)", IngestSummary.verdict(result(2L, 2)));
    assertEquals(" (reconciled)", IngestSummary.verdict(result(null, 2)), "no count: nothing to compare");
    // count 5, 2 lines read (all loaded): nothing lost, but not what the manifest announced
    IngestResult short2 = result(5L, 2);
    assertEquals(true, short2.reconciled());
    assertEquals(" (NOT reconciled with the manifest: output Patient count 5, read 2)", IngestSummary.verdict(short2));
  }
}
