package org.pophealth.ingest.claims;

import java.io.Serializable;
import java.util.Map;

/**
 * One delivered claims row before validation: a CSV record, a Parquet row, or a row derived from a
 * payer FHIR resource, with its lineage. {@code parseError} is set when the row could not be read at
 * all (wrong number of fields, unclosed quote).
 */
public record ClaimRecord(
    ClaimTable table,
    String format,
    String file,
    long line,
    String raw,
    Map<String, String> fields,
    String parseError,
    String ingestRunId)
    implements Serializable {}
