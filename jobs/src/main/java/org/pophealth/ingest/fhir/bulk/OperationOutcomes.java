package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** Reads the parts of an error body the client acts on: diagnostics text and the {@code transient} issue code. */
final class OperationOutcomes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private OperationOutcomes() {}

  static JsonNode parse(byte[] body) {
    try {
      JsonNode n = body == null || body.length == 0 ? null : JSON.readTree(body);
      return n != null && "OperationOutcome".equals(n.path("resourceType").asText()) ? n : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  static boolean isTransient(byte[] body) {
    JsonNode oo = parse(body);
    if (oo == null) {
      return false;
    }
    for (JsonNode issue : oo.path("issue")) {
      if ("transient".equals(issue.path("code").asText())) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when an error body says the request's method is not supported: an issue with code
   * {@code not-supported}, or diagnostics naming POST (a 400 about a resource type or a parameter is not).
   */
  static boolean saysNotSupported(byte[] body) {
    JsonNode oo = parse(body);
    if (oo == null) {
      return false;
    }
    for (JsonNode issue : oo.path("issue")) {
      String d = issue.path("diagnostics").asText("").toLowerCase(java.util.Locale.ROOT);
      if ("not-supported".equals(issue.path("code").asText()) || d.matches("(?s).*\\bpost\\b.*")) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when every issue of an OperationOutcome (a line of an error file) has severity
   * {@code information} or {@code warning}: the server tells, nothing failed.
   */
  static boolean informational(JsonNode oo) {
    JsonNode issues = oo.path("issue");
    if (!issues.isArray() || issues.isEmpty()) {
      return false;
    }
    for (JsonNode issue : issues) {
      String sev = issue.path("severity").asText("");
      if (!sev.equals("information") && !sev.equals("warning")) {
        return false;
      }
    }
    return true;
  }

  /** "HTTP 400: diag1; diag2" from an OperationOutcome, else the status alone. */
  static String describe(String what, int status, byte[] body) {
    JsonNode oo = parse(body);
    List<String> parts = new ArrayList<>();
    if (oo != null) {
      for (JsonNode issue : oo.path("issue")) {
        String d = issue.path("diagnostics").asText("");
        if (d.isEmpty()) {
          d = issue.path("details").path("text").asText("");
        }
        if (!d.isEmpty()) {
          parts.add(d);
        }
      }
    }
    String msg = what + " failed: HTTP " + status;
    return parts.isEmpty() ? msg : msg + ": " + String.join("; ", parts);
  }
}
