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
 * @param observations group index → the expected measure-observation values (continuous-variable and ratio
 *     groups: the test-case reports list one {@code measure-population-observation} population per observed
 *     episode, its {@code count} holding the observation's value), sorted; groups without observations absent
 * @param strata group index → the expected strata of the measure's stratifiers
 */
public record MeasureTestCase(String measure, String caseId, String description, String patientId,
    List<JsonNode> resources, Map<Integer, Map<String, Integer>> expected, Map<Integer, List<Double>> observations,
    Map<Integer, List<Stratum>> strata) {

  /**
   * One stratum of a stratifier in an expected report: {@code value} is {@code true} / {@code false} for a
   * boolean stratifier, else the stratum's label (episode stratifiers); population code → count.
   *
   * <p>The {@code false} strata of the official reports are not compared: there each population's count is
   * one minus its count in the {@code true} stratum (a person excluded from the denominator, outside the
   * numerator and 66 years old shows numerator 1 in the {@code false} stratum of the "age 65 and over"
   * stratifier and of the "under 65" one alike, CMS125 2025 edition), not the members whose stratifier is
   * false. The {@code true} strata and the episode strata are compared population by population.
   */
  public record Stratum(String stratifier, String value, Map<String, Integer> counts) {}
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
    Map<Integer, List<Double>> observations = new LinkedHashMap<>();
    Map<Integer, List<Stratum>> strata = new LinkedHashMap<>();
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
          List<Double> values = new ArrayList<>();
          for (JsonNode p : g.path("population")) {
            String code = p.path("code").path("coding").path(0).path("code").asText();
            if (code.endsWith("observation")) {
              values.add(p.path("count").asDouble());
            } else {
              pops.put(code, p.path("count").asInt());
            }
          }
          expected.put(gi, pops);
          List<Stratum> groupStrata = new ArrayList<>();
          for (JsonNode st : g.path("stratifier")) {
            for (JsonNode stratum : st.path("stratum")) {
              Map<String, Integer> counts = new LinkedHashMap<>();
              for (JsonNode p : stratum.path("population")) {
                // the first of each code: some reports list a stratum's populations twice, the second time with
                // the counts of another stratifier's stratum (CMS130 2025: "46-49" and "50-75" both true)
                counts.putIfAbsent(p.path("code").path("coding").path(0).path("code").asText(), p.path("count").asInt());
              }
              groupStrata.add(new Stratum(st.path("id").asText(), stratum.path("value").path("text").asText(), counts));
            }
          }
          if (!groupStrata.isEmpty()) {
            strata.put(gi, List.copyOf(groupStrata));
          }
          if (!values.isEmpty()) {
            values.sort(null);
            observations.put(gi, List.copyOf(values));
          }
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
    return new MeasureTestCase(measure, dir.getFileName().toString(), description, patient, resources, expected,
        observations, strata);
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
