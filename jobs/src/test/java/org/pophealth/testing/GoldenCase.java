package org.pophealth.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One golden case: a folder {@code src/test/resources/<capability>/<case>/} with a {@code case.yaml}
 * naming the job under test, its options and its phases:
 *
 * <pre>
 * job: build-cohorts            # a job of the registry (or risk-score, the file scorer)
 * options: {as_of: 2025-12-31}  # the job's case options (each runner lists the ones it knows)
 * phases: [run1, run2]          # folders run in order; default: the case folder, then phase2/, phase3/...
 * </pre>
 *
 * Each phase folder holds its {@code input/} and what is expected after it: {@code expected/<zone>.<table>.ndjson}
 * (rows, see {@link ExpectedRows}) and {@code expected/files/<path>} (files, byte for byte). The expected values
 * are derived by hand in the case's README.md. {@code -Dgolden.cases=a,b} runs only the cases named {@code a},
 * {@code b} (by case name, or {@code capability/case}, or a whole capability).
 */
public record GoldenCase(String capability, String name, Path dir, String job, Map<String, String> options,
    List<Path> phases) {
  public static final String FILE = "case.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Every case under the test resources, sorted by capability and name, filtered by {@code -Dgolden.cases}. */
  public static Stream<GoldenCase> all() {
    String only = System.getProperty("golden.cases");
    List<String> selected = only == null || only.isBlank() ? null : List.of(only.split(","));
    Path root = resources();
    try (Stream<Path> s = Files.walk(root, 3)) {
      return s.filter(p -> p.getFileName().toString().equals(FILE) && root.relativize(p).getNameCount() == 3)
          .map(p -> load(p.getParent()))
          .filter(c -> selected == null || selected.contains(c.name()) || selected.contains(c.toString())
              || selected.contains(c.capability()))
          .sorted(java.util.Comparator.comparing(GoldenCase::toString)).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The case in {@code dir}; a bad case.yaml fails naming the file. */
  public static GoldenCase load(Path dir) {
    Path file = dir.resolve(FILE);
    JsonNode y;
    try {
      y = YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalStateException(file + ": not valid YAML: " + e.getMessage(), e);
    }
    if (y == null || !y.hasNonNull("job")) {
      throw new IllegalStateException(file + ": names no job");
    }
    for (Iterator<String> it = y.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!List.of("job", "options", "phases", "description").contains(k)) {
        throw new IllegalStateException(file + ": unknown key " + k + " (job, options, phases, description)");
      }
    }
    Map<String, String> options = new LinkedHashMap<>();
    if (y.has("options")) {
      y.get("options").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
    }
    List<Path> phases = new ArrayList<>();
    if (y.has("phases")) {
      for (JsonNode p : y.get("phases")) {
        Path phase = dir.resolve(p.asText()).normalize();
        if (!Files.isDirectory(phase)) {
          throw new IllegalStateException(file + ": phase folder " + p.asText() + " does not exist");
        }
        phases.add(phase);
      }
    } else {
      phases.add(dir);
      for (int i = 2; Files.isDirectory(dir.resolve("phase" + i)); i++) {
        phases.add(dir.resolve("phase" + i));
      }
    }
    return new GoldenCase(dir.getParent().getFileName().toString(), dir.getFileName().toString(), dir,
        y.get("job").asText(), Map.copyOf(options), List.copyOf(phases));
  }

  public String option(String key, String otherwise) {
    return options.getOrDefault(key, otherwise);
  }

  public boolean flag(String key) {
    return Boolean.parseBoolean(options.getOrDefault(key, "false"));
  }

  /** The case and phase, for assertion messages ({@code cohorts/gap_closes/phase2}). */
  public String label(Path phase) {
    return this + (phase.equals(dir) ? "" : "/" + dir.relativize(phase));
  }

  @Override
  public String toString() {
    return capability + "/" + name;
  }

  private static Path resources() {
    try {
      return Path.of(GoldenCase.class.getResource("/junit-platform.properties").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
