package org.pophealth.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads the configuration: the documented defaults shipped in the jar, overlaid by the user's YAML
 * file (deep merge), bound to {@link PopHealthConfig}. Unknown keys are errors, so typos surface.
 */
public final class ConfigLoader {
  private static final String DEFAULTS = "pophealth-defaults.yaml";

  private ConfigLoader() {}

  /** Defaults only. */
  public static PopHealthConfig defaults() {
    return load(null);
  }

  /**
   * Loads defaults overlaid by {@code file} when non-null.
   *
   * @throws ConfigException with a readable message when the file is missing or invalid
   */
  public static PopHealthConfig load(Path file) {
    ObjectMapper yaml = mapper();
    try {
      JsonNode merged;
      try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
        merged = yaml.readTree(in);
      }
      if (file != null) {
        if (!Files.isRegularFile(file)) {
          throw new ConfigException("config file not found: " + file);
        }
        JsonNode user = yaml.readTree(file.toFile());
        if (user != null && !user.isMissingNode() && !user.isNull()) {
          if (!user.isObject()) {
            throw new ConfigException("config file " + file + " must be a YAML mapping");
          }
          merge((ObjectNode) merged, user);
        }
      }
      boolean periodGiven = file != null && yaml.readTree(file.toFile()) instanceof ObjectNode u && u.has("measurement_period");
      if (!periodGiven) {
        periodOfPackage(merged.path("measures").path("package_dir").asText(""))
            .ifPresent(p -> ((ObjectNode) merged).set("measurement_period", yaml.valueToTree(Map.of("start", p[0], "end", p[1]))));
      }
      absolutePaths((ObjectNode) merged);
      return yaml.treeToValue(merged, PopHealthConfig.class);
    } catch (ConfigException e) {
      throw e;
    } catch (IOException e) {
      throw new ConfigException("invalid config " + (file == null ? DEFAULTS : file) + ": " + org.pophealth.io.Messages.firstLine(e.getMessage()));
    }
  }

  /**
   * The measurement period a measure package is for: the {@code effectivePeriod} most of its Measure resources
   * state (start and end dates), read from {@code <package>/measure/*.json} of a package directory or of a
   * packaged folder {@code measures/ecqm/<name>/}. Empty when the package states none (or cannot be read here:
   * loading it reports that with the package's own message).
   */
  static java.util.Optional<String[]> periodOfPackage(String packageDir) {
    if (packageDir.isEmpty()) {
      return java.util.Optional.empty();
    }
    Map<java.util.List<String>, Integer> counts = new java.util.HashMap<>();
    ObjectMapper json = new ObjectMapper();
    try {
      Path dir = Path.of(packageDir).resolve("measure");
      java.nio.file.FileSystem jar = null;
      if (!Files.isDirectory(dir)) {
        java.net.URL u = ConfigLoader.class.getClassLoader().getResource("measures/ecqm/" + packageDir + "/measure");
        if (u == null) {
          return java.util.Optional.empty();
        }
        if ("jar".equals(u.getProtocol())) {
          try {
            jar = java.nio.file.FileSystems.newFileSystem(u.toURI(), Map.of());
          } catch (java.nio.file.FileSystemAlreadyExistsException e) {
            jar = null;
          }
          dir = java.nio.file.Paths.get(u.toURI());
        } else {
          dir = Path.of(u.toURI());
        }
      }
      try (java.util.stream.Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(x -> x.getFileName().toString().endsWith(".json")).toList()) {
          JsonNode p = json.readTree(Files.readString(f)).path("effectivePeriod");
          String start = p.path("start").asText("");
          String end = p.path("end").asText("");
          if (start.length() >= 10 && end.length() >= 10) {
            counts.merge(java.util.List.of(start.substring(0, 10), end.substring(0, 10)), 1, Integer::sum);
          }
        }
      } finally {
        if (jar != null) {
          jar.close();
        }
      }
    } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
      return java.util.Optional.empty();
    }
    return counts.entrySet().stream()
        .max(Map.Entry.<java.util.List<String>, Integer>comparingByValue()
            .thenComparing(e -> e.getKey().get(0), java.util.Comparator.reverseOrder()))
        .map(e -> new String[] {e.getKey().get(0), e.getKey().get(1)});
  }

  /** The documented default file, as text. */
  public static String defaultsText() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + DEFAULTS);
    }
  }

  private static ObjectMapper mapper() {
    ObjectMapper m = new ObjectMapper(new YAMLFactory());
    m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    m.registerModule(new JavaTimeModule());
    m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    return m;
  }

  /** Every key that holds a local path or URI, as {@code section.key} ({@code *} = any source). */
  static final java.util.List<String> PATH_KEYS = java.util.List.of("lakehouse.root", "sources.*.dir",
      "sources.*.download_dir", "sources.*.auth.private_key_file", "demo.cache_dir", "duplicates.rules_dir",
      "cohorts.definitions_dir", "cohorts.publish_dir", "cohorts.attribution.rules_dir", "cohorts.calendar",
      "cohorts.worklist_dir", "scheduler.h2_file", "scheduler.password_file", "identity.ground_truth_file", "views.dir");

  /** Resolves every path key once ({@link Locations#absolute}), so no relative path reaches a job. */
  private static void absolutePaths(ObjectNode root) {
    for (String key : PATH_KEYS) {
      resolveAt(root, key.split("\\."), 0);
    }
  }

  private static void resolveAt(JsonNode node, String[] parts, int i) {
    if (node == null || !node.isObject()) {
      return;
    }
    ObjectNode obj = (ObjectNode) node;
    if (i == parts.length - 1) {
      JsonNode v = obj.get(parts[i]);
      if (v != null && v.isTextual()) {
        obj.put(parts[i], Locations.absolute(v.asText()));
      }
      return;
    }
    if (parts[i].equals("*")) {
      obj.fields().forEachRemaining(e -> resolveAt(e.getValue(), parts, i + 1));
    } else {
      resolveAt(obj.get(parts[i]), parts, i + 1);
    }
  }

  private static void merge(ObjectNode base, JsonNode overlay) {
    for (Iterator<Map.Entry<String, JsonNode>> it = overlay.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode existing = base.get(e.getKey());
      // `sources` is replaced per source name but merged inside each source; other maps merge deeply.
      if (existing != null && existing.isObject() && e.getValue().isObject()) {
        merge((ObjectNode) existing, e.getValue());
      } else {
        base.set(e.getKey(), e.getValue());
      }
    }
  }

  /** A configuration problem the user can fix; printed without a stack trace. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
      super(message);
    }
  }
}
