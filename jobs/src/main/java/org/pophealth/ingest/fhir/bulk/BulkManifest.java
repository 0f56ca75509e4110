package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The completed export's manifest; {@code deleted} and {@code error} may be absent (empty here). The
 * STU4 name of {@code error}, {@code outcome}, is read as error files too; a paged manifest
 * ({@code link} with relation {@code next}) is joined page by page ({@link #parsePage}, {@link #plus}).
 */
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

  /** One page of a manifest and the url of the next page (null on the last). */
  public record Page(BulkManifest manifest, String next) {}

  /** Parses a manifest body decoded with {@code charset} (HAPI says ISO-8859-1). */
  public static BulkManifest parse(byte[] body, java.nio.charset.Charset charset) {
    return parsePage(body, charset).manifest();
  }

  /** Parses one manifest page; its {@code link} entry with relation {@code next}, if any, is the next page. */
  public static Page parsePage(byte[] body, java.nio.charset.Charset charset) {
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
    List<Entry> errors = new ArrayList<>(entries(n, "error", "error"));
    errors.addAll(entries(n, "outcome", "error"));
    String next = null;
    for (JsonNode l : n.path("link")) {
      if ("next".equals(l.path("relation").asText()) && !l.path("url").asText("").isBlank()) {
        next = l.path("url").asText();
      }
    }
    return new Page(new BulkManifest(t, n.path("request").asText(null), n.path("requiresAccessToken").asBoolean(false),
        entries(n, "output", "output"), entries(n, "deleted", "deleted"), List.copyOf(errors)), next);
  }

  /** This manifest with the files of a further page (the first page's transactionTime and request stay). */
  public BulkManifest plus(BulkManifest page) {
    return new BulkManifest(transactionTime, request, requiresAccessToken || page.requiresAccessToken(),
        concat(output, page.output()), concat(deleted, page.deleted()), concat(error, page.error()));
  }

  private static List<Entry> concat(List<Entry> a, List<Entry> b) {
    List<Entry> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  private static List<Entry> entries(JsonNode n, String field, String kind) {
    List<Entry> out = new ArrayList<>();
    for (JsonNode e : n.path(field)) {
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
