package org.pophealth.ingest.fhir.bulk;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
  private FetchReferences.Settings fetchReferences = FetchReferences.Settings.DEFAULT;

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

  /** The fetch-references step's settings (default {@link FetchReferences.Settings#DEFAULT}). */
  public IngestBulkExport fetchReferences(FetchReferences.Settings s) {
    this.fetchReferences = s;
    return this;
  }

  /**
   * @param exportSeconds kick-off to the last file on disk (the ingest's own time is in {@code ingest})
   * @param references what fetch-references fetched between the download and the ingest
   */
  public record Result(RunBulkExport.Result export, IngestResult ingest, Instant since, Instant watermark,
      double exportSeconds, FetchReferences.Result references) {}

  /**
   * Exports, downloads and ingests; then moves the watermark. With {@code strict_counts} (the default) a
   * file whose lines still differ from the manifest's {@code count} after a second download is a
   * {@link BulkExportException} starting "NOT reconciled" with the figures, thrown after the ingest
   * (nothing that arrived is lost) and before the watermark moves.
   */
  public Result execute() throws IOException {
    BulkWatermarks marks = new BulkWatermarks(lakehouse);
    Instant since = settings.since() != null ? settings.since() : marks.read(source);
    BulkSettings s = settings.withSince(since);
    LOG.info("bulk export for source {}: {}", source, since == null ? "full" : "incremental since watermark");
    long t0 = System.nanoTime();
    BulkHttp http = new BulkHttp(s, tokens);
    RunBulkExport.Result export = new RunBulkExport(http).execute();
    double exportSeconds = (System.nanoTime() - t0) / 1e9;
    // fetch-references (issue 24): referenced resources missing from the export land in it as <Type>.fetched.ndjson
    FetchReferences.Result references = new FetchReferences(http, fetchReferences, export.exportDir(),
        this::ingestedIds).execute();
    IngestResult ingest = ingestOptions.apply(
        new IngestFhirExport(lakehouse, source, export.exportDir().toString())).execute();
    Instant mark = export.manifest().transactionTime();
    int mismatches = export.download().mismatches();
    if (mismatches > 0 && s.strictCounts()) {
      RunBulkExport.complete(s.downloadDir());
      throw new BulkExportException("NOT reconciled: " + describeMismatches(export.download())
          + " (also when downloaded again). What arrived is ingested (run " + ingest.runId() + ": read "
          + ingest.linesRead() + " = loaded " + ingest.linesLoaded() + " + quarantined " + ingest.linesQuarantined()
          + "), but the watermark stays " + (since == null ? "unset" : "at " + since) + ", so the next run exports"
          + " this window again. Set strict_counts: false for source " + source + " to accept such exports.", 0);
    }
    if (mismatches > 0) {
      LOG.warn("NOT reconciled: {}; strict_counts is off, so the watermark moves on",
          describeMismatches(export.download()));
    }
    marks.write(source, s.baseUrl(), s.level(), mark, export.since(), ingest.runId(), export.download().files().size(),
        export.download().lines());
    RunBulkExport.complete(s.downloadDir());
    return new Result(export, ingest, export.since(), mark, exportSeconds, references);
  }

  /** Ids of {@code type} the source already has in silver (not fetched again); none for a type without a table. */
  private java.util.Set<String> ingestedIds(String type) {
    var converter = org.pophealth.conform.Converters.forType(type);
    if (converter.isEmpty()) {
      return java.util.Set.of();
    }
    return new java.util.HashSet<>(lakehouse.read(converter.get().table())
        .filter(org.apache.spark.sql.functions.col("source").equalTo(source)).select("id")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }

  /** "Patient.1.ndjson (output Patient) manifest count 5, 2 lines downloaded; ..." for the mismatched files. */
  public static String describeMismatches(DownloadExportFiles.Result d) {
    List<String> parts = new ArrayList<>();
    for (DownloadExportFiles.FileResult f : d.files()) {
      if (f.countMismatch()) {
        parts.add(f.localName() + " (" + f.kind() + (f.type() == null || !f.type().matches("[A-Za-z]{1,64}") ? "" : " " + f.type()) + ") manifest count "
            + f.expected() + ", " + f.lines() + " lines downloaded");
      }
    }
    int shown = Math.min(parts.size(), 5);
    return String.join("; ", parts.subList(0, shown))
        + (parts.size() > shown ? "; and " + (parts.size() - shown) + " more file(s)" : "");
  }
}
