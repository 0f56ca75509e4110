package org.pophealth.measures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One official test case: {@code <cases>/<Measure>/<case-guid>/*.json}, one FHIR resource per file,
 * plus the expected {@code MeasureReport-*.json} (per group, a count per population code).
 *
 * @param expected group index (1-based) → population code → expected count
 */
public record MeasureTestCase(String measure, String caseId, String description, String patientId,
    List<JsonNode> resources, Map<Integer, Map<String, Integer>> expected) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every case under {@code dir}, optionally of one measure, sorted by measure then case id. */
  public static List<MeasureTestCase> load(Path dir, String measure) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("not a directory: " + dir);
    }
    List<MeasureTestCase> out = new ArrayList<>();
    for (Path m : list(dir)) {
      if (!Files.isDirectory(m) || (measure != null && !m.getFileName().toString().equalsIgnoreCase(measure))) {
        continue;
      }
      for (Path c : list(m)) {
        if (Files.isDirectory(c)) {
          out.add(read(m.getFileName().toString(), c));
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no test cases under " + dir + (measure == null ? "" : " for measure " + measure)
          + " (expected <Measure>/<case-guid>/*.json)");
    }
    return out;
  }

  private static MeasureTestCase read(String measure, Path dir) {
    List<JsonNode> resources = new ArrayList<>();
    Map<Integer, Map<String, Integer>> expected = new LinkedHashMap<>();
    String description = "";
    String patient = null;
    for (Path f : list(dir)) {
      if (!f.getFileName().toString().endsWith(".json")) {
        continue;
      }
      JsonNode r;
      try (InputStream in = Files.newInputStream(f)) {
        r = JSON.readTree(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("unreadable test file " + f + ": " + e.getMessage());
      }
      String type = r.path("resourceType").asText();
      if ("MeasureReport".equals(type)) {
        int gi = 0;
        for (JsonNode g : r.path("group")) {
          gi++;
          Map<String, Integer> pops = new LinkedHashMap<>();
          for (JsonNode p : g.path("population")) {
            pops.put(p.path("code").path("coding").path(0).path("code").asText(), p.path("count").asInt());
          }
          expected.put(gi, pops);
        }
        for (JsonNode e : r.path("extension")) {
          if (e.path("url").asText().endsWith("cqfm-testCaseDescription")) {
            description = e.path("valueMarkdown").asText();
          }
        }
      } else {
        if ("Patient".equals(type)) {
          patient = r.path("id").asText();
        }
        resources.add(r);
      }
    }
    if (expected.isEmpty() || patient == null) {
      throw new IllegalArgumentException("test case " + dir + " lacks a MeasureReport or a Patient");
    }
    return new MeasureTestCase(measure, dir.getFileName().toString(), description, patient, resources, expected);
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
