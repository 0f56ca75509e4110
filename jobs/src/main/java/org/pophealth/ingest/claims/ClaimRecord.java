package org.pophealth.ingest.claims;

import java.io.Serializable;
import java.util.Map;

/**
 * One delivered claims row before validation: a CSV record, a Parquet row, or a row derived from a
 * payer FHIR resource, with its lineage. {@code parseError} is set when the row could not be read at
 * all, with its reason code {@code parseCode}: {@code malformed-row} (wrong number of fields, unclosed
 * quote) or {@code bad-encoding} (bytes that are not valid in the source's charset).
 */
public record ClaimRecord(
    ClaimTable table,
    String format,
    String file,
    long line,
    String raw,
    Map<String, String> fields,
    String parseError,
    String parseCode,
    String ingestRunId)
    implements Serializable {
  /** What a boundary scan ({@link CsvRecords#boundaries}) returns for every record. */
  static final ClaimRecord SCANNED = new ClaimRecord(null, "csv", null, 0, null, Map.of(), null, null, null);

  /** A record whose parse error, if any, is a {@code malformed-row}. */
  public ClaimRecord(ClaimTable table, String format, String file, long line, String raw, Map<String, String> fields,
      String parseError, String ingestRunId) {
    this(table, format, file, line, raw, fields, parseError, parseError == null ? null : "malformed-row", ingestRunId);
  }
}
