package org.pophealth.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.ingest.fhir.bulk.AccessTokens;
import org.pophealth.ingest.fhir.bulk.BulkHttp;
import org.pophealth.ingest.fhir.bulk.BulkSettings;
import org.pophealth.ingest.fhir.bulk.CancelExport;
import org.pophealth.ingest.fhir.bulk.IngestBulkExport;
import org.pophealth.ingest.fhir.bulk.RunBulkExport;
import org.pophealth.ingest.fhir.bulk.SmartBackendAuth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.pophealth.ingest.fhir.IngestSummary;

@Command(name = "ingest-fhir", mixinStandardHelpOptions = true,
    description = {
      "Ingest one FHIR bulk-export directory: <Type>.ndjson, <Type>.<n>.ndjson (optionally .gz) and an",
      "optional bulk manifest (output, deleted, error, transactionTime). Every line is loaded or",
      "quarantined with a reason; prints read = loaded + quarantined per resource type.",
      "When the source has a base_url (or with --url), first runs a FHIR Bulk Data export against the",
      "server (kick-off, poll, download; incremental since the last export; resumes a killed run)."})
final class IngestFhirCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

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

  @Override
  public Integer call() throws Exception {
    CliContext ctx = new CliContext(parent.global);
    PopHealthConfig config = ctx.config();
    PopHealthConfig.Source s = config.sources().get(source);
    if (s == null && url == null) {
      throw new IllegalArgumentException("unknown source '" + source + "' (configured: " + config.sources().keySet() + ")");
    }
    if (s == null) {
      s = new PopHealthConfig.Source("fhir-bulk", null);
    }
    String directory = dir;
    boolean bulk = dir == null && (url != null || s.baseUrl() != null);
    if (cancel) {
      if (url == null && s.baseUrl() == null) {
        throw new IllegalArgumentException("--cancel needs a source with base_url (or --url)");
      }
      BulkSettings bs = settings(s);
      CancelExport.Result r = RunBulkExport.cancel(new BulkHttp(bs, tokens(bs)));
      spec.commandLine().getOut().println(r.status() == 0 ? "no export in flight for source " + source
          : "export " + (r.cancelled() ? "cancelled" : "not cancelled") + " (HTTP " + r.status() + ")");
      return r.status() == 0 || r.cancelled() ? 0 : 1;
    }
    if (bulk) {
      BulkSettings bs = settings(s);
      IngestBulkExport.Result r = new IngestBulkExport(ctx.lakehouse(), source, bs, tokens(bs))
          .ingestOptions(j -> j.settings(config.ingest()))
          .execute();
      var d = r.export().download();
      spec.commandLine().getOut().printf("bulk export: %s, %d files, %d lines downloaded (%d count mismatches),"
              + " %d retries, transactionTime %s -> %s%n",
          r.since() == null ? "full" : "since " + r.since(), d.files().size(), d.lines(), d.mismatches(),
          r.export().retries(), r.watermark(), r.export().exportDir());
      IngestSummary.print(r.ingest(), spec.commandLine().getOut());
      return r.ingest().reconciled() ? 0 : 1;
    }
    if (directory == null) {
      directory = s.dir();
      if (directory == null) {
        throw new IllegalArgumentException("no --dir given and sources." + source + ".dir (or base_url) is not set");
      }
    }
    IngestFhirExport job = new IngestFhirExport(ctx.lakehouse(), source, directory)
        .settings(config.ingest());
    if (exportTime != null) {
      job.exportTime(exportTime);
    }
    IngestResult r = job.execute();
    IngestSummary.print(r, spec.commandLine().getOut());
    return r.reconciled() ? 0 : 1;
  }

  private BulkSettings settings(PopHealthConfig.Source s) {
    BulkSettings b = BulkSettings.of(source, new PopHealthConfig.Source(s.kind(), s.dir(),
        url != null ? url : s.baseUrl(), level != null ? level : s.level(), types != null ? types : s.types(),
        s.typeFilters(), s.elements(), s.patients(), s.since(), s.downloadDir(), s.pollCapSeconds(),
        s.initialBackoffMillis(), s.maxRetries(), s.parallelDownloads(), s.cancelOnAbort(), s.outputFormat(),
        s.includeAssociatedData(), s.strictCounts(), s.auth()));
    return since != null ? b.withSince(since) : b;
  }

  private static AccessTokens tokens(BulkSettings b) {
    return b.auth() == null ? null : new SmartBackendAuth(b.baseUrl(), b.auth());
  }
}
