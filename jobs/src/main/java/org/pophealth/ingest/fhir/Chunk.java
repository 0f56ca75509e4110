package org.pophealth.ingest.fhir;

import java.io.Serializable;

/**
 * A slice of one export file read by one Spark task: {@code lines} physical lines starting at byte
 * {@code start}, the first being line {@code firstLine} (1-based). {@code lines = -1} reads to the end.
 */
public record Chunk(ExportFile file, long start, long lines, long firstLine) implements Serializable {}
