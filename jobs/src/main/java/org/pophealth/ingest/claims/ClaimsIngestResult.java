package org.pophealth.ingest.claims;

import java.util.List;
import java.util.Map;

/**
 * Counts of one claims ingest run; {@link #reconciled()} is the nothing-lost invariant. {@code gate}: the delivery
 * gates' decision (null when the delivery was not measured: payer FHIR), or the release of held deliveries.
 */
public record ClaimsIngestResult(
    String runId,
    String source,
    String directory,
    int files,
    long rowsRead,
    long rowsLoaded,
    long rowsQuarantined,
    long warnings,
    long bronzeRowsAdded,
    List<TableCount> byTable,
    Map<String, Long> findings,
    long medicalClaimLines,
    long pharmacyClaimLines,
    long eligibilitySpans,
    long memberMonths,
    long events,
    List<String> ignoredFiles,
    String fhirRunId,
    double seconds,
    DeliveryGates.Decision gate) {

  /** Per table and input format: rows read = loaded + quarantined; silver rows after the rebuild. */
  public record TableCount(String table, String format, int files, long read, long loaded, long quarantined,
      long warnings, long silverRows) {}

  /** A delivery gate failed: the delivery is in bronze, not in silver. */
  public boolean held() {
    return gate != null && gate.held();
  }

  public boolean reconciled() {
    return rowsRead == rowsLoaded + rowsQuarantined
        && byTable.stream().allMatch(t -> t.read() == t.loaded() + t.quarantined());
  }
}
