package org.pophealth.ops.alerts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.config.Secrets;
import org.pophealth.io.Backoff;
import org.pophealth.io.Messages;

/**
 * {@code alerts.webhook_url}: an HTTP POST of the event as JSON. A network error, a timeout, 429 or 5xx is
 * retried ({@code webhook_retries}) after the server's Retry-After, else a back-off doubling from
 * {@code webhook_retry_backoff_seconds} with jitter, at most a minute ({@link Backoff}, as the Bulk Data client
 * waits); any other non-2xx answer is final. Redirects are not followed (the secret header stays with the configured URL).
 */
final class WebhookNotifier implements Notifier {
  /** The longest wait between attempts, whatever the back-off or Retry-After says. */
  private static final Duration MAX_WAIT = Duration.ofMinutes(1);
  private final URI url;
  private final String header;
  private final String secret;
  private final Duration timeout;
  private final int retries;
  private final Backoff backoff;
  private final HttpClient client;

  WebhookNotifier(PopHealthConfig.Alerts c) {
    try {
      this.url = URI.create(c.webhookUrl().strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("alerts.webhook_url is not a URL: " + Messages.firstLine(e.getMessage()));
    }
    if (url.getScheme() == null || !java.util.List.of("http", "https").contains(url.getScheme().toLowerCase())
        || url.getHost() == null) {
      throw new IllegalArgumentException("alerts.webhook_url must be an absolute http(s) URL");
    }
    if (c.webhookTimeoutSeconds() <= 0 || c.webhookRetries() < 0 || c.webhookRetryBackoffSeconds() < 0) {
      throw new IllegalArgumentException("alerts: webhook_timeout_seconds must be above 0, webhook_retries and "
          + "webhook_retry_backoff_seconds at least 0");
    }
    this.header = c.webhookAuthHeader() == null || c.webhookAuthHeader().isBlank() ? "Authorization"
        : c.webhookAuthHeader().strip();
    this.secret = secret(c);
    this.timeout = Duration.ofMillis((long) (c.webhookTimeoutSeconds() * 1000));
    this.retries = c.webhookRetries();
    this.backoff = new Backoff(Duration.ofMillis((long) (c.webhookRetryBackoffSeconds() * 1000)), MAX_WAIT);
    this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** The secret header's value: the environment variable named, else the file's content; null: none. */
  static String secret(PopHealthConfig.Alerts c) {
    String v = Secrets.fromEnvOrFile(c.webhookAuthEnv(), c.webhookAuthFile(), "alerts.webhook_auth_file");
    return v == null ? null : v.strip();
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public Outcome send(AlertEvent event) {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(event.json()));
    if (secret != null) {
      b.header(header, secret);
    }
    HttpRequest request = b.build();
    String detail = null;
    int attempt = 1;
    for (; ; attempt++) {
      boolean again;
      HttpResponse<Void> response = null;
      try {
        response = client.send(request, HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status / 100 == 2) {
          return new Outcome(true, attempt, null);
        }
        detail = "HTTP " + status;
        again = status == 429 || status / 100 == 5;
      } catch (IOException e) {
        detail = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + Messages.firstLine(e.getMessage()));
        again = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Outcome(false, attempt, "interrupted");
      }
      if (!again || attempt > retries) {
        return new Outcome(false, attempt, Messages.abbreviate(detail, 300));
      }
      if (!Backoff.sleep(backoff.delay(response, attempt - 1, java.time.Instant.now()))) {
        return new Outcome(false, attempt, "interrupted");
      }
    }
  }
}
