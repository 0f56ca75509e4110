package org.pophealth.jobs;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.ingest.fhir.IngestSummary;
import org.pophealth.ingest.fhir.bulk.AccessTokens;
import org.pophealth.ingest.fhir.bulk.BulkHttp;
import org.pophealth.ingest.fhir.bulk.BulkRunSummary;
import org.pophealth.ingest.fhir.bulk.BulkSettings;
import org.pophealth.ingest.fhir.bulk.CancelExport;
import org.pophealth.ingest.fhir.bulk.IngestBulkExport;
import org.pophealth.ingest.fhir.bulk.RunBulkExport;
import org.pophealth.ingest.fhir.bulk.SmartBackendAuth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ingest-fhir", mixinStandardHelpOptions = true,
    description = {
      "Ingest one FHIR bulk-export directory: <Type>.ndjson, <Type>.<n>.ndjson (optionally .gz) and an",
      "optional bulk manifest (output, deleted, error, transactionTime). Every line is loaded or",
      "quarantined with a reason; prints read = loaded + quarantined per resource type.",
      "When the source has a base_url (or with --url), first runs a FHIR Bulk Data export against the",
      "server (kick-off, poll, download; incremental since the last export; resumes a killed run)."})
public final class IngestFhirJob extends Job<IngestFhirJob.Result> {
  @Option(names = "--source", defaultValue = "ehr", description = "Source name (a key under `sources:`), default ${DEFAULT-VALUE}.")
  String source;

  @Option(names = "--dir", paramLabel = "PATH", description = "Export directory (default: sources.<source>.dir); no server export.")
  String dir;

  @Option(names = "--export-time", paramLabel = "INSTANT",
      description = "Export transaction time (ISO-8601) when the directory has no manifest; default: newest file time.")
  Instant exportTime;

  @Option(names = "--url", paramLabel = "BASE", description = "One-off bulk export from this FHIR base URL (other settings from the source).")
  String url;

  @Option(names = "--level", paramLabel = "LEVEL", description = "system | patient | group:<id> (default: the source's level).")
  String level;

  @Option(names = "--type", paramLabel = "T1,T2", split = ",", description = "Resource types to export (_type).")
  List<String> types;

  @Option(names = "--since", paramLabel = "INSTANT", description = "_since for this export (default: the source's watermark).")
  Instant since;

  @Option(names = "--cancel", description = "Cancel the source's export in flight (DELETE on the server) and exit.")
  boolean cancel;

  @Option(names = "--full", description = "Rebuild silver.event for the whole source, not only for the patients this run"
      + " touched (the same table either way).")
  boolean full;

  /** One of: a cancelled export, a server export then its ingest, or the ingest of a directory. */
  public record Result(String source, CancelExport.Result cancelled, IngestBulkExport.Result bulk, IngestResult ingest) {}

  @Override
  protected Result execute(JobContext ctx) throws Exception {
    PopHealthConfig config = ctx.config();
    PopHealthConfig.Source s = config.sources().get(source);
    if (s == null && url == null) {
      throw new IllegalArgumentException("unknown source '" + source + "' (configured: " + config.sources().keySet() + ")");
    }
    if (s == null) {
      s = new PopHealthConfig.Source("fhir-bulk", null);
    }
    boolean bulk = dir == null && (url != null || s.baseUrl() != null);
    if (cancel) {
      if (url == null && s.baseUrl() == null) {
        throw new IllegalArgumentException("--cancel needs a source with base_url (or --url)");
      }
      BulkSettings bs = settings(s);
      return new Result(source, RunBulkExport.cancel(new BulkHttp(bs, tokens(bs))), null, null);
    }
    if (bulk) {
      BulkSettings bs = settings(s);
      IngestBulkExport.Result r = new IngestBulkExport(ctx.lakehouse(), source, bs, tokens(bs))
          .ingestOptions(j -> j.settings(config.ingest()).fullEvents(full))
          .fetchReferences(org.pophealth.ingest.fhir.bulk.FetchReferences.Settings.of(s))
          .execute();
      return new Result(source, null, r, r.ingest());
    }
    String directory = dir != null ? dir : s.dir();
    if (directory == null) {
      throw new IllegalArgumentException("no --dir given and sources." + source + ".dir (or base_url) is not set");
    }
    IngestFhirExport job = new IngestFhirExport(ctx.lakehouse(), source, directory).settings(config.ingest())
        .fullEvents(full);
    if (exportTime != null) {
      job.exportTime(exportTime);
    }
    IngestResult ingest = job.execute();
    String notReconciled = countsNotReconciled(ingest, s, source, directory);
    if (notReconciled != null) {
      throw new IllegalStateException(notReconciled);
    }
    return new Result(source, null, null, ingest);
  }

  /**
   * The error for a directory ingest whose lines read differ from its manifest's counts while the
   * source's {@code strict_counts} is on (the default); null when the counts match or are accepted.
   */
  static String countsNotReconciled(IngestResult ingest, PopHealthConfig.Source s, String source, String directory) {
    if (ingest.countMismatches().isEmpty() || Boolean.FALSE.equals(s.strictCounts())) {
      return null;
    }
    return "NOT reconciled with the manifest of " + directory + ": " + ingest.describeCountMismatches()
        + ". What was read is ingested (run " + ingest.runId() + ": read " + ingest.linesRead() + " = loaded "
        + ingest.linesLoaded() + " + quarantined " + ingest.linesQuarantined() + "). Set strict_counts: false for"
        + " source " + source + " to accept such exports.";
  }

  @Override
  protected List<String> inputPaths(JobContext ctx, Result result) {
    if (result != null && result.bulk() != null) {
      return result.bulk().exports().stream().map(e -> e.export().exportDir().toString()).toList();
    }
    PopHealthConfig.Source s = ctx.config().sources().get(source);
    String directory = dir != null ? dir : s == null || s.baseUrl() != null || url != null ? null : s.dir();
    return directory == null ? List.of() : List.of(directory);
  }

  @Override
  protected void summarize(Result r, JobContext ctx, PrintWriter out) {
    if (r.cancelled() != null) {
      CancelExport.Result c = r.cancelled();
      out.println(c.status() == 0 ? "no export in flight for source " + r.source()
          : "export " + (c.cancelled() ? "cancelled" : "not cancelled") + " (HTTP " + c.status() + ")");
      return;
    }
    if (r.bulk() != null) {
      BulkRunSummary.print(r.bulk(), r.source(), out);
      return;
    }
    IngestSummary.print(r.ingest(), out);
    if (!r.ingest().countMismatches().isEmpty()) {
      out.println("NOT reconciled with the manifest: " + r.ingest().describeCountMismatches()
          + "; accepted because strict_counts is false for source " + r.source());
    }
  }

  @Override
  protected int exitCode(Result r) {
    if (r.cancelled() != null) {
      return r.cancelled().status() == 0 || r.cancelled().cancelled() ? 0 : 1;
    }
    return r.ingest().reconciled() ? 0 : 1;
  }

  private BulkSettings settings(PopHealthConfig.Source s) {
    BulkSettings b = BulkSettings.of(source, s.withExport(url != null ? url : s.baseUrl(),
        level != null ? level : s.level(), types != null ? types : s.types()));
    return since != null ? b.withSince(since) : b;
  }

  private static AccessTokens tokens(BulkSettings b) {
    return b.auth() == null ? null : new SmartBackendAuth(b.baseUrl(), b.auth());
  }
}
