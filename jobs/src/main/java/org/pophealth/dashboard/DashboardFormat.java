package org.pophealth.dashboard;

import java.util.List;
import java.util.Locale;
import org.pophealth.dashboard.DashboardModel.Section;

/**
 * How the dashboard's sections show figures: rates as percentages with one decimal, averages and
 * amounts with a fixed number of decimals (always with a dot), unknown values as empty cells. Shared
 * by the sections so that the same figure reads the same everywhere.
 */
final class DashboardFormat {
  private DashboardFormat() {}

  /** A rate (0..1) as a table cell, e.g. {@code 66.7%}; empty when null. */
  static String pct(Double rate) {
    return rate == null ? "" : String.format(Locale.ROOT, "%.1f%%", rate * 100);
  }

  /** A rate (0..1) as a chart value in percent, rounded to one decimal (0.6666 → 66.7); null stays null. */
  static Double pctValue(Double rate) {
    return rate == null ? null : Math.round(rate * 1000) / 10.0;
  }

  /** A count or text as a table cell; empty when null. */
  static String num(Object o) {
    return o == null ? "" : o.toString();
  }

  /** A number with {@code places} decimals, e.g. {@code 0.620}; empty when null. */
  static String dec(Double d, int places) {
    return d == null ? "" : String.format(Locale.ROOT, "%." + places + "f", d);
  }

  /** An average rounded to three decimals for a chart (0.61666 → 0.617); null stays null. */
  static Double round3(Double d) {
    return d == null ? null : Math.round(d * 1000) / 1000.0;
  }

  /** A count as a table cell: empty when unknown, the mask when suppressed. */
  static String count(Long n, boolean suppressed, String mask) {
    return n == null ? "" : suppressed ? mask : n.toString();
  }

  static String capitalise(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** A section whose tables do not exist or have no rows yet. */
  static Section empty(String id, String title) {
    return new Section(id, title, "No data yet.", List.of());
  }
}
