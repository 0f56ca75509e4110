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
 * with the server's diagnostics.
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

  public record Result(BulkManifest manifest, int polls, int retries, long waitedMillis) {}

  public Result execute() {
    URI uri = URI.create(statusUrl);
    int before = http.retries();
    long waited = 0;
    for (int poll = 1; ; poll++) {
      HttpResponse<byte[]> r = http.exchange("bulk status", () -> HttpRequest.newBuilder(uri).GET()
          .header("Accept", "application/json"), true);
      if (r.statusCode() == 202) {
        Duration d = http.backoff().delay(r, poll - 1, Instant.now());
        LOG.info("bulk export in progress ({}), poll {}, next in {} ms",
            r.headers().firstValue("X-Progress").map(PollExportStatus::shortProgress).orElse("no progress given"),
            poll, d.toMillis());
        Backoff.sleep(d);
        waited += d.toMillis();
        continue;
      }
      if (r.statusCode() == 200) {
        BulkManifest m = BulkManifest.parse(r.body(), charset(r.headers().firstValue("Content-Type").orElse("")));
        LOG.info("bulk export complete after {} polls: {} output, {} deleted, {} error files", poll,
            m.output().size(), m.deleted().size(), m.error().size());
        return new Result(m, poll, http.retries() - before, waited);
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
