package org.pophealth.reference;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The type of a reference-table column, as a {@code columns.yaml} names it: {@code string}, {@code int},
 * {@code double}, {@code boolean} ({@code true}/{@code false}, any case) or {@code date} ({@code yyyy-MM-dd}).
 */
public enum ColumnType {
  STRING, INT, DOUBLE, BOOLEAN, DATE;

  /** The type a declaration names; IllegalArgumentException for any other word. */
  static ColumnType named(String name) {
    for (ColumnType t : values()) {
      if (t.declared().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown column type '" + name + "' (string, int, double, boolean, date)");
  }

  /** The name in a declaration ({@code int}, ...). */
  String declared() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The value of a non-empty, trimmed field: String, Integer, Double (finite), Boolean or LocalDate;
   * IllegalArgumentException {@code "x" is not a double} when it does not parse.
   */
  Object parse(String v) {
    try {
      return switch (this) {
        case STRING -> v;
        case INT -> Integer.valueOf(v);
        case DOUBLE -> {
          double d = Double.parseDouble(v);
          if (!Double.isFinite(d)) {
            throw new NumberFormatException(v);
          }
          yield d;
        }
        case BOOLEAN -> {
          String b = v.toLowerCase(Locale.ROOT);
          if (!b.equals("true") && !b.equals("false")) {
            throw new IllegalArgumentException(v);
          }
          yield b.equals("true");
        }
        case DATE -> LocalDate.parse(v);
      };
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new IllegalArgumentException("\"" + v + "\" is not " + (this == INT ? "an " : "a ") + declared()
          + (this == BOOLEAN ? " (true or false)" : this == DATE ? " (yyyy-MM-dd)" : ""));
    }
  }
}
