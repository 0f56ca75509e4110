package org.pophealth.risk;

import java.util.Locale;
import java.util.regex.Pattern;

/** ICD-10-CM code syntax: normalised (upper case, dots removed, trimmed; the Spark job does the same in SQL) and checked for shape. */
public final class Icd10 {
  /** Letter, digit, alphanumeric category, then up to four more alphanumerics (7 characters at most). */
  private static final Pattern CODE = Pattern.compile("[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}");

  private Icd10() {}

  /** The code without dot and spaces, upper case; null stays null. */
  public static String normalize(String raw) {
    if (raw == null) {
      return null;
    }
    return raw.trim().toUpperCase(Locale.ROOT).replace(".", "");
  }

  /** True when the normalised code has the shape of an ICD-10-CM code. */
  public static boolean valid(String normalized) {
    return normalized != null && CODE.matcher(normalized).matches();
  }
}
