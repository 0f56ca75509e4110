package org.pophealth.ingest.fhir.bulk;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/** How long to wait: the server's Retry-After (seconds or HTTP-date), else exponential back-off with jitter; capped. */
final class Backoff {
  private final Duration initial;
  private final Duration cap;

  Backoff(Duration initial, Duration cap) {
    this.initial = initial;
    this.cap = cap;
  }

  /** Wait before attempt {@code attempt + 1} (attempt counts from 0). */
  Duration delay(HttpResponse<?> response, int attempt, Instant now) {
    Duration d = response == null ? null : retryAfter(response.headers().firstValue("Retry-After").orElse(null), now);
    if (d == null) {
      long base = initial.toMillis() << Math.min(attempt, 20);
      // full jitter between half and the whole exponential step
      d = Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }
    return d.compareTo(cap) > 0 ? cap : d;
  }

  /** Retry-After as delta-seconds or HTTP-date; null when absent or unreadable. */
  static Duration retryAfter(String value, Instant now) {
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

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BulkExportException("interrupted", e);
    }
  }
}
