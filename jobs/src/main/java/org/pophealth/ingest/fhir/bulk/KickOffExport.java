package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step: starts a bulk export ({@code $export} at system, Patient or Group level). POST with a
 * Parameters resource (the default, and always when patients are named); GET with query parameters when
 * {@code kick_off_method: get}, or as the fallback when the server refuses the POST (405, 404, or a 400
 * whose OperationOutcome says {@code not-supported} or names POST) and no patients are named. Returns the
 * status URL.
 */
public final class KickOffExport {
  private static final Logger LOG = LoggerFactory.getLogger(KickOffExport.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BulkHttp http;

  public KickOffExport(BulkHttp http) {
    this.http = http;
  }

  /** The status URL to poll and the request that started the export. */
  /** @param method {@code POST} or {@code GET}: how the export was started */
  public record Result(String statusUrl, String requestUrl, Instant since, int retries, String method) {}

  public Result execute() {
    BulkSettings s = http.settings();
    int before = http.retries();
    boolean post = s.protocol().kickOffMethod().equals("post") || !s.patients().isEmpty();
    String method = post ? "POST" : "GET";
    String requestUrl = post ? s.kickOffUrl() : s.kickOffUrl() + query(s);
    HttpResponse<byte[]> r = post ? post(s) : get(requestUrl);
    if (post && postRefused(r) && s.patients().isEmpty()) {
      LOG.warn("bulk kick-off: the server refused POST (HTTP {}); kicking off with GET", r.statusCode());
      method = "GET";
      requestUrl = s.kickOffUrl() + query(s);
      r = get(requestUrl);
    }
    if (r.statusCode() != 202) {
      throw new BulkExportException(OperationOutcomes.describe("bulk kick-off (" + method + ")", r.statusCode(),
          r.body()), r.statusCode());
    }
    String location = r.headers().firstValue("Content-Location").orElseThrow(() ->
        new BulkExportException("bulk kick-off: 202 without Content-Location", 202));
    String status = URI.create(requestUrl).resolve(location).toString();
    LOG.info("bulk export started ({} level, {}, {} types{}{})", s.level(), method, s.types().size(),
        s.since() == null ? "" : ", incremental", s.patients().isEmpty() ? "" : ", " + s.patients().size() + " patients");
    return new Result(status, requestUrl, s.since(), http.retries() - before, method);
  }

  private HttpResponse<byte[]> get(String requestUrl) {
    URI uri = URI.create(requestUrl);
    return http.exchange("bulk kick-off", () -> HttpRequest.newBuilder(uri).GET()
        .header("Accept", "application/fhir+json").header("Prefer", "respond-async"), true);
  }

  private HttpResponse<byte[]> post(BulkSettings s) {
    byte[] body = parameters(s).toString().getBytes(StandardCharsets.UTF_8);
    URI uri = URI.create(s.kickOffUrl());
    return http.exchange("bulk kick-off", () -> HttpRequest.newBuilder(uri)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", "application/fhir+json")
        .header("Accept", "application/fhir+json").header("Prefer", "respond-async"), true);
  }

  /** 405, 404, or a 400 whose OperationOutcome says {@code not-supported} or names POST. */
  static boolean postRefused(HttpResponse<byte[]> r) {
    int st = r.statusCode();
    if (st == 405 || st == 404) {
      return true;
    }
    return st == 400 && OperationOutcomes.saysNotSupported(r.body());
  }

  static String query(BulkSettings s) {
    List<String> q = new ArrayList<>();
    add(q, "_outputFormat", s.outputFormat());
    add(q, "_since", s.since() == null ? null : s.since().toString());
    add(q, "_until", s.protocol().until() == null ? null : s.protocol().until().toString());
    add(q, "organizeOutputBy", s.protocol().organizeOutputBy());
    add(q, "allowPartialManifests", s.protocol().allowPartialManifests() ? "true" : null);
    add(q, "_type", s.types().isEmpty() ? null : String.join(",", s.types()));
    add(q, "_elements", s.elements().isEmpty() ? null : String.join(",", s.elements()));
    for (String f : s.typeFilters()) {
      add(q, "_typeFilter", f);
    }
    if (s.includeAssociatedData()) {
      add(q, "includeAssociatedData", "LatestProvenanceResources");
    }
    return q.isEmpty() ? "" : "?" + String.join("&", q);
  }

  private static void add(List<String> q, String name, String value) {
    if (value != null) {
      q.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
  }

  static ObjectNode parameters(BulkSettings s) {
    ObjectNode p = JSON.createObjectNode().put("resourceType", "Parameters");
    ArrayNode params = p.putArray("parameter");
    if (s.outputFormat() != null) {
      params.addObject().put("name", "_outputFormat").put("valueString", s.outputFormat());
    }
    if (s.since() != null) {
      params.addObject().put("name", "_since").put("valueInstant", s.since().toString());
    }
    if (s.protocol().until() != null) {
      params.addObject().put("name", "_until").put("valueInstant", s.protocol().until().toString());
    }
    if (s.protocol().organizeOutputBy() != null) {
      params.addObject().put("name", "organizeOutputBy").put("valueString", s.protocol().organizeOutputBy());
    }
    if (s.protocol().allowPartialManifests()) {
      params.addObject().put("name", "allowPartialManifests").put("valueBoolean", true);
    }
    if (!s.types().isEmpty()) {
      params.addObject().put("name", "_type").put("valueString", String.join(",", s.types()));
    }
    if (!s.elements().isEmpty()) {
      params.addObject().put("name", "_elements").put("valueString", String.join(",", s.elements()));
    }
    for (String f : s.typeFilters()) {
      params.addObject().put("name", "_typeFilter").put("valueString", f);
    }
    if (s.includeAssociatedData()) {
      params.addObject().put("name", "includeAssociatedData").put("valueCode", "LatestProvenanceResources");
    }
    for (String ref : s.patients()) {
      params.addObject().put("name", "patient").putObject("valueReference").put("reference", ref);
    }
    return p;
  }
}
