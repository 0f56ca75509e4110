package org.pophealth.jobs;

import java.io.PrintWriter;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.ingest.claims.ClaimsIngestResult;
import org.pophealth.ingest.claims.IngestClaims;
import org.pophealth.ingest.claims.IngestClaimsSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ingest-claims", mixinStandardHelpOptions = true,
    description = {
      "Ingest one claims delivery directory of a payer: Tuva-layout medical_claim*, pharmacy_claim* and",
      "eligibility* files (.csv or .parquet) and/or payer FHIR NDJSON (CARIN Blue Button",
      "ExplanationOfBenefit, Coverage, Patient; BCDA partially adjudicated Claim/ClaimResponse, loaded",
      "with adjudication_status = partial). Every row is loaded or quarantined with a reason;",
      "claim versions are resolved to final-action claims; prints read = loaded + quarantined per table.",
      "Delivery gates (claims.gates) compare the delivery with the source's previous ones; a failing gate",
      "keeps it out of silver (bronze keeps it) and exits 3 naming the gate; --accept-gate releases it."})
public final class IngestClaimsJob extends Job<ClaimsIngestResult> {
  @Option(names = "--source", required = true, description = "Source name (a key under `sources:` with kind claims).")
  String source;

  @Option(names = "--dir", paramLabel = "PATH", description = "Delivery directory (default: sources.<source>.dir).")
  String dir;

  @Option(names = "--accept-gate", paramLabel = "GATE[,GATE...]|all", split = ",",
      description = "Release the source's held deliveries whose failing gates are all listed (volume, pmpm,"
          + " undetermined, providers, missing_month, or all), record it in ops.claim_delivery and rebuild silver"
          + " with them; reads no directory.")
  java.util.List<String> acceptGate;

  @Override
  protected ClaimsIngestResult execute(JobContext ctx) throws Exception {
    PopHealthConfig config = ctx.config();
    if (acceptGate != null) {
      if (dir != null) {
        throw new IllegalArgumentException("--accept-gate releases a held delivery; it reads no --dir");
      }
      return new IngestClaims(ctx.lakehouse(), source, null).settings(config)
          .release(new java.util.TreeSet<>(acceptGate));
    }
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
    return new IngestClaims(ctx.lakehouse(), source, directory).settings(config).execute();
  }

  @Override
  protected java.util.List<String> inputPaths(JobContext ctx, ClaimsIngestResult result) {
    PopHealthConfig.Source s = ctx.config().sources().get(source);
    String directory = dir != null ? dir : s == null ? null : s.dir();
    return directory == null || acceptGate != null ? java.util.List.of() : java.util.List.of(directory);
  }

  @Override
  protected void summarize(ClaimsIngestResult r, JobContext ctx, PrintWriter out) {
    IngestClaimsSummary.print(r, out);
  }

  @Override
  protected int exitCode(ClaimsIngestResult r) {
    return !r.reconciled() ? 1 : r.held() ? 3 : 0;
  }
}
