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
