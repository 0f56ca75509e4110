package org.pophealth.duplicates;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pophealth.io.CsvLines;

/**
 * A small CSV reader for rule files: first non-comment line is the header, {@code #} lines and blank
 * lines are skipped, fields may be double-quoted ({@code ""} inside quotes is a quote). Errors name
 * the file and line.
 */
public final class RuleCsv {
  /** One data line: its line number and its fields by header name. */
  public record Line(String file, int number, Map<String, String> fields) {
    public String get(String name) {
      String v = fields.get(name);
      return v == null ? "" : v.trim();
    }

    public String required(String name) {
      String v = get(name);
      if (v.isEmpty()) {
        throw error("column " + name + " is empty");
      }
      return v;
    }

    public int integer(String name) {
      String v = required(name);
      try {
        int n = Integer.parseInt(v);
        if (n < 0) {
          throw error("column " + name + " must not be negative: " + v);
        }
        return n;
      } catch (NumberFormatException e) {
        throw error("column " + name + " is not a whole number: " + v);
      }
    }

    public Integer optionalInteger(String name) {
      return get(name).isEmpty() ? null : integer(name);
    }

    public boolean bool(String name) {
      String v = required(name).toLowerCase(java.util.Locale.ROOT);
      if (!v.equals("true") && !v.equals("false")) {
        throw error("column " + name + " must be true or false: " + v);
      }
      return v.equals("true");
    }

    public List<String> list(String name) {
      List<String> out = new ArrayList<>();
      for (String s : get(name).split(";")) {
        if (!s.isBlank()) {
          out.add(s.trim());
        }
      }
      return List.copyOf(out);
    }

    public IllegalArgumentException error(String message) {
      return new IllegalArgumentException(file + " line " + number + ": " + message);
    }
  }

  private RuleCsv() {}

  public static List<Line> parse(String file, String text, List<String> requiredColumns) {
    List<Line> out = new ArrayList<>();
    List<String> header = null;
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String raw = lines[i];
      if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
        continue;
      }
      List<String> fields = split(raw, file, i + 1);
      if (header == null) {
        header = fields.stream().map(String::trim).toList();
        for (String c : requiredColumns) {
          if (!header.contains(c)) {
            throw new IllegalArgumentException(file + " line " + (i + 1) + ": header lacks column " + c);
          }
        }
        continue;
      }
      if (fields.size() != header.size()) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + fields.size() + " fields, header has "
            + header.size());
      }
      Map<String, String> m = new LinkedHashMap<>();
      for (int j = 0; j < header.size(); j++) {
        m.put(header.get(j), fields.get(j));
      }
      out.add(new Line(file, i + 1, m));
    }
    if (header == null) {
      throw new IllegalArgumentException(file + ": no header line");
    }
    return out;
  }

  private static List<String> split(String line, String file, int number) {
    try {
      return CsvLines.splitStrict(line);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + " line " + number + ": " + e.getMessage());
    }
  }

}
