package org.pophealth.identity;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Set;

/** String, date and identifier similarity functions used by the comparison levels. Pure, null-free inputs. */
public final class Comparators {
  private Comparators() {}

  /** Jaro–Winkler similarity (prefix scale 0.1, up to 4 prefix characters), 1.0 for equal strings. */
  public static double jaroWinkler(String a, String b) {
    if (a.equals(b)) {
      return 1.0;
    }
    int la = a.length();
    int lb = b.length();
    if (la == 0 || lb == 0) {
      return 0.0;
    }
    int window = Math.max(0, Math.max(la, lb) / 2 - 1);
    boolean[] ma = new boolean[la];
    boolean[] mb = new boolean[lb];
    int matches = 0;
    for (int i = 0; i < la; i++) {
      int lo = Math.max(0, i - window);
      int hi = Math.min(lb - 1, i + window);
      char c = a.charAt(i);
      for (int j = lo; j <= hi; j++) {
        if (!mb[j] && b.charAt(j) == c) {
          ma[i] = true;
          mb[j] = true;
          matches++;
          break;
        }
      }
    }
    if (matches == 0) {
      return 0.0;
    }
    int transpositions = 0;
    int k = 0;
    for (int i = 0; i < la; i++) {
      if (ma[i]) {
        while (!mb[k]) {
          k++;
        }
        if (a.charAt(i) != b.charAt(k)) {
          transpositions++;
        }
        k++;
      }
    }
    double m = matches;
    double jaro = (m / la + m / lb + (m - transpositions / 2.0) / m) / 3.0;
    int prefix = 0;
    for (int i = 0; i < Math.min(4, Math.min(la, lb)) && a.charAt(i) == b.charAt(i); i++) {
      prefix++;
    }
    return jaro + prefix * 0.1 * (1.0 - jaro);
  }

  /** Levenshtein distance (insert, delete, substitute). */
  public static int levenshtein(String a, String b) {
    return editDistance(a, b, false);
  }

  /** Damerau–Levenshtein distance (optimal string alignment: adjacent transpositions count as one edit). */
  public static int damerauLevenshtein(String a, String b) {
    return editDistance(a, b, true);
  }

  private static int editDistance(String a, String b, boolean transpose) {
    int la = a.length();
    int lb = b.length();
    if (la == 0) {
      return lb;
    }
    if (lb == 0) {
      return la;
    }
    int[] prev2 = new int[lb + 1];
    int[] prev = new int[lb + 1];
    int[] cur = new int[lb + 1];
    for (int j = 0; j <= lb; j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= la; i++) {
      cur[0] = i;
      char ca = a.charAt(i - 1);
      for (int j = 1; j <= lb; j++) {
        char cb = b.charAt(j - 1);
        int cost = ca == cb ? 0 : 1;
        int v = Math.min(Math.min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
        if (transpose && i > 1 && j > 1 && ca == b.charAt(j - 2) && a.charAt(i - 2) == cb) {
          v = Math.min(v, prev2[j - 2] + 1);
        }
        cur[j] = v;
      }
      int[] t = prev2;
      prev2 = prev;
      prev = cur;
      cur = t;
    }
    return prev[lb];
  }

  /** True when two yyyyMMdd dates are equal after swapping day and month of one of them. */
  public static boolean dayMonthSwapped(String a, String b) {
    if (a.length() != 8 || b.length() != 8 || a.equals(b)) {
      return false;
    }
    return a.substring(0, 4).equals(b.substring(0, 4))
        && a.substring(4, 6).equals(b.substring(6, 8))
        && a.substring(6, 8).equals(b.substring(4, 6));
  }

  /** Absolute distance in days between two yyyyMMdd dates; -1 when either is not a valid date. */
  public static long daysApart(String a, String b) {
    LocalDate da = parseDate(a);
    LocalDate db = parseDate(b);
    if (da == null || db == null) {
      return -1;
    }
    return Math.abs(ChronoUnit.DAYS.between(da, db));
  }

  static LocalDate parseDate(String s) {
    if (s.length() != 8) {
      return null;
    }
    try {
      return LocalDate.of(Integer.parseInt(s.substring(0, 4)), Integer.parseInt(s.substring(4, 6)),
          Integer.parseInt(s.substring(6, 8)));
    } catch (NumberFormatException | java.time.DateTimeException e) {
      return null;
    }
  }

  /**
   * Token overlap of two addresses: shared informative tokens over the smaller token set (0..1).
   * Tokens in {@code stop} (street types such as "street", "rd") are ignored; an empty set gives 0.
   */
  public static double tokenOverlap(String a, String b, Set<String> stop) {
    Set<String> ta = tokens(a, stop);
    Set<String> tb = tokens(b, stop);
    if (ta.isEmpty() || tb.isEmpty()) {
      return 0.0;
    }
    int shared = 0;
    for (String t : ta) {
      if (tb.contains(t)) {
        shared++;
      }
    }
    return (double) shared / Math.min(ta.size(), tb.size());
  }

  static Set<String> tokens(String s, Set<String> stop) {
    Set<String> out = new HashSet<>();
    for (String t : s.split(" ")) {
      if (!t.isEmpty() && !stop.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * Partial identifier match: one edit apart (typo or transposition), or one value is the last four
   * digits of the other (an SSN given as last 4).
   */
  public static boolean partialIdentifier(String a, String b) {
    if (a.length() == 4 && b.length() > 4) {
      return b.endsWith(a);
    }
    if (b.length() == 4 && a.length() > 4) {
      return a.endsWith(b);
    }
    return damerauLevenshtein(a, b) <= 1;
  }

  /** Phone numbers that share the last seven digits (same line, different or missing area code). */
  public static boolean sameLocalNumber(String a, String b) {
    return a.length() >= 7 && b.length() >= 7 && a.substring(a.length() - 7).equals(b.substring(b.length() - 7));
  }

  static boolean validDate(String s) {
    try {
      return parseDate(s) != null;
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
