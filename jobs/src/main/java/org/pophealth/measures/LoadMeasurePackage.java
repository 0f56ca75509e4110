package org.pophealth.measures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step: reads an eCQM package folder ({@code measure/}, {@code library/}, {@code valueset/}) into a
 * {@link MeasurePackage}. The folder is {@code measures/ecqm/<name>} on the classpath (packaged from the
 * repository's {@code measures/}) or a directory path. Loaded once per JVM and name.
 *
 * <p>ELM repairs (documented in ../shared/STACK.md): the 3.10 translator wrote ChoiceTypeSpecifier as
 * {@code "type":[]}, restored here; {@code FHIRHelpers.ToInterval(x)} has no overload the engine can pick
 * for a null argument, so each call is guarded ({@code if x is null then null else ToInterval(x)}).
 */
public final class LoadMeasurePackage {
  private static final Logger LOG = LoggerFactory.getLogger(LoadMeasurePackage.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, MeasurePackage> CACHE = new ConcurrentHashMap<>();

  private final String location;

  /** @param location package name under {@code measures/ecqm/} on the classpath, or a directory */
  public LoadMeasurePackage(String location) {
    this.location = location;
  }

  /** The package, loaded once per JVM. */
  public static MeasurePackage cached(String location) {
    return CACHE.computeIfAbsent(location, l -> new LoadMeasurePackage(l).execute());
  }

  public MeasurePackage execute() {
    Path dir = resolve(location);
    try {
      Map<String, String> elm = new TreeMap<>();
      Map<String, String> versions = new TreeMap<>();
      String namespace = null;
      Set<String> types = new TreeSet<>();
      Set<String> unfiltered = new TreeSet<>();
      Set<String> relevant = new HashSet<>(Set.of("39156-5", "85354-9"));
      for (Path f : list(dir.resolve("library"))) {
        JsonNode lib = read(f);
        for (JsonNode dr : lib.path("dataRequirement")) {
          if (dr.hasNonNull("type")) {
            types.add(dr.get("type").asText());
          }
        }
        String text = null;
        for (JsonNode c : lib.path("content")) {
          if ("application/elm+json".equals(c.path("contentType").asText())) {
            text = new String(Base64.getDecoder().decode(c.path("data").asText()), StandardCharsets.UTF_8);
          }
        }
        if (text == null) {
          throw new IllegalArgumentException("library " + f.getFileName() + " has no application/elm+json content");
        }
        JsonNode tree = JSON.readTree(text);
        JsonNode id = tree.path("library").path("identifier");
        repair(tree);
        elm.put(id.path("id").asText(), JSON.writeValueAsString(tree));
        versions.put(id.path("id").asText(), id.path("version").asText(null));
        namespace = id.path("system").asText(namespace);
        collectRetrieveTypes(tree, types, unfiltered);
        for (JsonNode c : tree.path("library").path("codes").path("def")) {
          relevant.add(c.path("id").asText());
        }
      }
      Map<String, Set<String>> valueSets = new TreeMap<>();
      for (Path f : list(dir.resolve("valueset"))) {
        JsonNode vs = read(f);
        Set<String> codes = new HashSet<>();
        for (JsonNode c : vs.path("expansion").path("contains")) {
          codes.add(c.path("system").asText() + "|" + c.path("code").asText());
          relevant.add(c.path("code").asText());
        }
        valueSets.put(vs.path("url").asText(), codes);
      }
      Map<String, String> notation = improvementNotation(dir.resolve("improvement-notation.csv"));
      List<MeasurePackage.MeasureDefinition> measures = new ArrayList<>();
      for (Path f : list(dir.resolve("measure"))) {
        measures.add(withNotation(measure(read(f)), notation));
      }
      for (MeasurePackage.MeasureDefinition m : measures) {
        if (!elm.containsKey(m.library())) {
          throw new IllegalArgumentException("measure " + m.name() + " needs library " + m.library() + ", not in the package");
        }
      }
      LOG.info("measure package {}: {} measures, {} libraries, {} value sets, resource types {}",
          location, measures.size(), elm.size(), valueSets.size(), types);
      Set<String> filtered = new TreeSet<>(types);
      filtered.removeAll(unfiltered);
      LOG.info("resource types only retrieved by code (pre-filtered): {}", filtered);
      return new MeasurePackage(dir.getFileName().toString().replace("/", ""), List.copyOf(measures), elm, versions,
          namespace, valueSets, types, filtered, relevant);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read measure package " + location, e);
    }
  }

  private static MeasurePackage.MeasureDefinition measure(JsonNode m) {
    String cmsId = m.path("name").asText();
    for (JsonNode i : m.path("identifier")) {
      if (i.path("system").asText().endsWith("/cmsId")) {
        cmsId = "CMS" + i.path("value").asText();
      }
    }
    String scoring = code(m.path("scoring"));
    String improvement = code(m.path("improvementNotation"));
    List<MeasurePackage.Group> groups = new ArrayList<>();
    int index = 0;
    for (JsonNode g : m.path("group")) {
      index++;
      String gScoring = scoring;
      String gImprovement = improvement;
      for (JsonNode e : g.path("extension")) {
        String url = e.path("url").asText();
        if (url.endsWith("cqfm-scoring")) {
          gScoring = code(e.path("valueCodeableConcept"));
        } else if (url.endsWith("cqfm-improvementNotation")) {
          gImprovement = code(e.path("valueCodeableConcept"));
        }
      }
      Map<String, String> pops = new LinkedHashMap<>();
      Map<String, String> descriptions = new LinkedHashMap<>();
      for (JsonNode p : g.path("population")) {
        String pc = p.path("code").path("coding").path(0).path("code").asText();
        pops.put(pc, p.path("criteria").path("expression").asText());
        descriptions.put(pc, p.path("description").asText(""));
      }
      Map<String, String> strat = new LinkedHashMap<>();
      for (JsonNode s : g.path("stratifier")) {
        if (s.path("criteria").hasNonNull("expression")) {
          strat.put(s.path("id").asText(s.path("criteria").path("expression").asText()), s.path("criteria").path("expression").asText());
        }
      }
      groups.add(new MeasurePackage.Group(index, g.path("id").asText("group-" + index), pops, gScoring, gImprovement, strat, descriptions));
    }
    List<String> sde = new ArrayList<>();
    for (JsonNode s : m.path("supplementalData")) {
      sde.add(s.path("criteria").path("expression").asText());
    }
    String libUrl = m.path("library").path(0).asText();
    String library = libUrl.substring(libUrl.lastIndexOf('/') + 1);
    int bar = library.indexOf('|');
    if (bar >= 0) {
      library = library.substring(0, bar);
    }
    return new MeasurePackage.MeasureDefinition(m.path("name").asText(), cmsId, m.path("url").asText(),
        m.path("version").asText(), m.path("title").asText(), library, scoring, List.copyOf(groups), List.copyOf(sde));
  }

  /** Optional {@code improvement-notation.csv} of the package (measure,improvement_notation; # comments). */
  private static Map<String, String> improvementNotation(Path csv) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.exists(csv)) {
      return out;
    }
    for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#") || l.startsWith("measure,")) {
        continue;
      }
      String[] f = l.split(",");
      if (f.length < 2 || !(f[1].strip().equals("increase") || f[1].strip().equals("decrease"))) {
        throw new IllegalArgumentException("improvement-notation.csv: bad line '" + l + "' (measure,increase|decrease)");
      }
      out.put(f[0].strip(), f[1].strip());
    }
    return out;
  }

  private static MeasurePackage.MeasureDefinition withNotation(MeasurePackage.MeasureDefinition m, Map<String, String> notation) {
    String n = notation.get(m.name());
    if (n == null) {
      return m;
    }
    List<MeasurePackage.Group> groups = new ArrayList<>();
    for (MeasurePackage.Group g : m.groups()) {
      groups.add(new MeasurePackage.Group(g.index(), g.id(), g.populations(), g.scoring(), n, g.stratifiers(), g.descriptions()));
    }
    return new MeasurePackage.MeasureDefinition(m.name(), m.cmsId(), m.url(), m.version(), m.title(), m.library(), m.scoring(),
        List.copyOf(groups), m.supplementalExpressions());
  }

  private static String code(JsonNode concept) {
    JsonNode c = concept.path("coding").path(0).path("code");
    return c.isMissingNode() || c.isNull() ? null : c.asText();
  }

  /** Repairs the ELM tree in place (see class comment). */
  static void repair(JsonNode node) {
    if (node instanceof ObjectNode o) {
      if (o.has("choice") && o.path("type").isArray()) {
        o.set("type", TextNode.valueOf("ChoiceTypeSpecifier"));
      }
      var it = o.fields();
      List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
      it.forEachRemaining(entries::add);
      for (Map.Entry<String, JsonNode> e : entries) {
        JsonNode v = e.getValue();
        if (isToInterval(v)) {
          o.set(e.getKey(), guardNull((ObjectNode) v));
        }
        repair(o.get(e.getKey()));
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (isToInterval(a.get(i))) {
          a.set(i, guardNull((ObjectNode) a.get(i)));
        }
        repair(a.get(i));
      }
    }
  }

  private static boolean isToInterval(JsonNode n) {
    return n instanceof ObjectNode o && "FunctionRef".equals(o.path("type").asText())
        && "ToInterval".equals(o.path("name").asText()) && "FHIRHelpers".equals(o.path("libraryName").asText())
        && o.path("operand").size() == 1 && !o.has("guarded");
  }

  private static ObjectNode guardNull(ObjectNode call) {
    call.put("guarded", true);
    ObjectNode isNull = JSON.createObjectNode();
    isNull.put("type", "IsNull");
    isNull.set("operand", call.path("operand").get(0).deepCopy());
    ObjectNode nul = JSON.createObjectNode();
    nul.put("type", "Null");
    ObjectNode iff = JSON.createObjectNode();
    iff.put("type", "If");
    iff.set("condition", isNull);
    iff.set("then", nul);
    iff.set("else", call);
    return iff;
  }

  private static void collectRetrieveTypes(JsonNode node, Set<String> types, Set<String> unfiltered) {
    if (node instanceof ObjectNode o) {
      if ("Retrieve".equals(o.path("type").asText()) && o.has("dataType")) {
        String t = o.get("dataType").asText();
        String type = t.substring(t.indexOf('}') + 1);
        types.add(type);
        String template = o.path("templateId").asText("");
        boolean vitalProfile = template.endsWith("/StructureDefinition/bmi") || template.endsWith("/StructureDefinition/bp");
        if (!o.has("codes") && !vitalProfile) {
          unfiltered.add(type);
        }
      }
      o.elements().forEachRemaining(v -> collectRetrieveTypes(v, types, unfiltered));
    } else if (node instanceof ArrayNode a) {
      a.forEach(v -> collectRetrieveTypes(v, types, unfiltered));
    }
  }

  private static JsonNode read(Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      return JSON.readTree(in);
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("measure package folder lacks " + dir.getFileName() + "/: " + dir);
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
  }

  private static Path resolve(String location) {
    Path p = Path.of(location);
    if (Files.isDirectory(p.resolve("measure"))) {
      return p;
    }
    Path packaged = org.pophealth.io.ClasspathDirs.parentOrNull("measures/ecqm/" + location + "/measure");
    if (packaged == null) {
      throw new IllegalArgumentException("no measure package '" + location
          + "': neither a directory with measure/ nor measures/ecqm/" + location + " on the classpath");
    }
    return packaged;
  }
}
