package org.pophealth.ingest.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * How {@link ReadExportDirectory} reads the folders of other export clients (no SparkSession): files that
 * Maven does not copy into golden-case resources (dot files), and the errors that name a file. The layouts
 * themselves are golden cases (ingest/bulk-data-client-layout, smart-fetch-layout, unknown-files-reported).
 */
class ExportLayoutsTest {

  private static Path folder(Map<String, String> files) throws Exception {
    Path dir = Files.createTempDirectory("pophealth-layout-");
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue());
    }
    return dir;
  }

  private static ExportPlan read(Path dir) throws Exception {
    return new ReadExportDirectory(dir.toString(), new Configuration()).execute();
  }

  private static Map<String, String> notIngested(ExportPlan plan) {
    Map<String, String> m = new TreeMap<>();
    plan.ignoredFiles().forEach(f -> m.put(f.file(), f.reason()));
    return m;
  }

  /** (Hadoop's local file system hides its own {@code .crc} files from listings; other stores show them.) */
  @Test
  void smartFetchDotFilesAreListedWithTheirReason() throws Exception {
    Path dir = folder(Map.of(
        "Patient.001.ndjson", "{\"resourceType\":\"Patient\",\"id\":\"p1\"}\n",
        ".metadata", "{\"kind\":\"output\",\"done\":{\"Patient\":\"2025-05-01T00:00:00+00:00\"}}",
        ".notes", "x",
        ".Patient.002.ndjson.part", "{",
        "log.ndjson", "{\"eventId\":\"status_complete\",\"eventDetail\":{\"transactionTime\":\"2025-05-01T00:00:00+00:00\"}}\n"));
    ExportPlan plan = read(dir);
    assertEquals(List.of("Patient.001.ndjson"), plan.files().stream().map(ExportFile::relPath).toList());
    assertEquals(Map.of(
        ".metadata", "SMART Fetch folder metadata (export state, not data)",
        ".notes", "hidden file",
        ".Patient.002.ndjson.part", "an unfinished download (the bulk client's partial file)",
        "log.ndjson", "export client log (Bulk Data client log events, not data)"), notIngested(plan));
    assertEquals(Instant.parse("2025-05-01T00:00:00Z"), plan.exportTime());
    assertEquals("client log", plan.exportTimeFrom());
  }

  @Test
  void aLogNamedFileThatIsNotAClientLogIsRead() throws Exception {
    Path dir = folder(Map.of("log.ndjson", "{\"resourceType\":\"Patient\",\"id\":\"p1\"}\n"));
    ExportPlan plan = read(dir);
    assertEquals(List.of("log.ndjson"), plan.files().stream().map(ExportFile::relPath).toList());
    assertEquals(Map.of(), notIngested(plan));
  }

  @Test
  void numberedNamesDeletedAndErrorFoldersGiveKindAndType() throws Exception {
    Path dir = folder(Map.of(
        "3.MedicationRequest.ndjson", "",
        "deleted/1.Bundle.ndjson", "",
        "error/1.OperationOutcome.ndjson", ""));
    List<String> files = read(dir).files().stream()
        .map(f -> f.relPath() + " " + f.kind() + " " + f.resourceType()).toList();
    assertEquals(List.of("3.MedicationRequest.ndjson output MedicationRequest", "deleted/1.Bundle.ndjson deleted Bundle",
        "error/1.OperationOutcome.ndjson error OperationOutcome"), files);
  }

  @Test
  void manifestEntriesFindTheirFilesByDestinationOrTheClientsNames() throws Exception {
    Path dir = folder(Map.of(
        "manifest.json", "{\"transactionTime\":\"2025-07-01T00:00:00Z\",\"output\":["
            + "{\"type\":\"Patient\",\"url\":\"https://f.example/a/x1\",\"destination\":\"C:\\\\dl\\\\1.Patient.ndjson\"},"
            + "{\"type\":\"Patient\",\"url\":\"https://f.example/a/x2\"},"
            + "{\"type\":\"Condition\",\"url\":\"https://f.example/a/x3\"}],"
            + "\"error\":[{\"type\":\"OperationOutcome\",\"url\":\"https://f.example/a/x4\"}]}",
        "1.Patient.ndjson", "",
        "2.Patient.ndjson", "",
        "Condition.001.ndjson.gz", "",
        "error/OperationOutcome.001.ndjson", ""));
    ExportPlan plan = read(dir);
    assertEquals(List.of("1.Patient.ndjson", "2.Patient.ndjson", "Condition.001.ndjson.gz",
        "error/OperationOutcome.001.ndjson"), plan.files().stream().map(ExportFile::relPath).toList());
    assertEquals(Map.of(), notIngested(plan));
    assertEquals("manifest.json", plan.exportTimeFrom());
  }

  @Test
  void aSmartFetchManagedFolderIsRejectedNamingItsMetadata() throws Exception {
    Path dir = folder(Map.of(
        ".metadata", "{\"kind\":\"managed\",\"fhir-url\":\"https://ehr.example/fhir\"}",
        "001.2025-06-26/Condition.001.ndjson.gz", "",
        "002.2025-06-27/Observation.001.ndjson.gz", ""));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(dir));
    assertEquals(dir + " is a SMART Fetch managed folder (.metadata: kind managed), which holds several exports:"
        + " ingest each numbered export folder in it on its own (--dir), oldest first", e.getMessage());
  }

  @Test
  void twoManifestsAreAnErrorNamingBoth() throws Exception {
    String m = "{\"transactionTime\":\"2025-07-01T00:00:00Z\",\"output\":[]}";
    Path dir = folder(Map.of("a.json", m, "b.json", m));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(dir));
    assertEquals("two bulk manifests in " + dir + ": a.json and b.json; a directory holds one export", e.getMessage());
  }
}
