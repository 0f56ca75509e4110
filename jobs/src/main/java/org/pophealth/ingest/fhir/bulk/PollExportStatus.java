package org.pophealth.ingest.fhir.bulk;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step: polls the status URL until the manifest is ready. 202: waits Retry-After (seconds or
 * HTTP-date, capped by {@code poll_cap_seconds}) or, when absent, an exponential back-off with
 * jitter; 429, 5xx and transient errors are retried (bounded); any other error stops the export
 * with the server's diagnostics. A manifest with a {@code link} of relation {@code next} (partial
 * manifests, Bulk Data v3) is followed page by page, each page polled the same way (a page not ready yet
 * answers 202), and the pages' files are joined into one manifest.
 */
public final class PollExportStatus {
  private static final Logger LOG = LoggerFactory.getLogger(PollExportStatus.class);
  private static final Pattern CHARSET = Pattern.compile("charset=\"?([A-Za-z0-9_\\-:.]+)", Pattern.CASE_INSENSITIVE);

  private final BulkHttp http;
  private final String statusUrl;

  public PollExportStatus(BulkHttp http, String statusUrl) {
    this.http = http;
    this.statusUrl = statusUrl;
  }

  /** @param pages manifest pages read (1 when the manifest was not paged) */
  public record Result(BulkManifest manifest, int polls, int retries, long waitedMillis, int pages) {}

  private static final int MAX_PAGES = 100_000;

  public Result execute() {
    int before = http.retries();
    Polled first = poll(URI.create(statusUrl), 0);
    BulkManifest manifest = first.page().manifest();
    int polls = first.polls();
    long waited = first.waitedMillis();
    java.util.Set<String> seen = new java.util.HashSet<>(java.util.List.of(statusUrl));
    int pages = 1;
    for (String next = first.page().next(); next != null; pages++) {
      URI uri = URI.create(statusUrl).resolve(next);
      if (!seen.add(uri.toString()) || pages >= MAX_PAGES) {
        throw new BulkExportException("bulk manifest: the page links loop (page " + (pages + 1) + ")", 200);
      }
      Polled page = poll(uri, polls);
      manifest = manifest.plus(page.page().manifest());
      polls = page.polls();
      waited += page.waitedMillis();
      next = page.page().next();
    }
    if (pages > 1) {
      LOG.info("bulk manifest in {} pages: {} output, {} deleted, {} error files", pages, manifest.output().size(),
          manifest.deleted().size(), manifest.error().size());
    }
    return new Result(manifest, polls, http.retries() - before, waited, pages);
  }

  /** One manifest page and the polls (counted from the first page's first) and wait it took. */
  private record Polled(BulkManifest.Page page, int polls, long waitedMillis) {}

  /** Polls one url until it answers a manifest page; {@code pollsBefore} counts the polls of earlier pages. */
  private Polled poll(URI uri, int pollsBefore) {
    long waited = 0;
    for (int poll = pollsBefore + 1; ; poll++) {
      HttpResponse<byte[]> r = http.exchange("bulk status", () -> HttpRequest.newBuilder(uri).GET()
          .header("Accept", "application/json"), true);
      if (r.statusCode() == 202) {
        Duration d = http.backoff().delay(r, poll - pollsBefore - 1, Instant.now());
        LOG.info("bulk export in progress ({}), poll {}, next in {} ms",
            r.headers().firstValue("X-Progress").map(PollExportStatus::shortProgress).orElse("no progress given"),
            poll, d.toMillis());
        BulkHttp.pause(d);
        waited += d.toMillis();
        continue;
      }
      if (r.statusCode() == 200) {
        BulkManifest.Page page = BulkManifest.parsePage(r.body(),
            charset(r.headers().firstValue("Content-Type").orElse("")));
        BulkManifest m = page.manifest();
        LOG.info("bulk export {} after {} polls: {} output, {} deleted, {} error files",
            page.next() == null ? "complete" : "manifest page", poll, m.output().size(), m.deleted().size(),
            m.error().size());
        return new Polled(page, poll, waited);
      }
      throw new BulkExportException(OperationOutcomes.describe("bulk status", r.statusCode(), r.body()),
          r.statusCode());
    }
  }

  static Charset charset(String contentType) {
    Matcher m = CHARSET.matcher(contentType);
    if (m.find()) {
      try {
        return Charset.forName(m.group(1));
      } catch (IllegalArgumentException e) {
        return StandardCharsets.UTF_8;
      }
    }
    return StandardCharsets.UTF_8;
  }

  /** X-Progress is free text from the server: logged cut short, it carries no patient data by spec. */
  private static String shortProgress(String p) {
    return p.length() > 80 ? p.substring(0, 80) : p;
  }
}
