package org.pophealth.risk;

import java.util.Locale;

/** ICD-10-CM code syntax: normalised (upper case, dots removed, trimmed; the Spark job does the same in SQL) and checked for shape. */
public final class Icd10 {

  private Icd10() {}

  /** The code without dot and spaces, upper case; null stays null. */
  public static String normalize(String raw) {
    if (raw == null) {
      return null;
    }
    boolean clean = !raw.isEmpty();
    for (int i = 0; i < raw.length() && clean; i++) {
      char c = raw.charAt(i);
      clean = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
    return clean ? raw : raw.trim().toUpperCase(Locale.ROOT).replace(".", "");
  }

  /**
   * True when the normalised code has the shape of an ICD-10-CM code: letter, digit, alphanumeric,
   * then up to four more alphanumerics ({@code [A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}}, checked without a regex).
   */
  public static boolean valid(String normalized) {
    if (normalized == null || normalized.length() < 3 || normalized.length() > 7) {
      return false;
    }
    char c0 = normalized.charAt(0);
    char c1 = normalized.charAt(1);
    if (c0 < 'A' || c0 > 'Z' || c1 < '0' || c1 > '9') {
      return false;
    }
    for (int i = 2; i < normalized.length(); i++) {
      char c = normalized.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }
}
