package org.pophealth.ingest.fhir;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * What an export directory holds: its files by kind, the export's transaction time (and where it came
 * from) and request, and every other entry of the directory with the reason it is not ingested (reported,
 * never silently skipped).
 */
public record ExportPlan(
    String directory, Instant exportTime, String exportTimeFrom, String request, boolean hasManifest,
    List<ExportFile> files, List<NotIngested> ignoredFiles) {

  /** A file or folder of the export directory that is not read, with why (path relative to the directory). */
  public record NotIngested(String file, String reason) implements Serializable {
    @Override
    public String toString() {
      return file + " (" + reason + ")";
    }
  }
}
