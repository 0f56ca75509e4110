package org.pophealth.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Minimal RFC 4180 reading of one-line records: comma-separated, double-quoted fields may hold commas
 * and "" quotes. Shared by the file readers of risk, duplicate-test rules and other small CSV inputs
 * (claims deliveries, whose quoted fields may span lines, have their own reader).
 */
public final class CsvLines {
  private CsvLines() {}

  /** The fields of one line; an unterminated quote runs to the end of the line. */
  public static List<String> split(String line) {
    return split(line, false);
  }

  /** As {@link #split(String)}, but an unterminated quote is an IllegalArgumentException. */
  public static List<String> splitStrict(String line) {
    return split(line, true);
  }

  private static List<String> split(String line, boolean strict) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (quoted && strict) {
      throw new IllegalArgumentException("unterminated quote");
    }
    out.add(cur.toString());
    return out;
  }

  /** Every data row (header skipped) as fields; blank lines skipped. */
  public static List<List<String>> read(BufferedReader in) throws IOException {
    List<List<String>> rows = new ArrayList<>();
    String header = in.readLine();
    if (header == null) {
      return rows;
    }
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (!line.isBlank()) {
        rows.add(split(line));
      }
    }
    return rows;
  }

  public static String quote(String s) {
    if (s == null) {
      return "";
    }
    if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }
}
