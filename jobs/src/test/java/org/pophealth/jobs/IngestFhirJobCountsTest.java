package org.pophealth.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.ingest.fhir.IngestResult;

/**
 * {@code ingest-fhir --dir} on a directory whose manifest gives counts: lines read that differ from a
 * count fail the run (exit 1 through the CLI's error line) unless the source has {@code strict_counts: false}.
 * The bulk path's counterpart runs through the CLI in {@code BulkCliTest}.
 */
class IngestFhirJobCountsTest {

  /** Patient: manifest count {@code expected}, {@code read} lines read and loaded; nothing else. */
  private static IngestResult patients(Long expected, long read) {
    return new IngestResult("run-7", "ehr", "/exports/x", Instant.parse("2025-07-01T00:00:00Z"), 1, read, read, 0,
        read, read, 0, List.of(new IngestResult.TypeCount("Patient", "output", 1, read, read, 0, expected,
            "silver.patient", read, 0, 0L, 0L, 0, 0)), List.of(), Map.of(), 1.0, 100, Map.of(), Map.of(), 0, 0);
  }

  private static PopHealthConfig.Source strictCounts(Boolean strict) {
    return new PopHealthConfig.Source("fhir-bulk", "/exports/x", null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, strict, null, null, null, null, null, null, null, null, null);
  }

  @Test
  void countMismatchFailsUnlessStrictCountsIsOff() {
    IngestResult short2 = patients(5L, 2);
    String expected = "NOT reconciled with the manifest of /exports/x: output Patient count 5, read 2. What was read"
        + " is ingested (run run-7: read 2 = loaded 2 + quarantined 0). Set strict_counts: false for source ehr to"
        + " accept such exports.";
    assertEquals(expected, IngestFhirJob.countsNotReconciled(short2, strictCounts(null), "ehr", "/exports/x"),
        "unset: the default, true");
    assertEquals(expected, IngestFhirJob.countsNotReconciled(short2, strictCounts(true), "ehr", "/exports/x"));
    assertNull(IngestFhirJob.countsNotReconciled(short2, strictCounts(false), "ehr", "/exports/x"));
    assertNull(IngestFhirJob.countsNotReconciled(patients(2L, 2), strictCounts(true), "ehr", "/exports/x"));
    assertNull(IngestFhirJob.countsNotReconciled(patients(null, 2), strictCounts(true), "ehr", "/exports/x"),
        "no count in the manifest: nothing to compare");
  }
}
