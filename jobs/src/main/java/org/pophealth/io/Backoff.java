package org.pophealth.io;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before retrying an HTTP request: the server's Retry-After (seconds or HTTP-date), else
 * exponential back-off with jitter; capped. Shared by the Bulk Data client and the alert webhook.
 */
public final class Backoff {
  private final Duration initial;
  private final Duration cap;

  public Backoff(Duration initial, Duration cap) {
    this.initial = initial;
    this.cap = cap;
  }

  /** Wait before attempt {@code attempt + 1} (attempt counts from 0). */
  public Duration delay(HttpResponse<?> response, int attempt, Instant now) {
    Duration d = response == null ? null : retryAfter(response.headers().firstValue("Retry-After").orElse(null), now);
    if (d == null) {
      long base = initial.toMillis() << Math.min(attempt, 20);
      // full jitter between half and the whole exponential step
      d = Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }
    return d.compareTo(cap) > 0 ? cap : d;
  }

  /** Retry-After as delta-seconds or HTTP-date; null when absent or unreadable. */
  public static Duration retryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    if (v.matches("\\d{1,9}")) {
      return Duration.ofSeconds(Long.parseLong(v));
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Sleeps {@code d}; false (the thread's interrupt flag set again) when interrupted. */
  public static boolean sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
