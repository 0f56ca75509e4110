package org.pophealth.ingest.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * A directory's manifest entries as {@code ingest-fhir --dir} reads them (no SparkSession): an entry
 * without a file name is one error naming it.
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
}
