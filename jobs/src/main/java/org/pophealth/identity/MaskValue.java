package org.pophealth.identity;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks a raw person value for display next to an explained pair (gold.identity_pair, the review notebook), so
 * a reviewer sees enough to judge a link without the table holding identifying values:
 *
 * <ul>
 *   <li>given and family name: the initial ("J.");
 *   <li>birth date: the year ("1970");
 *   <li>SSN: the last 2 digits ("***-**-**34"); phone: the last 2 digits ("***-***-**01"); MRN: the last 2
 *       characters ("***89"); fewer than 4 digits (characters): all masked;
 *   <li>street: the house number dropped, the street name's first letter ("O." for "12 Oak St");
 *   <li>postcode: the first 3 characters ("627**");
 *   <li>email: the first letter of the local part, the rest and the domain masked ("a***@***");
 *   <li>city, state, sex: as they are (trimmed): low risk on their own, and a reviewer needs them.
 * </ul>
 *
 * <p>A blank or null value is null; any other value gives a masked value, never the raw one.
 */
public final class MaskValue {
  private static final Pattern YEAR = Pattern.compile("(?<!\\d)(\\d{4})(?!\\d)");
  private static final String HIDDEN = "***";

  private MaskValue() {}

  /** The masked value of {@code raw} for person field {@code field} (a {@link PersonField} column name). */
  public static String mask(String field, String raw) {
    return mask(PersonField.of(field), raw);
  }

  public static String mask(PersonField field, String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    String v = raw.strip();
    switch (field) {
      case GIVEN_NAME:
      case FAMILY_NAME:
        return initial(v);
      case BIRTH_DATE:
        return year(v);
      case SSN:
        return lastTwo(NormalizeValue.digits(v), "***-**-**", "***-**-****");
      case PHONE:
        return lastTwo(NormalizeValue.digits(v), "***-***-**", "***-***-****");
      case MRN:
        return lastTwo(v, HIDDEN, HIDDEN);
      case STREET:
        return street(v);
      case POSTCODE:
        return v.length() <= 3 ? HIDDEN : v.substring(0, 3) + "**";
      case EMAIL: {
        String s = initial(v.indexOf('@') >= 0 ? v.substring(0, v.indexOf('@')) : v);
        return (s.equals(HIDDEN) ? "" : s.substring(0, 1).toLowerCase(Locale.ROOT)) + HIDDEN + "@" + HIDDEN;
      }
      case CITY:
      case STATE:
      case SEX:
      default:
        return v;
    }
  }

  /** The first letter, upper case, and a dot; {@code ***} when the value has no letter. */
  static String initial(String v) {
    for (int i = 0; i < v.length(); i++) {
      int c = v.codePointAt(i);
      if (Character.isLetter(c)) {
        return new String(Character.toChars(Character.toUpperCase(c))) + ".";
      }
    }
    return HIDDEN;
  }

  /** The year of a date: the first 4 digits of yyyyMMdd, else the first four-digit number (1970-03-04, 03/04/1970). */
  static String year(String v) {
    if (v.length() == 8 && v.chars().allMatch(Character::isDigit)) {
      return v.substring(0, 4);
    }
    Matcher m = YEAR.matcher(v);
    return m.find() ? m.group(1) : HIDDEN;
  }

  /** {@code prefix} and the last two characters, or {@code none} when fewer than four characters are given. */
  private static String lastTwo(String v, String prefix, String none) {
    return v.length() < 4 ? none : prefix + v.substring(v.length() - 2);
  }

  /** The first letter of the street name: leading tokens with a digit (house number, unit) are dropped. */
  static String street(String v) {
    for (String t : v.split("\\s+")) {
      if (t.chars().noneMatch(Character::isDigit) && t.chars().anyMatch(Character::isLetter)) {
        return initial(t);
      }
    }
    return HIDDEN;
  }
}
