package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step: downloads every file of a manifest into a directory, a few at a time, streamed to disk
 * (gzip and HAPI's base64 {@code Binary} answers decoded on the way), retrying each file, and checks
 * each file's line count against the manifest's {@code count}. Files already downloaded (listed in
 * {@code done}) are kept.
 */
public final class DownloadExportFiles {
  private static final Logger LOG = LoggerFactory.getLogger(DownloadExportFiles.class);
  private static final int MARK_LIMIT = 8 << 20;

  private final BulkHttp http;
  private final BulkManifest manifest;
  private final Path directory;
  private final Map<String, FileResult> done;
  private final Consumer<FileResult> onFileDone;

  /**
   * @param done files downloaded by an earlier (interrupted) run, by URL
   * @param onFileDone called after each file is complete (to persist resume state)
   */
  public DownloadExportFiles(BulkHttp http, BulkManifest manifest, Path directory, Map<String, FileResult> done,
      Consumer<FileResult> onFileDone) {
    this.http = http;
    this.manifest = manifest;
    this.directory = directory;
    this.done = done == null ? Map.of() : done;
    this.onFileDone = onFileDone == null ? f -> { } : onFileDone;
  }

  /** One downloaded file: its manifest entry, local name, and the lines and bytes written. */
  public record FileResult(String kind, String type, String url, String localName, long lines, long bytes,
      Long expected) {
    public boolean countMismatch() {
      return expected != null && expected != lines;
    }
  }

  public record Result(List<FileResult> files, int downloaded, int resumed, long lines, long bytes, int mismatches,
      int retries) {}

  /** Local names for every entry of {@link BulkManifest#all()}, e.g. Patient.1.ndjson, Bundle.deleted.1.ndjson. */
  public static List<String> localNames(BulkManifest m) {
    Map<String, Integer> seq = new HashMap<>();
    List<String> names = new ArrayList<>();
    for (BulkManifest.Entry e : m.all()) {
      String type = e.safeType() != null ? e.safeType() : "Resource";
      String infix = e.kind().equals("output") ? "" : e.kind() + ".";
      int n = seq.merge(type + "|" + e.kind(), 1, Integer::sum);
      names.add(type + "." + infix + n + ".ndjson");
    }
    return names;
  }

  /**
   * Downloads every file not kept from an earlier run. Every url is checked first
   * ({@link ManifestUrls}): an empty or invalid url, or a url on an origin the access token may not go
   * to while the manifest says {@code requiresAccessToken}, fails the run before any download.
   */
  public Result execute() throws IOException {
    List<BulkManifest.Entry> entries = manifest.all();
    boolean withToken = manifest.requiresAccessToken() && http.sendsTokens();
    List<URI> urls = ManifestUrls.check(manifest, withToken ? http::tokenMayGoTo : null, http::tokenOrigins);
    Files.createDirectories(directory);
    List<String> names = localNames(manifest);
    int before = http.retries();
    ExecutorService pool = Executors.newFixedThreadPool(http.settings().parallelDownloads(), r -> {
      Thread t = new Thread(r, "bulk-download");
      t.setDaemon(true);
      return t;
    });
    List<FileResult> results = new ArrayList<>();
    int resumed = 0;
    try {
      List<Future<FileResult>> futures = new ArrayList<>();
      for (int i = 0; i < entries.size(); i++) {
        BulkManifest.Entry e = entries.get(i);
        URI uri = urls.get(i);
        String name = names.get(i);
        FileResult prior = done.get(e.url());
        if (prior != null && prior.localName().equals(name) && Files.isRegularFile(directory.resolve(name))
            && Files.size(directory.resolve(name)) == prior.bytes()) {
          resumed++;
          futures.add(java.util.concurrent.CompletableFuture.completedFuture(prior));
          continue;
        }
        futures.add(pool.submit(() -> download(e, uri, name)));
      }
      for (Future<FileResult> f : futures) {
        results.add(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BulkExportException("interrupted while downloading", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new BulkExportException("download failed: " + e.getCause().getClass().getSimpleName(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    long lines = results.stream().mapToLong(FileResult::lines).sum();
    long bytes = results.stream().mapToLong(FileResult::bytes).sum();
    int mismatches = (int) results.stream().filter(FileResult::countMismatch).count();
    LOG.info("bulk download: {} files ({} kept from an earlier run), {} lines, {} bytes, {} count mismatches",
        results.size(), resumed, lines, bytes, mismatches);
    return new Result(List.copyOf(results), results.size() - resumed, resumed, lines, bytes, mismatches,
        http.retries() - before);
  }

  private FileResult download(BulkManifest.Entry e, URI uri, String name) throws IOException {
    Path target = directory.resolve(name);
    Path part = directory.resolve("." + name + ".part");
    boolean recounted = false;
    for (int attempt = 0; ; attempt++) {
      HttpResponse<InputStream> r = null;
      try {
        r = http.send("download of " + name, () -> HttpRequest.newBuilder(uri).GET()
            .header("Accept", "application/fhir+ndjson")
            .header("Accept-Encoding", "gzip"), HttpResponse.BodyHandlers.ofInputStream(),
            manifest.requiresAccessToken());
        if (r.statusCode() == 200) {
          long[] counts = write(r, part);
          Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          FileResult fr = new FileResult(e.kind(), e.type(), e.url(), name, counts[0], counts[1], e.count());
          if (fr.countMismatch() && !recounted) {
            // most often a transfer cut short: fetch the file once more before believing it
            LOG.warn("{}: manifest count {} but {} lines downloaded; downloading it again", name, e.count(),
                counts[0]);
            recounted = true;
            attempt--;
            continue;
          }
          if (fr.countMismatch()) {
            LOG.warn("{}: manifest count {} but {} lines downloaded (twice)", name, e.count(), counts[0]);
          }
          onFileDone.accept(fr);
          return fr;
        }
        byte[] body;
        try (InputStream in = r.body()) {
          body = in.readNBytes(64 * 1024);
        }
        if (!BulkHttp.retryable(r.statusCode(), body)) {
          throw new BulkExportException(OperationOutcomes.describe("download of " + name, r.statusCode(), body),
              r.statusCode());
        }
        if (attempt >= http.settings().maxRetries()) {
          throw new BulkExportException(OperationOutcomes.describe("download of " + name, r.statusCode(), body)
              + " (after " + attempt + " retries)", r.statusCode());
        }
        http.retry("download of " + name, "HTTP " + r.statusCode(), r, attempt);
      } catch (IOException ex) {
        Files.deleteIfExists(part);
        if (attempt >= http.settings().maxRetries()) {
          throw ex;
        }
        http.retry("download of " + name, "network error " + ex.getClass().getSimpleName(), null, attempt);
      }
    }
  }

  /** Streams the body to {@code part}; returns {lines, bytes}. */
  private static long[] write(HttpResponse<InputStream> r, Path part) throws IOException {
    String encoding = r.headers().firstValue("Content-Encoding").orElse("");
    String type = r.headers().firstValue("Content-Type").orElse("").toLowerCase(java.util.Locale.ROOT);
    boolean gz = encoding.equalsIgnoreCase("gzip") || type.contains("gzip")
        || r.uri().getPath().endsWith(".gz");
    try (InputStream raw = r.body();
        InputStream body = new BufferedInputStream(gz ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16);
        LineCountingOutputStream out = new LineCountingOutputStream(
            new java.io.BufferedOutputStream(Files.newOutputStream(part), 1 << 16))) {
      if (type.contains("json") && !type.contains("ndjson")) {
        copyFhirJson(body, out);
      } else {
        body.transferTo(out);
      }
      out.flush();
      return new long[] {out.lines(), out.bytes()};
    }
  }

  /**
   * A JSON answer where NDJSON was asked for: HAPI's {@code Binary} with base64 {@code data}, decoded
   * streaming; anything else is copied as it is (NDJSON labelled as JSON).
   */
  private static void copyFhirJson(InputStream body, OutputStream out) throws IOException {
    body.mark(MARK_LIMIT);
    JsonParser p = new JsonFactory().createParser(body);
    if (p.nextToken() == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.getCurrentName();
        JsonToken v = p.nextToken();
        if ("data".equals(field) && v == JsonToken.VALUE_STRING) {
          p.readBinaryValue(out);
          return;
        }
        p.skipChildren();
      }
    }
    body.reset();
    body.transferTo(out);
  }
}
