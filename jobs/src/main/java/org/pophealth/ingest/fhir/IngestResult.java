package org.pophealth.ingest.fhir;

import java.util.List;
import java.util.Map;

/** Counts of one ingest run; {@link #reconciled()} is the nothing-lost invariant. */
public record IngestResult(
    String runId,
    String source,
    String directory,
    java.time.Instant exportTime,
    int files,
    long linesRead,
    long linesLoaded,
    long linesQuarantined,
    long bronzeRowsAdded,
    long silverRowsChanged,
    long events,
    List<TypeCount> byType,
    List<String> ignoredFiles,
    Map<String, Long> tableVersions,
    double seconds,
    long bytes) {

  /** Per resource type and file kind. */
  public record TypeCount(
      String resourceType, String kind, int files, long read, long loaded, long quarantined, Long expected,
      String silverTable, long silverUpserted, long silverDeleted) {}

  public boolean reconciled() {
    return linesRead == linesLoaded + linesQuarantined
        && byType.stream().allMatch(t -> t.read() == t.loaded() + t.quarantined());
  }
}
