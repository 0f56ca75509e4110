package org.pophealth.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.ingest.claims.ClaimsIngestResult;
import org.pophealth.ingest.claims.IngestClaims;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ingest-claims", mixinStandardHelpOptions = true,
    description = {
      "Ingest one claims delivery directory of a payer: Tuva-layout medical_claim*, pharmacy_claim* and",
      "eligibility* files (.csv or .parquet) and/or payer FHIR NDJSON (CARIN Blue Button",
      "ExplanationOfBenefit, Coverage, Patient). Every row is loaded or quarantined with a reason;",
      "claim versions are resolved to final-action claims; prints read = loaded + quarantined per table."})
final class IngestClaimsCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--source", required = true, description = "Source name (a key under `sources:` with kind claims).")
  String source;

  @Option(names = "--dir", paramLabel = "PATH", description = "Delivery directory (default: sources.<source>.dir).")
  String dir;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = new CliContext(parent.global);
    PopHealthConfig config = ctx.config();
    PopHealthConfig.Source s = config.sources().get(source);
    if (s != null && s.kind() != null && !s.kind().equals("claims")) {
      throw new IllegalArgumentException("source '" + source + "' has kind " + s.kind()
          + "; ingest-claims reads sources of kind claims");
    }
    String directory = dir != null ? dir : s == null ? null : s.dir();
    if (directory == null) {
      throw new IllegalArgumentException(s == null
          ? "unknown source '" + source + "' (configured: " + config.sources().keySet() + "); give --dir"
          : "no --dir given and sources." + source + ".dir is not set");
    }
    ClaimsIngestResult r = new IngestClaims(ctx.lakehouse(), source, directory).settings(config).execute();
    print(r, spec.commandLine().getOut());
    return r.reconciled() ? 0 : 1;
  }

  /** Console summary: per table and format read = loaded + quarantined, warnings, silver rows. */
  static void print(ClaimsIngestResult r, PrintWriter out) {
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
    out.printf("final-action claim lines: medical %d, pharmacy %d; eligibility spans %d; member months %d;"
        + " events %d; %.1f s%n", r.medicalClaimLines(), r.pharmacyClaimLines(), r.eligibilitySpans(),
        r.memberMonths(), r.events(), r.seconds());
    if (!r.findings().isEmpty()) {
      TextTable f = new TextTable("table", "severity", "rule", "rows");
      for (Map.Entry<String, Long> e : r.findings().entrySet()) {
        String[] k = e.getKey().split("\\|", 2);
        String[] sr = k[1].split(":", 2);
        f.row(k[0], sr[0], sr[1], e.getValue());
      }
      f.print(out);
    }
    if (r.rowsQuarantined() > 0) {
      out.println("quarantined rows: bin/pophealth sql \"SELECT reason_code, reason, file, line FROM ops.quarantine"
          + " WHERE ingest_run_id = '" + r.runId() + "'\"");
    }
    for (String f : r.ignoredFiles()) {
      out.println("not ingested (not a claims file): " + f);
    }
    out.flush();
  }
}
