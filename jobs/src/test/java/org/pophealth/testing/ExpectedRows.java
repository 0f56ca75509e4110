package org.pophealth.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Compares a table with a hand-written expected file: NDJSON, one object per expected row, an
 * optional first line {@code {"_match": [columns]}} (default {@code ["id"]}) naming the columns that
 * identify a row. The table must have exactly as many rows; each expected row must match one actual
 * row on the match columns and agree on every column it names ({@code null} = must be null).
 * Columns an expected row does not name are not checked. Numbers compare by value.
 */
public final class ExpectedRows {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ExpectedRows() {}

  public static void assertTable(Path expectedFile, Dataset<Row> actual, String label) throws IOException {
    List<String> lines = Files.readAllLines(expectedFile).stream().filter(l -> !l.isBlank()).toList();
    List<String> match = List.of("id");
    List<JsonNode> expected = new ArrayList<>();
    for (String l : lines) {
      JsonNode n = JSON.readTree(l);
      if (n.has("_match")) {
        match = new ArrayList<>();
        for (JsonNode m : n.get("_match")) {
          match.add(m.asText());
        }
      } else {
        expected.add(normalize(n, true));
      }
    }
    List<JsonNode> rows = new ArrayList<>();
    for (String j : actual.toJSON().collectAsList()) {
      rows.add(normalize(JSON.readTree(j), true));
    }
    assertEquals(expected.size(), rows.size(), label + ": row count; actual rows: " + rows);
    for (JsonNode e : expected) {
      JsonNode found = null;
      for (JsonNode r : rows) {
        boolean same = true;
        for (String m : match) {
          same &= value(e, m).equals(value(r, m));
        }
        if (same) {
          if (found != null) {
            fail(label + ": two rows match " + keyOf(e, match));
          }
          found = r;
        }
      }
      if (found == null) {
        fail(label + ": no row matches " + keyOf(e, match) + "; actual rows: " + rows);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        assertEquals(f.getValue(), value(found, f.getKey()),
            label + " " + keyOf(e, match) + ": column " + f.getKey());
      }
    }
  }

  private static String keyOf(JsonNode e, List<String> match) {
    StringBuilder sb = new StringBuilder("{");
    for (String m : match) {
      sb.append(m).append('=').append(value(e, m)).append(' ');
    }
    return sb.toString().trim() + "}";
  }

  private static JsonNode value(JsonNode row, String column) {
    JsonNode v = row.get(column);
    return v == null ? JsonNodeFactory.instance.nullNode() : v;
  }

  /** Numbers as plain BigDecimals without trailing zeros; nulls inside objects dropped (Spark omits them). */
  static JsonNode normalize(JsonNode n, boolean top) {
    if (n.isNumber()) {
      BigDecimal d = n.decimalValue().stripTrailingZeros();
      return JsonNodeFactory.instance.numberNode(d.scale() < 0 ? d.setScale(0) : d);
    }
    if (n.isArray()) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      n.forEach(x -> a.add(normalize(x, false)));
      return a;
    }
    if (n.isObject()) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      n.fields().forEachRemaining(f -> {
        if (!f.getValue().isNull()) {
          o.set(f.getKey(), normalize(f.getValue(), false));
        } else if (top) {
          o.set(f.getKey(), f.getValue());
        }
      });
      return o;
    }
    return n;
  }
}
