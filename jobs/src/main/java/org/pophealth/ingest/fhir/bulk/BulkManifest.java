package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The completed export's manifest; {@code deleted} and {@code error} may be absent (empty here). */
public record BulkManifest(
    Instant transactionTime, String request, boolean requiresAccessToken, List<Entry> output, List<Entry> deleted,
    List<Entry> error) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One file of the manifest; {@code count} null when the server did not give it. */
  public record Entry(String kind, String type, String url, Long count) {
    /** The type when it looks like a resource type (letters only, at most 64), else null: safe in names and messages. */
    public String safeType() {
      return type != null && type.matches("[A-Za-z]{1,64}") ? type : null;
    }
  }

  /** Parses a manifest body decoded with {@code charset} (HAPI says ISO-8859-1). */
  public static BulkManifest parse(byte[] body, java.nio.charset.Charset charset) {
    JsonNode n;
    try {
      n = JSON.readTree(new String(body, charset));
    } catch (IOException e) {
      throw new BulkExportException("bulk manifest is not JSON", e);
    }
    if (n == null || !n.isObject() || !n.hasNonNull("transactionTime")) {
      throw new BulkExportException("bulk manifest lacks transactionTime", 200);
    }
    Instant t;
    try {
      t = java.time.OffsetDateTime.parse(n.get("transactionTime").asText()).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new BulkExportException("bulk manifest has an unreadable transactionTime", 200);
    }
    return new BulkManifest(t, n.path("request").asText(null), n.path("requiresAccessToken").asBoolean(false),
        entries(n, "output"), entries(n, "deleted"), entries(n, "error"));
  }

  private static List<Entry> entries(JsonNode n, String kind) {
    List<Entry> out = new ArrayList<>();
    for (JsonNode e : n.path(kind)) {
      out.add(new Entry(kind, e.path("type").asText(null), e.path("url").asText(),
          e.hasNonNull("count") ? e.get("count").asLong() : null));
    }
    return List.copyOf(out);
  }

  public List<Entry> all() {
    List<Entry> all = new ArrayList<>(output);
    all.addAll(deleted);
    all.addAll(error);
    return all;
  }

  /** The manifest as JSON, with each url replaced by {@code localNames} (same order as {@link #all()}). */
  public ObjectNode toJson(List<String> localNames) {
    ObjectNode m = JSON.createObjectNode();
    m.put("transactionTime", transactionTime.toString());
    m.put("request", request);
    m.put("requiresAccessToken", requiresAccessToken);
    int i = 0;
    for (String kind : List.of("output", "deleted", "error")) {
      ArrayNode arr = m.putArray(kind);
      for (Entry e : kind.equals("output") ? output : kind.equals("deleted") ? deleted : error) {
        ObjectNode o = arr.addObject();
        if (e.type() != null) {
          o.put("type", e.type());
        }
        o.put("url", localNames == null ? e.url() : localNames.get(i));
        if (e.count() != null) {
          o.put("count", e.count());
        }
        i++;
      }
    }
    return m;
  }
}
