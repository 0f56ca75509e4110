package org.pophealth.identity;

import java.text.Normalizer;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Normalises raw values per field: case, accents, punctuation, no digits in names, digits only for
 * numbers, dates as yyyyMMdd.
 */
public final class NormalizeValue {
  private static final Pattern DIGITS = Pattern.compile("\\p{Nd}+");

  private NormalizeValue() {}

  /**
   * @param dateFormat a {@link DateTimeFormatter} pattern for birth dates (null: ISO yyyy-MM-dd)
   * @return the normalised value, or null when nothing usable is left
   */
  public static String normalize(PersonField f, String raw, String dateFormat) {
    if (raw == null) {
      return null;
    }
    String v = raw.strip();
    if (v.isEmpty()) {
      return null;
    }
    switch (f) {
      case GIVEN_NAME:
      case FAMILY_NAME: {
        // digits are no part of a name: data-entry noise, or generator suffixes ("Legros616")
        String s = letters(DIGITS.matcher(v).replaceAll(" "));
        return s.isEmpty() ? null : s;
      }
      case CITY:
      case STREET: {
        String s = letters(v);
        return s.isEmpty() ? null : s;
      }
      case STATE:
      case POSTCODE: {
        String s = letters(v).replace(" ", "");
        return s.isEmpty() ? null : s;
      }
      case BIRTH_DATE:
        return date(v, dateFormat);
      case SEX: {
        String s = v.toLowerCase(Locale.ROOT);
        if (s.startsWith("m") || s.equals("1")) {
          return "m";
        }
        if (s.startsWith("f") || s.equals("2")) {
          return "f";
        }
        return null;
      }
      case PHONE: {
        String d = digits(v);
        if (d.length() == 11 && d.startsWith("1")) {
          d = d.substring(1);
        }
        return d.length() < 7 ? null : d;
      }
      case SSN: {
        String d = digits(v);
        return d.length() < 4 || d.chars().allMatch(c -> c == '0') ? null : d;
      }
      case EMAIL:
        return v.toLowerCase(Locale.ROOT);
      case MRN:
      default:
        return v;
    }
  }

  /** Lower case, accents removed, anything but letters and digits becomes one space. */
  static String letters(String v) {
    String s = Normalizer.normalize(v, Normalizer.Form.NFD).toLowerCase(Locale.ROOT);
    StringBuilder b = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.getType(c) == Character.NON_SPACING_MARK) {
        continue;
      }
      if (Character.isLetterOrDigit(c)) {
        if (space && b.length() > 0) {
          b.append(' ');
        }
        b.append(c);
        space = false;
      } else {
        space = true;
      }
    }
    return b.toString();
  }

  static String digits(String v) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c >= '0' && c <= '9') {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * A date as yyyyMMdd. Values that do not parse (e.g. 19560431) keep their digits when the format is
   * all-numeric year-month-day, so typo-level comparisons still work on them.
   */
  static String date(String v, String format) {
    String pattern = format == null ? "uuuu-MM-dd" : format.replace("yyyy", "uuuu");
    String s = v.length() > 10 && format == null ? v.substring(0, 10) : v;
    try {
      LocalDate d = LocalDate.parse(s, DateTimeFormatter.ofPattern(pattern, Locale.ROOT)
          .withResolverStyle(ResolverStyle.STRICT));
      return String.format("%04d%02d%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth());
    } catch (DateTimeParseException | IllegalArgumentException e) {
      String d = digits(s);
      String p = pattern.replaceAll("[^uMd]", "");
      return d.length() == 8 && p.equals("uuuuMMdd") ? d : null;
    }
  }
}
