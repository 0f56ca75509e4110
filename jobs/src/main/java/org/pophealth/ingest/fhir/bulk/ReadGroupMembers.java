package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step: reads a Group's members from the server ({@code GET Group/<id>}, {@code member[].entity.reference};
 * members marked {@code inactive} are left out) as relative references {@code Patient/<id>}, sorted.
 * Logs the count only.
 */
public final class ReadGroupMembers {
  private static final Logger LOG = LoggerFactory.getLogger(ReadGroupMembers.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BulkHttp http;
  private final String groupId;

  public ReadGroupMembers(BulkHttp http, String groupId) {
    this.http = http;
    this.groupId = groupId;
  }

  public List<String> execute() {
    URI uri = URI.create(http.settings().baseUrl() + "/Group/" + groupId);
    HttpResponse<byte[]> r = http.exchange("read of Group/" + groupId, () -> HttpRequest.newBuilder(uri).GET()
        .header("Accept", "application/fhir+json"), true);
    if (r.statusCode() != 200) {
      throw new BulkExportException(OperationOutcomes.describe("read of Group/" + groupId, r.statusCode(), r.body()),
          r.statusCode());
    }
    JsonNode g;
    try {
      g = JSON.readTree(r.body());
    } catch (IOException e) {
      throw new BulkExportException("read of Group/" + groupId + ": the answer is not JSON", e);
    }
    if (g == null || !"Group".equals(g.path("resourceType").asText())) {
      throw new BulkExportException("read of Group/" + groupId + ": the answer is not a Group", r.statusCode());
    }
    TreeSet<String> members = new TreeSet<>();
    int skipped = 0;
    for (JsonNode m : g.path("member")) {
      String ref = relative(m.path("entity").path("reference").asText(""));
      if (m.path("inactive").asBoolean(false) || ref == null) {
        skipped++;
        continue;
      }
      members.add(ref);
    }
    LOG.info("Group/{}: {} members ({} inactive or not a Patient reference, left out)", groupId, members.size(),
        skipped);
    return List.copyOf(members);
  }

  /** "Patient/123" from a relative or absolute reference to a Patient, else null. */
  static String relative(String ref) {
    String[] parts = ref.split("/");
    int n = parts.length;
    if (n >= 2 && parts[n - 2].equals("Patient") && !parts[n - 1].isBlank()) {
      return "Patient/" + parts[n - 1];
    }
    if (n >= 4 && parts[n - 2].equals("_history") && parts[n - 4].equals("Patient")) {
      return "Patient/" + parts[n - 3];
    }
    return null;
  }
}
