package org.pophealth.ops;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/** Run ids: {@code <job>-<source>-<UTC yyyyMMddHHmmss>-<4 hex>}, sortable by start time. */
public final class RunIds {
  private static final DateTimeFormatter F = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");

  private RunIds() {}

  public static String next(String job, String scope) {
    return job + "-" + scope + "-" + ZonedDateTime.now(ZoneOffset.UTC).format(F) + "-"
        + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }
}
