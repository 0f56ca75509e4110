package org.pophealth.ingest.fhir;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.pophealth.conform.ConformException;
import org.pophealth.conform.FhirJson;
import org.pophealth.conform.ResourceConverter;
import org.pophealth.conform.RowBuilder;
import org.pophealth.io.DecodedLines;
import org.pophealth.lakehouse.ContractRegistry;
import org.pophealth.conform.ParsedLines;

/**
 * Reads one chunk and turns every line into a {@link ParsedLines} row, lazily: JSON is parsed once
 * (Jackson tree), checked, and converted to its silver row in the same pass. Lines are decoded as strict
 * UTF-8 (NDJSON's encoding): a line with invalid bytes is quarantined ({@code bad-encoding}) rather than
 * loaded with U+FFFD in place of what it said.
 */
public final class ParseChunk implements Iterator<Row> {
  private static final HexFormat HEX = HexFormat.of();

  private final Chunk chunk;
  private final IngestContext ctx;
  private final ObjectMapper json = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final ResourceConverter converter;
  /**
   * A typeless output file (a manifest entry without {@code type}, as {@code organizeOutputBy} exports write:
   * several resource types in one file) is read by every pass: each typed pass keeps only the lines of its own
   * type, the pass without converter everything else (other types, unreadable lines, file problems, the
   * {@code Parameters} headers), so every line is counted once, with its file and line number.
   */
  private final boolean typeless;
  private final RowBuilder builder;
  private final MessageDigest sha;
  private final int width;
  private final Deque<Row> pending = new ArrayDeque<>();
  private DecodedLines reader;
  private long lineNo;
  private long remaining;
  private boolean done;

  /** Parses {@code chunk}; resources of {@code converter}'s type also get their typed silver row. */
  public ParseChunk(Chunk chunk, IngestContext ctx, ResourceConverter converter) {
    this.chunk = chunk;
    this.ctx = ctx;
    this.converter = converter;
    this.typeless = "output".equals(chunk.file().kind()) && chunk.file().resourceType() == null;
    this.builder = converter == null ? null : new RowBuilder(ContractRegistry.get().contract(converter.table()));
    this.width = ParsedLines.schema(converter).size();
    this.lineNo = chunk.firstLine() - 1;
    this.remaining = chunk.lines();
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean hasNext() {
    while (pending.isEmpty() && !done) {
      advance();
    }
    return !pending.isEmpty();
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return pending.poll();
  }

  private void advance() {
    ExportFile f = chunk.file();
    try {
      if (reader == null) {
        if (f.size() < 0) {
          fileProblem("file listed in the manifest is missing from the export directory");
          return;
        }
        reader = open();
      }
      if (remaining == 0) {
        close();
        return;
      }
      String line = reader.readLine();
      if (line == null) {
        close();
        return;
      }
      lineNo++;
      if (remaining > 0) {
        remaining--;
      }
      if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
        line = line.substring(1);
      }
      if (line.isBlank()) {
        return;
      }
      if (reader.malformed()) {
        if (typeless && converter != null) {
          return; // quarantined once, by the pass without converter
        }
        pending.add(quarantine("parse", "bad-encoding", "line is not valid UTF-8 (first invalid byte at byte "
            + reader.malformedOffset() + " of the line)", line, null, lineNo));
        return;
      }
      switch (f.kind()) {
        case "deleted" -> tombstones(line);
        case "error" -> serverError(line);
        default -> resource(line);
      }
    } catch (IOException e) {
      lineNo++;
      fileProblem("file could not be read past this line (" + e.getClass().getSimpleName() + ")");
    }
  }

  private DecodedLines open() throws IOException {
    Path p = new Path(chunk.file().uri());
    FSDataInputStream raw = p.getFileSystem(ctx.hadoop().get()).open(p);
    InputStream in = raw;
    if (chunk.file().gzip()) {
      in = new GZIPInputStream(raw, 1 << 16);
    } else if (chunk.start() > 0) {
      raw.seek(chunk.start());
    }
    return new DecodedLines(in, StandardCharsets.UTF_8);
  }

  private void close() {
    done = true;
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException ignored) {
        // read side only
      }
    }
  }

  private void fileProblem(String reason) {
    if (typeless && converter != null) {
      close(); // reported once, by the pass without converter
      return;
    }
    pending.add(quarantine("file", "unreadable-file", reason, null, null, Math.max(lineNo, 0)));
    close();
  }

  private void resource(String line) {
    if (typeless) {
      String owner = ResourceHeader.leadingType(json.getFactory(), line);
      boolean converted = owner != null && org.pophealth.conform.Converters.forType(owner).isPresent();
      if (converter != null ? !converter.resourceType().equals(owner) : converted) {
        return; // another pass's line
      }
    }
    String expected = chunk.file().resourceType();
    JsonNode r = null;
    String type;
    String id;
    String headerVersion = null;
    String headerUpdated = null;
    ResourceHeader header = null;
    try {
      if (converter != null) {
        r = json.readTree(line);
        if (r == null || !r.isObject()) {
          pending.add(quarantine("parse", "not-an-object", "line is JSON but not a resource object", line, null, lineNo));
          return;
        }
        type = FhirJson.text(r, "resourceType");
        id = FhirJson.text(r, "id");
      } else {
        ResourceHeader h = ResourceHeader.read(json.getFactory(), line);
        if (h == null) {
          pending.add(quarantine("parse", "not-an-object", "line is JSON but not a resource object", line, null, lineNo));
          return;
        }
        type = h.resourceType;
        id = h.id;
        headerVersion = h.versionId;
        headerUpdated = h.lastUpdated;
        header = h;
      }
    } catch (IOException e) {
      pending.add(quarantine("parse", "malformed-json", "line is not valid JSON", line, null, lineNo));
      return;
    }
    if (type == null) {
      pending.add(quarantine("parse", "missing-resource-type", "resourceType is absent", line, id, lineNo));
      return;
    }
    if (expected != null && !expected.equals(type)) {
      pending.add(quarantine("parse", "type-mismatch",
          "resourceType " + type + " in a file of " + expected, line, id, lineNo));
      return;
    }
    if (typeless && id == null && "Parameters".equals(type)) {
      // organizeOutputBy: the header before each block names the resource the block belongs to; not data
      pending.add(line(ParsedLines.INFORMATIONAL, "output-header", "output-header",
          "header of an organizeOutputBy block (Parameters)", line, null, lineNo));
      return;
    }
    if (!FhirJson.isResourceType(type)) {
      pending.add(quarantine("parse", "unknown-resource-type",
          "resourceType " + type + " is not a FHIR R4 resource type", line, id, lineNo));
      return;
    }
    if (id == null) {
      pending.add(quarantine("parse", "missing-id", type + ".id is absent", line, null, lineNo));
      return;
    }
    if (!FhirJson.isValidId(id)) {
      pending.add(quarantine("parse", "invalid-id", type + ".id is not a valid FHIR id", line, null, lineNo));
      return;
    }
    Object[] v = new Object[width];
    String hash = hash(line);
    boolean subsetted;
    try {
      String versionId;
      Timestamp lastUpdated;
      if (r != null) {
        JsonNode meta = FhirJson.object(r, "meta", type + ".meta");
        versionId = meta == null ? null : FhirJson.text(meta, "versionId");
        lastUpdated = meta == null ? null : FhirJson.dateTime(meta, "lastUpdated", type + ".meta.lastUpdated");
        subsetted = meta != null && subsetted(meta);
      } else {
        header.check(type);
        versionId = headerVersion;
        lastUpdated = headerUpdated == null ? null : FhirJson.timestamp(headerUpdated, type + ".meta.lastUpdated");
        subsetted = header.subsetted;
      }
      v[5] = versionId;
      v[6] = lastUpdated;
      // an _elements subset stays in bronze only: never converted (its missing elements are not errors)
      if (r != null && converter.resourceType().equals(type) && !subsetted) {
        RowBuilder b = builder.reset();
        b.set("source", ctx.source()).set("id", id).set("version_id", versionId).set("last_updated", lastUpdated);
        converter.fill(r, b);
        b.set("extension_urls", FhirJson.extensionUrls(r));
        b.set("contained_types", FhirJson.containedTypes(r));
        b.set("content_hash", hash);
        b.set("export_time", ctx.exportTime());
        b.set("ingest_run_id", ctx.runId());
        b.set("bronze_file", chunk.file().relPath());
        b.set("bronze_line", lineNo);
        v[ParsedLines.TYPED_INDEX] = b.build();
      }
    } catch (ConformException e) {
      String stage = "bad-date".equals(e.reasonCode()) || "bad-value".equals(e.reasonCode())
          || "missing-required".equals(e.reasonCode()) ? "contract" : "parse";
      pending.add(quarantine(stage, e.reasonCode(), e.getMessage(), line, id, lineNo));
      return;
    }
    v[0] = subsetted ? ParsedLines.SUBSETTED : ParsedLines.LOADED;
    v[1] = "output";
    v[2] = true;
    v[3] = type;
    v[4] = id;
    v[7] = false;
    v[8] = line;
    v[9] = hash;
    v[10] = chunk.file().relPath();
    v[11] = lineNo;
    v[12] = ctx.rowKey(chunk.file().relPath(), lineNo, 0);
    pending.add(RowFactory.create(v));
  }

  /** A line of a {@code deleted} file: a Bundle whose entries are DELETE requests (or a bare reference). */
  private void tombstones(String line) {
    JsonNode b;
    try {
      b = json.readTree(line);
    } catch (JsonProcessingException e) {
      pending.add(quarantine("parse", "malformed-json", "deleted-file line is not valid JSON", line, null, lineNo));
      return;
    }
    if (b == null || !b.isObject() || !b.path("entry").isArray() || b.path("entry").isEmpty()) {
      pending.add(quarantine("parse", "bad-tombstone", "deleted-file line is not a Bundle with entries", line, null, lineNo));
      return;
    }
    Deque<Row> rows = new ArrayDeque<>();
    int index = 0;
    for (JsonNode entry : b.get("entry")) {
      JsonNode req = entry.path("request");
      String method = req.path("method").asText("");
      String url = req.path("url").asText("");
      String[] parts = url.split("/");
      if (!"DELETE".equalsIgnoreCase(method) || parts.length < 2
          || !FhirJson.isValidId(parts[parts.length - 1])) {
        pending.add(quarantine("parse", "bad-tombstone",
            "deleted-file entry " + index + " is not a DELETE of Type/id", line, null, lineNo));
        return;
      }
      String type = parts[parts.length - 2];
      String id = parts[parts.length - 1];
      String raw = entry.toString();
      Object[] v = new Object[width];
      v[0] = ParsedLines.LOADED;
      v[1] = "deleted";
      v[2] = index == 0;
      v[3] = type;
      v[4] = id;
      v[7] = true;
      v[8] = raw;
      v[9] = hash(raw);
      v[10] = chunk.file().relPath();
      v[11] = lineNo;
      v[12] = ctx.rowKey(chunk.file().relPath(), lineNo, index);
      rows.add(RowFactory.create(v));
      index++;
    }
    pending.addAll(rows);
  }

  /**
   * A line of an error file: an OperationOutcome whose issues are all {@code information} or {@code warning}
   * is a server message ({@link ParsedLines#INFORMATIONAL}, counted apart); anything else (an error or fatal
   * issue, an issue without severity, no issues, not an OperationOutcome) is quarantined.
   */
  private void serverError(String line) {
    String reason = "server reported an error (OperationOutcome)";
    String severest = null; // "information" or "warning" when every issue is one of them
    try {
      JsonNode oo = json.readTree(line);
      StringBuilder sb = new StringBuilder();
      boolean messages = oo != null && "OperationOutcome".equals(oo.path("resourceType").asText(""));
      boolean warning = false;
      for (JsonNode issue : oo == null ? json.createArrayNode() : oo.path("issue")) {
        if (sb.length() > 0) {
          sb.append(", ");
        }
        String severity = issue.path("severity").asText("?");
        sb.append(severity).append('/').append(issue.path("code").asText("?"));
        messages &= severity.equals("information") || severity.equals("warning");
        warning |= severity.equals("warning");
      }
      if (sb.length() > 0) {
        reason = "server reported: " + sb;
        severest = messages ? (warning ? "warning" : "information") : null;
      }
    } catch (JsonProcessingException e) {
      reason = "server error file line is not valid JSON";
    }
    if (severest != null) {
      pending.add(line(ParsedLines.INFORMATIONAL, "server-message", "outcome-" + severest, reason, line, null, lineNo));
    } else {
      pending.add(quarantine("server-error", "operation-outcome", reason, line, null, lineNo));
    }
  }

  /** Whether meta.tag holds the SUBSETTED tag ({@link ResourceHeader#subsettedTag}). */
  private static boolean subsetted(JsonNode meta) {
    for (JsonNode tag : meta.path("tag")) {
      JsonNode system = tag.get("system");
      JsonNode code = tag.get("code");
      if (code != null && code.isTextual() && ResourceHeader.subsettedTag(
          system != null && system.isTextual() ? system.asText() : null, code.asText())) {
        return true;
      }
    }
    return false;
  }

  private Row quarantine(String stage, String code, String reason, String raw, String id, long line) {
    return line(ParsedLines.QUARANTINED, stage, code, reason, raw, id, line);
  }

  /** A line that is not loaded: quarantined, or an informational server message. */
  private Row line(String status, String stage, String code, String reason, String raw, String id, long line) {
    Object[] v = new Object[width];
    v[0] = status;
    v[1] = chunk.file().kind();
    v[2] = true;
    v[3] = chunk.file().resourceType();
    v[4] = id;
    v[7] = false;
    v[8] = raw == null ? null : (raw.length() > ctx.maxRawChars() ? raw.substring(0, ctx.maxRawChars()) : raw);
    v[9] = raw == null ? null : hash(raw);
    v[10] = chunk.file().relPath();
    v[11] = line;
    v[12] = ctx.rowKey(chunk.file().relPath() + "#q", line, 0);
    v[13] = stage;
    v[14] = code;
    v[15] = reason;
    return RowFactory.create(v);
  }

  private String hash(String s) {
    sha.reset();
    byte[] d = sha.digest(s.getBytes(StandardCharsets.UTF_8));
    return HEX.formatHex(d, 0, 16);
  }
}
