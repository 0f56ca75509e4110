package org.pophealth.measures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data elements a measure's logic looks for, read from its ELM: every value-set retrieve
 * ({@code [Encounter: "Office Visit"]}, {@code [Observation: "Tobacco Use Screening"]}) of the measure's
 * library and of the libraries it includes. Used to explain results: whether a person who is not in a
 * population has data of the kind the logic asks for (then the logic's own filters — status, category,
 * dates — kept it out) or none at all (absent, or coded outside the value set).
 */
public final class MeasureDataElements {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Map<String, List<Element>>> CACHE = new ConcurrentHashMap<>();

  /** One value-set retrieve: {@code label} is {@code Type: value set name}. */
  public record Element(String label, String dataType, String codePath, String valueSetUrl) implements Serializable {}

  private MeasureDataElements() {}

  /** Measure name → its data elements (distinct, by label), computed once per package and JVM. */
  public static Map<String, List<Element>> of(MeasurePackage pkg) {
    return CACHE.computeIfAbsent(pkg.name() + "@" + pkg.elmByLibrary().hashCode(), k -> compute(pkg));
  }

  private static final Map<String, Map<String, JsonNode>> TREES = new ConcurrentHashMap<>();

  /** The ELM trees of the package's libraries, by library name; read once per package and JVM. */
  private static Map<String, JsonNode> trees(MeasurePackage pkg) {
    return TREES.computeIfAbsent(pkg.name() + "@" + pkg.elmByLibrary().hashCode(), k -> readTrees(pkg));
  }

  private static Map<String, JsonNode> readTrees(MeasurePackage pkg) {
    Map<String, JsonNode> trees = new HashMap<>();
    for (Map.Entry<String, String> e : pkg.elmByLibrary().entrySet()) {
      try {
        trees.put(e.getKey(), JSON.readTree(e.getValue()).path("library"));
      } catch (IOException ex) {
        throw new UncheckedIOException("cannot read the ELM of " + e.getKey(), ex);
      }
    }
    return trees;
  }

  private static Map<String, List<Element>> compute(MeasurePackage pkg) {
    Map<String, JsonNode> trees = trees(pkg);
    Map<String, List<Element>> out = new LinkedHashMap<>();
    for (MeasurePackage.MeasureDefinition m : pkg.measures()) {
      TreeMap<String, Element> elements = new TreeMap<>();
      Deque<String> todo = new ArrayDeque<>(List.of(m.library()));
      Set<String> seen = new HashSet<>();
      while (!todo.isEmpty()) {
        String name = todo.pop();
        JsonNode lib = trees.get(name);
        if (lib == null || !seen.add(name)) {
          continue;
        }
        Map<String, String> aliases = new HashMap<>();
        for (JsonNode inc : lib.path("includes").path("def")) {
          aliases.put(inc.path("localIdentifier").asText(), inc.path("path").asText());
          todo.add(inc.path("path").asText());
        }
        List<JsonNode> retrieves = new ArrayList<>();
        collect(lib.path("statements"), retrieves);
        for (JsonNode r : retrieves) {
          JsonNode codes = r.path("codes");
          if (!"ValueSetRef".equals(codes.path("type").asText())) {
            continue;
          }
          String owner = codes.has("libraryName") ? aliases.getOrDefault(codes.path("libraryName").asText(), name) : name;
          String url = valueSetUrl(trees.get(owner), codes.path("name").asText());
          if (url == null) {
            continue;
          }
          String type = r.path("dataType").asText().replaceFirst("^\\{[^}]*}", "");
          String label = type + ": " + codes.path("name").asText();
          elements.putIfAbsent(label, new Element(label, type, r.path("codeProperty").asText("code"), url));
        }
      }
      out.put(m.name(), List.copyOf(elements.values()));
    }
    return out;
  }

  /**
   * The data elements a population criterion looks for: the value-set retrieves reachable from the expression
   * through the definitions and functions it calls (in the measure's library and those it includes), not
   * through the {@code stop} definitions of the measure's library (the group's other populations: a numerator
   * that starts from the denominator does not ask again for the visit that put the person there). Labels
   * ({@code Type: value set name}), sorted.
   */
  public static List<String> reachedFrom(MeasurePackage pkg, MeasurePackage.MeasureDefinition m, String expression,
      Set<String> stop) {
    Map<String, JsonNode> trees = trees(pkg);
    java.util.TreeSet<String> labels = new java.util.TreeSet<>();
    Set<String> seen = new HashSet<>();
    Deque<String[]> todo = new ArrayDeque<>();
    todo.add(new String[] {m.library(), expression});
    while (!todo.isEmpty()) {
      String[] at = todo.pop();
      JsonNode lib = trees.get(at[0]);
      if (lib == null || !seen.add(at[0] + "|" + at[1]) || (at[0].equals(m.library()) && stop.contains(at[1])
          && !at[1].equals(expression))) {
        continue;
      }
      Map<String, String> aliases = new HashMap<>();
      for (JsonNode inc : lib.path("includes").path("def")) {
        aliases.put(inc.path("localIdentifier").asText(), inc.path("path").asText());
      }
      for (JsonNode def : lib.path("statements").path("def")) {
        if (!at[1].equals(def.path("name").asText())) {
          continue;
        }
        List<JsonNode> nodes = new ArrayList<>();
        collectAll(def.path("expression"), nodes);
        for (JsonNode n : nodes) {
          String type = n.path("type").asText();
          if (type.equals("ExpressionRef") || type.equals("FunctionRef")) {
            String owner = n.has("libraryName") ? aliases.get(n.path("libraryName").asText()) : at[0];
            if (owner != null) {
              todo.add(new String[] {owner, n.path("name").asText()});
            }
          } else if (type.equals("Retrieve")) {
            String dataType = n.path("dataType").asText().replaceFirst("^\\{[^}]*}", "");
            String what = retrieved(n, dataType);
            if (what != null) {
              labels.add(dataType + ": " + what);
            }
          }
        }
      }
    }
    return List.copyOf(labels);
  }

  /**
   * What a retrieve asks for: its value set, else the codes it names ({@code [Observation: "Systolic blood
   * pressure"]}), else the profile it retrieves by ({@code observation-bp}); null for a retrieve of every
   * resource of the type (the logic following a reference, as {@code getEncounter()} does: no data to collect).
   */
  private static String retrieved(JsonNode retrieve, String dataType) {
    JsonNode codes = retrieve.path("codes");
    if ("ValueSetRef".equals(codes.path("type").asText())) {
      return codes.path("name").asText();
    }
    List<JsonNode> refs = new ArrayList<>();
    collectAll(codes, refs);
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    for (JsonNode r : refs) {
      if ("CodeRef".equals(r.path("type").asText())) {
        names.add(r.path("name").asText());
      }
    }
    if (!names.isEmpty()) {
      return String.join(", ", names);
    }
    String template = retrieve.path("templateId").asText("");
    String profile = template.substring(template.lastIndexOf('/') + 1);
    boolean base = profile.isEmpty() || profile.equalsIgnoreCase(dataType) || profile.equalsIgnoreCase("qicore-" + dataType)
        || profile.equalsIgnoreCase("us-core-" + dataType);
    return base ? null : profile;
  }

  private static void collectAll(JsonNode n, List<JsonNode> out) {
    if (n.isObject()) {
      if (n.has("type")) {
        out.add(n);
      }
      n.elements().forEachRemaining(c -> collectAll(c, out));
    } else if (n.isArray()) {
      n.elements().forEachRemaining(c -> collectAll(c, out));
    }
  }

  private static String valueSetUrl(JsonNode lib, String name) {
    if (lib == null) {
      return null;
    }
    for (JsonNode vs : lib.path("valueSets").path("def")) {
      if (name.equals(vs.path("name").asText())) {
        return vs.path("id").asText();
      }
    }
    return null;
  }

  private static void collect(JsonNode n, List<JsonNode> out) {
    if (n.isObject()) {
      if ("Retrieve".equals(n.path("type").asText())) {
        out.add(n);
      }
      n.elements().forEachRemaining(c -> collect(c, out));
    } else if (n.isArray()) {
      n.elements().forEachRemaining(c -> collect(c, out));
    }
  }
}
