package org.pophealth.ingest.fhir;

import java.time.Instant;
import java.util.List;

/**
 * What an export directory holds: its files by kind, the export's transaction time and request, and
 * files that were present but are not part of the export (reported, never silently skipped).
 */
public record ExportPlan(
    String directory, Instant exportTime, String request, boolean hasManifest, List<ExportFile> files,
    List<String> ignoredFiles) {}
