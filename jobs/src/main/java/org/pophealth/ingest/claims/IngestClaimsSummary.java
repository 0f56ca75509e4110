package org.pophealth.ingest.claims;

import java.io.PrintWriter;
import java.util.Map;
import org.pophealth.io.TextTable;

/** Console summary of a claims ingest run. */
public final class IngestClaimsSummary {
  private IngestClaimsSummary() {}

  /**
   * Console summary: per table and format read = loaded + quarantined, warnings, silver rows; then a line per
   * failing rule or data-quality test (table, severity, rule or test name, rows).
   */
  public static void print(ClaimsIngestResult r, PrintWriter out) {
    if (r.gate() != null && DeliveryGates.RELEASED.equals(r.gate().decision())) {
      out.printf("ingest-claims %s: source %s, held deliveries released%n", r.runId(), r.source());
      r.gate().messages().forEach(out::println);
      printSilver(r, out);
      out.flush();
      return;
    }
    out.printf("ingest-claims %s: source %s, %d flat files%s%n", r.runId(), r.source(), r.files(),
        r.fhirRunId() == null ? "" : ", payer FHIR via " + r.fhirRunId());
    TextTable t = new TextTable("table", "format", "files", "read", "loaded", "quarantined", "warnings",
        "silver_rows");
    for (ClaimsIngestResult.TableCount c : r.byTable()) {
      t.row(c.table(), c.format(), c.files(), c.read(), c.loaded(), c.quarantined(), c.warnings(), c.silverRows());
    }
    t.print(out);
    out.printf("read %d = loaded %d + quarantined %d%s; warnings %d; bronze rows added %d%n", r.rowsRead(),
        r.rowsLoaded(), r.rowsQuarantined(), r.reconciled() ? " (reconciled)" : " (NOT RECONCILED)", r.warnings(),
        r.bronzeRowsAdded());
    if (!r.held()) {
      printSilver(r, out);
    }
    if (!r.findings().isEmpty()) {
      TextTable f = new TextTable("table", "severity", "rule", "rows");
      for (Map.Entry<String, Long> e : r.findings().entrySet()) {
        String[] k = e.getKey().split("\\|", 2);
        String[] sr = k[1].split(":", 2);
        f.row(k[0], sr[0], sr[1], e.getValue());
      }
      f.print(out);
      if (r.findings().keySet().stream().anyMatch(k -> k.contains("|" + ClaimQualityTests.UNVERIFIED + ":"))) {
        out.println("unverified: codes that an incomplete code set of a data-quality test does not list (counted,"
            + " not errors; measures/claims-quality/code_sets.csv)");
      }
    }
    if (r.rowsQuarantined() > 0) {
      out.println("quarantined rows: bin/pophealth sql \"SELECT reason_code, reason, file, line FROM ops.quarantine"
          + " WHERE ingest_run_id = '" + r.runId() + "'\"");
    }
    for (String f : r.ignoredFiles()) {
      out.println("not ingested (not a claims file): " + f);
    }
    if (r.gate() != null) {
      if (r.held()) {
        out.println("HELD: the delivery is in bronze but not in silver (silver is as it was); failing gates:");
      } else if (!DeliveryGates.RELEASED.equals(r.gate().decision())) {
        out.println("delivery gates: " + r.gate().decision());
      }
      r.gate().messages().forEach(m -> out.println((r.held() ? "  " : "") + m));
    }
    out.flush();
  }

  private static void printSilver(ClaimsIngestResult r, PrintWriter out) {
    out.printf("final-action claim lines: medical %d, pharmacy %d; eligibility spans %d; member months %d;"
        + " events %d; %.1f s%n", r.medicalClaimLines(), r.pharmacyClaimLines(), r.eligibilitySpans(),
        r.memberMonths(), r.events(), r.seconds());
  }
}
