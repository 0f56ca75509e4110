package org.pophealth.config;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where a configured path points, decided once: a local path (relative to the working directory) becomes
 * absolute and normalised; a URI with a scheme ({@code hdfs://}, {@code s3a://}, {@code file:/}) is kept
 * as it is. Relative paths must never reach Delta or Hadoop, which read {@code ./x/y} as a table name.
 */
public final class Locations {
  // a scheme of two or more characters, so a Windows drive letter ("C:\") is not taken for one
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*");

  private Locations() {}

  /** The absolute form of {@code location}; null stays null. */
  public static String absolute(String location) {
    if (location == null || location.isBlank()) {
      return location;
    }
    if (hasScheme(location)) {
      return location;
    }
    return Path.of(location).toAbsolutePath().normalize().toString();
  }

  /** True for a Hadoop URI such as {@code hdfs://nn/x} or {@code s3a://bucket/x}. */
  public static boolean hasScheme(String location) {
    return location != null && SCHEME.matcher(location).matches();
  }
}
