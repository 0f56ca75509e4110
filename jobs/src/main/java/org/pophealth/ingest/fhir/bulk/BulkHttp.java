package org.pophealth.ingest.fhir.bulk;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.pophealth.io.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side shared by the steps: one {@link HttpClient}, bearer tokens (refreshed once on a 401,
 * sent only to the origins of {@link TokenOrigins}), redirects followed here hop by hop
 * ({@link Redirect}), and bounded retries on network errors, 429, 5xx and OperationOutcomes with issue
 * code {@code transient}.
 */
public final class BulkHttp {
  private static final Logger LOG = LoggerFactory.getLogger(BulkHttp.class);

  private final HttpClient client;
  private final AccessTokens tokens;
  private final BulkSettings settings;
  private final Backoff backoff;
  private final TokenOrigins origins;
  private final AtomicInteger retries = new AtomicInteger();

  public BulkHttp(BulkSettings settings, AccessTokens tokens) {
    this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
        .followRedirects(HttpClient.Redirect.NEVER).build(), settings, tokens);
  }

  BulkHttp(HttpClient client, BulkSettings settings, AccessTokens tokens) {
    this.client = client;
    this.settings = settings;
    this.tokens = tokens;
    this.backoff = new Backoff(settings.initialBackoff(), settings.pollCap());
    this.origins = new TokenOrigins(settings.baseUrl(), settings.tokenOrigins(), tokens);
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
   * Sends, following redirects itself (at most {@link Redirect#MAX_HOPS}), with the bearer token when
   * {@code authorize} and tokens are configured. The token goes only to the origins of
   * {@link TokenOrigins}: a request that needs it for another origin is refused before anything is
   * sent, and a redirect to another origin is followed without it (as browsers and curl do: the
   * redirect is the server's hand-off, e.g. to a pre-signed storage URL). A 401 from a hop that got
   * the token invalidates it and sends once more with a fresh one; a 401 or 403 from a hop that did
   * not get it is an error naming that origin.
   *
   * @param what the request, for messages ("bulk status", "download of Patient.1.ndjson")
   */
  <T> HttpResponse<T> send(String what, Supplier<HttpRequest.Builder> request, HttpResponse.BodyHandler<T> handler,
      boolean authorize) throws IOException {
    boolean withToken = authorize && tokens != null;
    if (withToken) {
      URI target = request.get().build().uri();
      if (!tokenMayGoTo(target)) {
        throw new BulkExportException(what + ": refusing to send the access token to " + TokenOrigins.of(target)
            + ": it goes only to " + origins.describe() + "; if that origin is the server's own file host, add it"
            + " to the source's token_origins", -1);
      }
    }
    String token = withToken ? tokens.token() : null;
    Followed<T> r = follow(what, request, handler, token);
    if (r.response().statusCode() == 401 && r.tokenSent()) {
      LOG.info("401 from server: refreshing the access token");
      discard(r.response());
      tokens.invalidate(token);
      r = follow(what, request, handler, tokens.token());
    }
    int status = r.response().statusCode();
    if (withToken && !r.tokenSent() && (status == 401 || status == 403)) {
      discard(r.response());
      throw new BulkExportException(what + " failed: HTTP " + status + " from " + TokenOrigins.of(r.response().uri())
          + ", where a redirect led; the access token is not sent there (only to " + origins.describe()
          + "); if that origin is the server's own file host, add it to the source's token_origins", status);
    }
    return r.response();
  }

  /** True when requests that need authorization carry a token (auth is configured). */
  boolean sendsTokens() {
    return tokens != null;
  }

  /**
   * True when a request to {@code uri} may carry the access token (false without tokens). Fetches a
   * token first when only the token endpoint's origin could allow it and that endpoint is not known yet.
   */
  boolean tokenMayGoTo(URI uri) {
    if (tokens == null) {
      return false;
    }
    if (!origins.allows(uri) && tokens.tokenEndpoint() == null) {
      tokens.token();
    }
    return origins.allows(uri);
  }

  /** Where the access token may go, for messages. */
  String tokenOrigins() {
    return origins.describe();
  }

  /** The final answer of a request and whether its last hop carried the token. */
  private record Followed<T>(HttpResponse<T> response, boolean tokenSent) {}

  private <T> Followed<T> follow(String what, Supplier<HttpRequest.Builder> request,
      HttpResponse.BodyHandler<T> handler, String token) throws IOException {
    HttpRequest first = request.get().build();
    URI uri = first.uri();
    String method = first.method();
    for (int hop = 0; ; hop++) {
      boolean withToken = token != null && origins.allows(uri);
      HttpRequest.Builder b = request.get().uri(uri).timeout(Duration.ofMinutes(10));
      if (!method.equals(first.method())) {
        b.GET(); // the only change of method a redirect makes
      }
      if (withToken) {
        b.header("Authorization", "Bearer " + token);
      }
      HttpResponse<T> r = sendOnce(b.build(), handler);
      Optional<String> location = r.headers().firstValue("Location");
      if (!Redirect.isRedirect(r.statusCode()) || location.isEmpty()) {
        return new Followed<>(r, withToken);
      }
      discard(r);
      if (hop >= Redirect.MAX_HOPS) {
        throw new BulkExportException(what + ": more than " + Redirect.MAX_HOPS + " redirects", r.statusCode());
      }
      Redirect next = Redirect.of(what, uri, method, r.statusCode(), location.get());
      if (withToken && !origins.allows(next.uri())) {
        LOG.info("{}: redirected to {}, followed without the access token", what, TokenOrigins.of(next.uri()));
      }
      uri = next.uri();
      method = next.method();
    }
  }

  private <T> HttpResponse<T> sendOnce(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
    try {
      return client.send(request, handler);
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
        r = send(what, request, HttpResponse.BodyHandlers.ofByteArray(), authorize);
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
    pause(d);
  }

  /** Sleeps {@code d}; an interrupt ends the export. */
  static void pause(Duration d) {
    if (!Backoff.sleep(d)) {
      throw new BulkExportException("interrupted", new InterruptedException());
    }
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
