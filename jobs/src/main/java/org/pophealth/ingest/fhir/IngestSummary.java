package org.pophealth.ingest.fhir;

import java.io.PrintWriter;
import org.pophealth.io.TextTable;

/**
 * Console summary of an ingest run: per type read = loaded + quarantined + informational (and the manifest's count),
 * silver changes, then the exact bronze rows added (the commit's own count), duplicate ids of the export
 * and quarantined lines per reason.
 */
public final class IngestSummary {
  private IngestSummary() {}

  public static void print(IngestResult r, PrintWriter out) {
    out.printf("ingest-fhir %s: source %s, %d files, export time %s%n", r.runId(), r.source(), r.files(), r.exportTime());
    TextTable t = new TextTable("resource_type", "kind", "files", "read", "loaded", "quarantined", "informational",
        "subsetted", "expected", "silver_table", "upserted", "deleted");
    for (IngestResult.TypeCount c : r.byType()) {
      t.row(c.resourceType(), c.kind(), c.files(), c.read(), c.loaded(), c.quarantined(), c.informational(),
          c.subsetted(), c.expected() == null ? "" : c.expected(),
          c.silverTable() == null ? "(bronze only)" : c.silverTable(), c.silverUpserted(), c.silverDeleted());
    }
    t.print(out);
    out.printf("read %d = loaded %d + quarantined %d%s%s; bronze rows added %d; silver rows changed %d; events %d;"
            + " %.1f s%n",
        r.linesRead(), r.linesLoaded(), r.linesQuarantined(),
        r.linesInformational() == 0 ? "" : " + informational " + r.linesInformational(), verdict(r),
        r.bronzeRowsAdded(), r.silverRowsChanged(), r.events(), r.seconds());
    if (r.linesInformational() > 0) {
      out.println("informational: " + r.linesInformational() + " OperationOutcome lines of the error files with only"
          + " information/warning issues (server messages, not errors; nothing quarantined)");
    }
    if (r.linesSubsetted() > 0) {
      out.println("subsetted: " + r.linesSubsetted() + " loaded lines tagged SUBSETTED (_elements exports) are in"
          + " bronze only; silver keeps the full versions and takes none from a subset");
    }
    if (r.duplicateIds() > 0) {
      StringBuilder d = new StringBuilder();
      for (IngestResult.TypeCount c : r.byType()) {
        if (c.duplicateIds() != null && c.duplicateIds() > 0) {
          d.append(d.length() == 0 ? "" : ", ").append(c.resourceType()).append(' ').append(c.duplicateIds())
              .append(c.duplicateIds() == 1 ? " id on " : " ids on ").append(c.duplicateIds() + c.duplicateLines())
              .append(" lines");
        }
      }
      out.println("duplicate ids in this export: " + d + "; bronze keeps every line, silver the newest version"
          + " of each id (versionId, lastUpdated, then file and line)");
    }
    // issue 24, contained and referenced resources: what the references could not resolve, per type
    if (!r.describeUnresolvedReferences().isEmpty()) {
      out.println("unresolved references: " + r.describeUnresolvedReferences()
          + " (ops.ingest_reconciliation.unresolved_references)");
    }
    if (r.quarantinedByReason() != null && !r.quarantinedByReason().isEmpty()) {
      StringBuilder q = new StringBuilder();
      r.quarantinedByReason().forEach((code, n) -> q.append(q.length() == 0 ? "" : ", ").append(code).append(' ').append(n));
      out.println("quarantined by reason: " + q);
    }
    if (r.linesQuarantined() > 0) {
      out.println("quarantined lines: bin/pophealth sql \"SELECT reason_code, reason, file, line FROM ops.quarantine"
          + " WHERE ingest_run_id = '" + r.runId() + "'\"");
    }
    if (!r.ignoredFiles().isEmpty()) {
      out.println(r.ignoredFiles().size() + (r.ignoredFiles().size() == 1 ? " entry" : " entries")
          + " of the directory not ingested (not part of the export):");
      for (ExportPlan.NotIngested f : r.ignoredFiles()) {
        out.println("  not ingested: " + f.file() + ": " + f.reason());
      }
    }
    out.flush();
  }

  /** "(reconciled)" only when nothing is lost and every manifest count matches the lines read. */
  static String verdict(IngestResult r) {
    if (!r.reconciled()) {
      return " (NOT RECONCILED)";
    }
    String counts = r.describeCountMismatches();
    return counts.isEmpty() ? " (reconciled)" : " (NOT reconciled with the manifest: " + counts + ")";
  }
}
