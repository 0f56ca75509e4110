package org.pophealth.ingest.fhir.bulk;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side shared by the steps: one {@link HttpClient}, bearer tokens (refreshed once on a 401),
 * and bounded retries on network errors, 429, 5xx and OperationOutcomes with issue code {@code transient}.
 */
public final class BulkHttp {
  private static final Logger LOG = LoggerFactory.getLogger(BulkHttp.class);

  private final HttpClient client;
  private final AccessTokens tokens;
  private final BulkSettings settings;
  private final Backoff backoff;
  private final AtomicInteger retries = new AtomicInteger();

  public BulkHttp(BulkSettings settings, AccessTokens tokens) {
    this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
        .followRedirects(HttpClient.Redirect.NORMAL).build(), settings, tokens);
  }

  BulkHttp(HttpClient client, BulkSettings settings, AccessTokens tokens) {
    this.client = client;
    this.settings = settings;
    this.tokens = tokens;
    this.backoff = new Backoff(settings.initialBackoff(), settings.pollCap());
  }

  BulkSettings settings() {
    return settings;
  }

  Backoff backoff() {
    return backoff;
  }

  /** Retries done so far (all steps). */
  public int retries() {
    return retries.get();
  }

  void countRetry() {
    retries.incrementAndGet();
  }

  /**
   * Sends once, adding the bearer token when {@code authorize} and tokens are configured; a 401 with
   * a token invalidates it and sends once more with a fresh one.
   */
  <T> HttpResponse<T> send(Supplier<HttpRequest.Builder> request, HttpResponse.BodyHandler<T> handler,
      boolean authorize) throws IOException {
    boolean withToken = authorize && tokens != null;
    String token = withToken ? tokens.token() : null;
    HttpResponse<T> r = sendOnce(request, handler, token);
    if (r.statusCode() == 401 && withToken) {
      LOG.info("401 from server: refreshing the access token");
      discard(r);
      tokens.invalidate(token);
      r = sendOnce(request, handler, tokens.token());
    }
    return r;
  }

  private <T> HttpResponse<T> sendOnce(Supplier<HttpRequest.Builder> request, HttpResponse.BodyHandler<T> handler,
      String token) throws IOException {
    HttpRequest.Builder b = request.get().timeout(Duration.ofMinutes(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      return client.send(b.build(), handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BulkExportException("interrupted", e);
    }
  }

  /**
   * Sends with retries: network errors, 429, 5xx and transient OperationOutcomes are retried up to
   * {@code max_retries} times with back-off; any other answer is returned to the caller.
   */
  HttpResponse<byte[]> exchange(String what, Supplier<HttpRequest.Builder> request, boolean authorize) {
    for (int attempt = 0; ; attempt++) {
      HttpResponse<byte[]> r;
      try {
        r = send(request, HttpResponse.BodyHandlers.ofByteArray(), authorize);
      } catch (IOException e) {
        if (attempt >= settings.maxRetries()) {
          throw new BulkExportException(what + " failed after " + attempt + " retries: " + e.getClass().getSimpleName(), e);
        }
        retry(what, "network error " + e.getClass().getSimpleName(), null, attempt);
        continue;
      }
      if (!retryable(r.statusCode(), r.body())) {
        return r;
      }
      if (attempt >= settings.maxRetries()) {
        throw new BulkExportException(OperationOutcomes.describe(what, r.statusCode(), r.body())
            + " (after " + attempt + " retries)", r.statusCode());
      }
      retry(what, "HTTP " + r.statusCode(), r, attempt);
    }
  }

  static boolean retryable(int status, byte[] body) {
    return status == 429 || status >= 500 || (status >= 400 && OperationOutcomes.isTransient(body));
  }

  void retry(String what, String why, HttpResponse<?> r, int attempt) {
    Duration d = backoff.delay(r, attempt, Instant.now());
    retries.incrementAndGet();
    LOG.warn("{}: {}, retry {} of {} in {} ms", what, why, attempt + 1, settings.maxRetries(), d.toMillis());
    Backoff.sleep(d);
  }

  private static void discard(HttpResponse<?> r) {
    if (r.body() instanceof java.io.InputStream in) {
      try {
        in.close();
      } catch (IOException ignored) {
        // nothing to release
      }
    }
  }
}
