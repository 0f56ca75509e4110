package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The resume state of one export, kept as {@code .bulk-state.json} in the download directory: the
 * status URL, the export's own directory, the manifest once known and the files already downloaded.
 * A run finding it resumes the export instead of kicking off a new one.
 */
public final class BulkExportState {
  public static final String FILE = ".bulk-state.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Stored form; {@code manifest} is the server's manifest JSON (remote URLs), null until complete;
   * {@code key} names which export of a run this is (types, filters, since, patients: {@link
   * RunBulkExport#key}), null in states written before a run could make several exports.
   */
  public record Data(String baseUrl, String statusUrl, String requestUrl, String exportDir, String since,
      com.fasterxml.jackson.databind.JsonNode manifest, Map<String, DownloadExportFiles.FileResult> files,
      String key) {
    public Data {
      // a stored `"manifest": null` reads back as a NullNode: still no manifest
      manifest = manifest == null || manifest.isNull() || manifest.isMissingNode() ? null : manifest;
    }

    /** A state without a key (any export of the source resumes it). */
    public Data(String baseUrl, String statusUrl, String requestUrl, String exportDir, String since,
        com.fasterxml.jackson.databind.JsonNode manifest, Map<String, DownloadExportFiles.FileResult> files) {
      this(baseUrl, statusUrl, requestUrl, exportDir, since, manifest, files, null);
    }
  }

  private final Path file;
  private Data data;

  private BulkExportState(Path file, Data data) {
    this.file = file;
    this.data = data;
  }

  /** The state in {@code downloadDir}, or null when there is no export in flight. */
  public static BulkExportState load(Path downloadDir) throws IOException {
    Path f = downloadDir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    return new BulkExportState(f, JSON.readValue(f.toFile(), Data.class));
  }

  public static BulkExportState create(Path downloadDir, Data data) throws IOException {
    BulkExportState s = new BulkExportState(downloadDir.resolve(FILE), data);
    s.save();
    return s;
  }

  public synchronized Data data() {
    return data;
  }

  public synchronized void manifest(com.fasterxml.jackson.databind.JsonNode manifest) throws IOException {
    data = new Data(data.baseUrl(), data.statusUrl(), data.requestUrl(), data.exportDir(), data.since(), manifest,
        data.files(), data.key());
    save();
  }

  public synchronized void fileDone(DownloadExportFiles.FileResult f) {
    Map<String, DownloadExportFiles.FileResult> files =
        new LinkedHashMap<>(data.files() == null ? Map.of() : data.files());
    files.put(f.url(), f);
    data = new Data(data.baseUrl(), data.statusUrl(), data.requestUrl(), data.exportDir(), data.since(),
        data.manifest(), files, data.key());
    try {
      save();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The export is over (ingested or cancelled): forget it. */
  public synchronized void clear() throws IOException {
    Files.deleteIfExists(file);
  }

  private void save() throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), data);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
