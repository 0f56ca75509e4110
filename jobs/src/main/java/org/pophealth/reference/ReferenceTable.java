package org.pophealth.reference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pophealth.io.CsvLines;

/**
 * A reference CSV file read against its declared columns. Lines that are blank or start with {@code #}
 * (provenance, comments) are skipped; the first other line is the header; fields may be double-quoted
 * ({@link CsvLines}). Every error is an IllegalArgumentException {@code <file> line <n>: <what>}.
 *
 * @param file the file as errors name it (its measures/ path or the override path)
 * @param text the file as read (for content hashes)
 * @param header the header's column names
 * @param rows the data lines, in file order
 * @param undeclared header columns the declaration does not name (read as text; the packaged files have none)
 */
public record ReferenceTable(String file, String text, List<String> header, List<ReferenceRow> rows,
    List<String> undeclared) {

  /** Reads {@code text} as the file {@code file} declared by {@code columns} (from {@code declaredIn}). */
  static ReferenceTable parse(String file, String text, Map<String, Column> columns, String declaredIn) {
    String[] lines = (text.startsWith("\uFEFF") ? text.substring(1) : text).split("\r?\n", -1);
    ReferenceRow.Layout layout = null;
    List<String> header = null;
    List<String> undeclared = new ArrayList<>();
    List<ReferenceRow> rows = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      String raw = lines[i];
      if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
        continue;
      }
      int line = i + 1;
      List<String> fields = split(raw, file, line);
      if (header == null) {
        header = fields.stream().map(String::trim).toList();
        layout = layout(file, line, header, columns, declaredIn, undeclared);
        continue;
      }
      if (fields.size() != header.size()) {
        throw new IllegalArgumentException(file + " line " + line + ": " + fields.size() + " fields, header has "
            + header.size());
      }
      rows.add(row(layout, line, fields));
    }
    if (header == null) {
      throw new IllegalArgumentException(file + ": no header line");
    }
    return new ReferenceTable(file, text, header, List.copyOf(rows), List.copyOf(undeclared));
  }

  private static ReferenceRow.Layout layout(String file, int line, List<String> header, Map<String, Column> columns,
      String declaredIn, List<String> undeclared) {
    Map<String, Integer> index = new HashMap<>();
    for (int j = 0; j < header.size(); j++) {
      if (index.put(header.get(j), j) != null) {
        throw new IllegalArgumentException(file + " line " + line + ": header names column " + header.get(j)
            + " twice");
      }
      if (!columns.containsKey(header.get(j))) {
        undeclared.add(header.get(j));
      }
    }
    for (Column c : columns.values()) {
      if (!c.optional() && !index.containsKey(c.name())) {
        throw new IllegalArgumentException(file + " line " + line + ": header lacks column " + c.name()
            + " (declared in " + declaredIn + "; header: " + String.join(",", header) + ")");
      }
    }
    return new ReferenceRow.Layout(file, Map.copyOf(index), columns);
  }

  private static ReferenceRow row(ReferenceRow.Layout layout, int line, List<String> fields) {
    String[] raw = fields.toArray(new String[0]);
    Object[] values = new Object[raw.length];
    for (Column c : layout.columns().values()) {
      Integer j = layout.index().get(c.name());
      if (j == null) {
        continue; // an optional column the file leaves out
      }
      String v = raw[j].trim();
      if (v.isEmpty()) {
        if (c.required()) {
          throw new IllegalArgumentException(layout.file() + " line " + line + ": column " + c.name() + " is empty");
        }
      } else if (c.type() != ColumnType.STRING) {
        try {
          values[j] = c.type().parse(v);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(layout.file() + " line " + line + ": column " + c.name() + ": "
              + e.getMessage());
        }
      }
    }
    return new ReferenceRow(layout, line, raw, values);
  }

  private static List<String> split(String line, String file, int number) {
    try {
      return CsvLines.splitStrict(line);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + " line " + number + ": " + e.getMessage());
    }
  }
}
