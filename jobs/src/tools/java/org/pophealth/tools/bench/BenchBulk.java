package org.pophealth.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.ingest.fhir.bulk.BulkSettings;
import org.pophealth.ingest.fhir.bulk.IngestBulkExport;
import org.pophealth.lakehouse.Lakehouse;

/**
 * {@code bench bulk}: a whole bulk export of a population from a local Bulk Data server (kick-off,
 * poll, manifest, parallel streamed downloads) and its ingest into bronze + silver + events, timed
 * per phase. The server streams files from disk on 127.0.0.1, so the figures are the client's and
 * the ingest's cost, not a network's.
 */
public final class BenchBulk {
  private final Lakehouse scratch;
  private final Path input;
  private final Path downloadDir;
  private final int parallelDownloads;
  private final PopHealthConfig.Ingest ingest;

  public BenchBulk(Lakehouse scratch, Path input, Path downloadDir, int parallelDownloads,
      PopHealthConfig.Ingest ingest) {
    this.scratch = scratch;
    this.input = input;
    this.downloadDir = downloadDir;
    this.parallelDownloads = parallelDownloads;
    this.ingest = ingest;
  }

  /** Figures of one run. */
  public record Result(int files, long resources, long bytes, double exportSeconds, double ingestSeconds,
      boolean reconciled) {
    public double totalSeconds() {
      return exportSeconds + ingestSeconds;
    }
  }

  public Result execute() throws IOException {
    Files.createDirectories(downloadDir);
    try (LocalBulkServer server = new LocalBulkServer(input, parallelDownloads + 1)) {
      BulkSettings s = new BulkSettings(server.baseUrl(), "system", List.of(), List.of(), List.of(), List.of(),
          null, false, null, downloadDir, Duration.ofSeconds(5), Duration.ofMillis(100), 3, parallelDownloads,
          false, true, null);
      IngestBulkExport.Result r = new IngestBulkExport(scratch, "bench-bulk", s, null)
          .ingestOptions(j -> j.settings(ingest)).execute();
      var d = r.export().download();
      return new Result(d.files().size(), d.lines(), d.bytes(), r.exportSeconds(), r.ingest().seconds(),
          r.ingest().reconciled());
    }
  }
}
