package org.pophealth.ingest.fhir.bulk;

import java.io.IOException;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job {@code ingest-fhir} for a source with a {@code base_url}: export since the source's watermark
 * (or the configured {@code since}), download, ingest with {@link IngestFhirExport}, then move the
 * watermark to the export's transactionTime.
 */
public final class IngestBulkExport {
  private static final Logger LOG = LoggerFactory.getLogger(IngestBulkExport.class);

  private final Lakehouse lakehouse;
  private final String source;
  private final BulkSettings settings;
  private final AccessTokens tokens;
  private UnaryOperator<IngestFhirExport> ingestOptions = UnaryOperator.identity();

  public IngestBulkExport(Lakehouse lakehouse, String source, BulkSettings settings, AccessTokens tokens) {
    this.lakehouse = lakehouse;
    this.source = source;
    this.settings = settings;
    this.tokens = tokens;
  }

  /** Options for the ingest step (chunk size, raw chars). */
  public IngestBulkExport ingestOptions(UnaryOperator<IngestFhirExport> options) {
    this.ingestOptions = options;
    return this;
  }

  public record Result(RunBulkExport.Result export, IngestResult ingest, Instant since, Instant watermark) {}

  public Result execute() throws IOException {
    BulkWatermarks marks = new BulkWatermarks(lakehouse);
    Instant since = settings.since() != null ? settings.since() : marks.read(source);
    BulkSettings s = settings.withSince(since);
    LOG.info("bulk export for source {}: {}", source, since == null ? "full" : "incremental since watermark");
    RunBulkExport.Result export = new RunBulkExport(new BulkHttp(s, tokens)).execute();
    IngestResult ingest = ingestOptions.apply(
        new IngestFhirExport(lakehouse, source, export.exportDir().toString())).execute();
    Instant mark = export.manifest().transactionTime();
    marks.write(source, s.baseUrl(), s.level(), mark, export.since(), ingest.runId(), export.download().files().size(),
        export.download().lines());
    RunBulkExport.complete(s.downloadDir());
    return new Result(export, ingest, export.since(), mark);
  }
}
