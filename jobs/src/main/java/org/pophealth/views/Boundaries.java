package org.pophealth.views;

import java.math.BigDecimal;

/**
 * lowBoundary()/highBoundary() (experimental in SQL on FHIR): the least and greatest values a decimal,
 * date, dateTime or time of its precision may stand for, e.g. 1.0 → 0.95..1.05, 1970-06 → 1970-06-01..30.
 */
final class Boundaries {
  private Boundaries() {}

  /** The boundary of one item, or null when it has none (not a decimal or temporal value). */
  static Item of(Item item, boolean low) {
    if (item.value instanceof BigDecimal || item.value instanceof Long) {
      BigDecimal d = item.decimal();
      BigDecimal half = BigDecimal.valueOf(5, d.scale() + 1);
      return new Item(low ? d.subtract(half) : d.add(half), "decimal");
    }
    if (!(item.value instanceof String s)) {
      return null;
    }
    String type = item.type != null ? item.type : guessType(s);
    if (type == null) {
      return null;
    }
    switch (type) {
      case "date":
        return date(s, low) == null ? null : new Item(date(s, low), "date");
      case "dateTime":
      case "instant":
        return dateTime(s, low) == null ? null : new Item(dateTime(s, low), "dateTime");
      case "time":
        return time(s, low) == null ? null : new Item(time(s, low), "time");
      default:
        return null;
    }
  }

  private static String guessType(String s) {
    if (s.length() >= 4 && s.length() <= 10 && Character.isDigit(s.charAt(0)) && s.indexOf(':') < 0) {
      return "date";
    }
    if (s.indexOf('T') > 0) {
      return "dateTime";
    }
    if (s.length() >= 2 && s.indexOf(':') == 2) {
      return "time";
    }
    return null;
  }

  private static String date(String s, boolean low) {
    int year = parse(s, 0, 4);
    if (year < 0) {
      return null;
    }
    int month = s.length() >= 7 ? parse(s, 5, 7) : (low ? 1 : 12);
    int day = s.length() >= 10 ? parse(s, 8, 10) : (low ? 1 : java.time.YearMonth.of(year, month).lengthOfMonth());
    if (month < 1 || day < 1) {
      return null;
    }
    return String.format("%04d-%02d-%02d", year, month, day);
  }

  private static String dateTime(String s, boolean low) {
    int t = s.indexOf('T');
    String datePart = t < 0 ? s : s.substring(0, t);
    String date = date(datePart, low);
    if (date == null) {
      return null;
    }
    String rest = t < 0 ? "" : s.substring(t + 1);
    int zoneAt = zoneStart(rest);
    String zone = zoneAt < 0 ? (low ? "+14:00" : "-12:00") : rest.substring(zoneAt);
    String time = time(zoneAt < 0 ? rest : rest.substring(0, zoneAt), low);
    return time == null ? null : date + "T" + time + zone;
  }

  private static int zoneStart(String time) {
    for (int i = 0; i < time.length(); i++) {
      char c = time.charAt(i);
      if (c == 'Z' || c == '+' || c == '-') {
        return i;
      }
    }
    return -1;
  }

  private static String time(String s, boolean low) {
    int hour = s.isEmpty() ? (low ? 0 : 23) : parse(s, 0, 2);
    int minute = s.length() >= 5 ? parse(s, 3, 5) : (low ? 0 : 59);
    int second = s.length() >= 8 ? parse(s, 6, 8) : (low ? 0 : 59);
    if (hour < 0 || minute < 0 || second < 0) {
      return null;
    }
    String fraction;
    if (s.length() > 9 && s.charAt(8) == '.') {
      StringBuilder f = new StringBuilder(s.substring(9));
      while (f.length() < 3) {
        f.append(low ? '0' : '9');
      }
      fraction = f.toString();
    } else {
      fraction = low ? "000" : "999";
    }
    return String.format("%02d:%02d:%02d.%s", hour, minute, second, fraction);
  }

  private static int parse(String s, int from, int to) {
    if (s.length() < to) {
      return -1;
    }
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
