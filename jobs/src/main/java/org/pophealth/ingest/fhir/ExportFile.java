package org.pophealth.ingest.fhir;

import java.io.Serializable;

/**
 * One file of a bulk export.
 *
 * @param relPath path relative to the export directory (lineage)
 * @param uri full Hadoop path
 * @param kind {@code output}, {@code deleted} or {@code error} (the manifest array it came from)
 * @param resourceType resource type the file should hold (from its name or the manifest), null if unknown
 * @param expectedCount the manifest's {@code count}, null when not given
 */
public record ExportFile(
    String relPath, String uri, String kind, String resourceType, Long expectedCount, long size, boolean gzip)
    implements Serializable {}
