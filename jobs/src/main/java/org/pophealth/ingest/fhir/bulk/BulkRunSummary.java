package org.pophealth.ingest.fhir.bulk;

import java.io.PrintWriter;
import org.pophealth.ingest.fhir.IngestSummary;

/**
 * Console summary of a bulk run: per type what was asked (full and why, or since when), the group's
 * members (new ones backfilled, removed ones), then per export what it brought and its ingest, and this
 * run's totals. Counts, types and times only: never patient data.
 */
public final class BulkRunSummary {
  private BulkRunSummary() {}

  public static void print(IngestBulkExport.Result r, String source, PrintWriter out) {
    for (GroupTypesByWatermark.Decision d : r.decisions()) {
      out.println(d.describe());
    }
    BulkGroupMembers.Diff m = r.members();
    if (m != null) {
      out.println(m.firstRun()
          ? "group members: " + m.current().size() + " (first run: the list is kept, every member came with the export)"
          : "group members: " + m.current().size() + "; " + r.backfilled() + " new members backfilled; "
              + m.removed().size() + " removed (their data stays)");
    }
    int n = r.exports().size();
    int i = 0;
    for (IngestBulkExport.ExportRun e : r.exports()) {
      i++;
      RunBulkExport.Result x = e.export();
      var d = x.download();
      out.printf("bulk export: %s, %d files, %d lines downloaded (%d count mismatches), %d retries, transactionTime %s"
              + " -> %s%n", x.since() == null ? "full" : "since " + x.since(), d.files().size(), d.lines(),
          d.mismatches(), x.retries(), x.manifest().transactionTime(), x.exportDir());
      out.printf("  export %d of %d: %s%s; error files: %d errors, %d informational%s%s%n", i, n,
          e.group().scopes().stream().map(TypeScope::label).reduce((a, b) -> a + ", " + b).orElse("all types"),
          e.backfill() ? " for " + e.patients() + " new members" : "", x.outcomes().errors(),
          x.outcomes().informational(), x.manifestPages() > 1 ? "; manifest in " + x.manifestPages() + " pages" : "",
          e.released() == null ? "" : e.released() ? "; status URL released" : "; status URL NOT released (warning)");
      if (e.references() != null) {
        out.println("  fetch-references: " + e.references().describe());
      }
      if (e.ingest() != null) {
        IngestSummary.print(e.ingest(), out);
      } else {
        out.println("  no files: nothing to ingest (bronze rows added 0)");
      }
      if (d.mismatches() > 0) {
        // strict_counts: false (a strict run ends with the error instead)
        out.println("NOT reconciled: " + IngestBulkExport.describeMismatches(d)
            + "; accepted because strict_counts is false for source " + source + ": the watermark moved to "
            + e.watermark());
      }
    }
    if (n != 1) {
      var t = r.ingest();
      out.printf("bulk run total (%d exports): read %d = loaded %d + quarantined %d; bronze rows added %d; silver rows"
              + " changed %d; events %d%n", n, t.linesRead(), t.linesLoaded(), t.linesQuarantined(),
          t.bronzeRowsAdded(), t.silverRowsChanged(), t.events());
    }
    out.flush();
  }
}
