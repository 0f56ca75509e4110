package org.pophealth.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses a {@code columns.yaml}: file name → column → {@code type[, required][, optional]}, e.g.
 * <pre>
 * rules.csv:
 *   family: string, required
 *   low_value_days: int
 * </pre>
 * Declarations are part of the code's contract with its data, so a bad one is an IllegalStateException.
 */
final class ColumnDeclarations {
  private ColumnDeclarations() {}

  /** Columns by name (in declared order) of each declared file; {@code where} names the file in errors. */
  static Map<String, Map<String, Column>> parse(String where, byte[] yaml) {
    JsonNode doc;
    try {
      doc = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (IOException e) {
      throw new IllegalStateException(where + ": not valid YAML: " + e.getMessage(), e);
    }
    if (doc == null || !doc.isObject()) {
      throw new IllegalStateException(where + ": must map each file name to its columns");
    }
    Map<String, Map<String, Column>> files = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> file = it.next();
      if (!file.getValue().isObject() || file.getValue().isEmpty()) {
        throw new IllegalStateException(where + ": " + file.getKey() + " must map each column to its type");
      }
      Map<String, Column> columns = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> c = file.getValue().fields(); c.hasNext(); ) {
        Map.Entry<String, JsonNode> e = c.next();
        columns.put(e.getKey(), column(e.getKey(), e.getValue().asText(), where + ": " + file.getKey()));
      }
      files.put(file.getKey(), Collections.unmodifiableMap(columns));
    }
    return Collections.unmodifiableMap(files);
  }

  private static Column column(String name, String spec, String where) {
    String[] words = spec.split(",");
    ColumnType type;
    try {
      type = ColumnType.named(words[0].trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(where + " column " + name + ": " + e.getMessage());
    }
    boolean required = false;
    boolean optional = false;
    for (int i = 1; i < words.length; i++) {
      switch (words[i].trim()) {
        case "required" -> required = true;
        case "optional" -> optional = true;
        default -> throw new IllegalStateException(where + " column " + name + ": unknown flag '" + words[i].trim()
            + "' (required, optional)");
      }
    }
    return new Column(name, type, required, optional);
  }
}
