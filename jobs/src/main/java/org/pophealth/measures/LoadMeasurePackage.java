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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step: reads an eCQM package folder ({@code measure/}, {@code library/}, {@code valueset/}) into a
 * {@link MeasurePackage}. The folder is {@code measures/ecqm/<name>} on the classpath (packaged from the
 * repository's {@code measures/}) or a directory path. Loaded once per JVM and name.
 *
 * <p>ELM repairs (documented in ../shared/STACK.md): the 3.10 translator wrote ChoiceTypeSpecifier as
 * {@code "type":[]}, restored here; {@code FHIRHelpers.ToInterval(x)} has no overload the engine can pick
 * for a null argument, so each call is guarded ({@code if x is null then null else ToInterval(x)}); a
 * {@code Split} of a FHIR reference element splits its value (see {@code splitPrimitive}).
 */
public final class LoadMeasurePackage {
  private static final Logger LOG = LoggerFactory.getLogger(LoadMeasurePackage.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, MeasurePackage> CACHE = new ConcurrentHashMap<>();
  private static final String NOTATION = "improvement-notation.csv";

  private final String location;

  /** @param location package name under {@code measures/ecqm/} on the classpath, or a directory */
  public LoadMeasurePackage(String location) {
    this.location = location;
  }

  /** The package, loaded once per JVM. */
  public static MeasurePackage cached(String location) {
    return CACHE.computeIfAbsent(location, l -> new LoadMeasurePackage(l).execute());
  }

  private static final Map<String, String> FINGERPRINTS = new ConcurrentHashMap<>();

  /**
   * SHA-256 (hex) over every file of the package (relative path and bytes, in path order), once per JVM: a
   * new edition, value set or measure file gives another fingerprint, so results evaluated under the old
   * package are never reused under the new one.
   */
  public static String fingerprint(String location) {
    return FINGERPRINTS.computeIfAbsent(location, l -> {
      Path dir = resolve(l);
      try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        for (Path f : files.filter(Files::isRegularFile).sorted(java.util.Comparator.comparing(x -> dir.relativize(x).toString())).toList()) {
          sha.update(dir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
          sha.update((byte) 0);
          sha.update(Files.readAllBytes(f));
          sha.update((byte) 0);
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
      } catch (IOException | java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException("cannot read measure package " + l + ": " + e.getMessage(), e);
      }
    });
  }

  /**
   * Whether any library of the package asks for the evaluation time ({@code Now()}, {@code Today()},
   * {@code TimeOfDay()}): its results may then change from one day to the next on the same evidence.
   */
  public static boolean usesEvaluationTime(MeasurePackage pkg) {
    java.util.regex.Pattern p = java.util.regex.Pattern.compile("\"type\"\\s*:\\s*\"(Now|Today|TimeOfDay)\"");
    return pkg.elmByLibrary().values().stream().anyMatch(elm -> p.matcher(elm).find());
  }

  public MeasurePackage execute() {
    Path dir = resolve(location);
    try {
      Map<String, String> elm = new TreeMap<>();
      Map<String, String> versions = new TreeMap<>();
      String namespace = null;
      Set<String> types = new TreeSet<>();
      Set<String> unfiltered = new TreeSet<>();
      ProfileCatalog profiles = ProfileCatalog.load(dir);
      // codes a profile requires (BMI, blood pressure, ...) matter as much as the value sets' codes
      Set<String> relevant = new HashSet<>();
      profiles.requiredCodes().forEach(sc -> relevant.add(sc.substring(sc.indexOf('|') + 1)));
      // codes that reach a retrieve's code filter: "library|name" of CodeRefs and ValueSetRefs
      Set<String> retrieveRefs = new HashSet<>();
      Map<String, String> codeDefs = new HashMap<>();
      Map<String, String> valueSetDefs = new HashMap<>();
      Map<String, Set<String>> includes = new HashMap<>();
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
        String libId = id.path("id").asText();
        Map<String, String> aliases = new HashMap<>();
        for (JsonNode inc : tree.path("library").path("includes").path("def")) {
          aliases.put(inc.path("localIdentifier").asText(), inc.path("path").asText());
          // path is the library id, or in a namespaced package its URL ending in the id
          String path = inc.path("path").asText();
          includes.computeIfAbsent(libId, k -> new TreeSet<>()).add(path.substring(path.lastIndexOf('/') + 1));
        }
        collectRetrieveTypes(tree, types, unfiltered, libId, aliases, retrieveRefs, profiles);
        for (JsonNode c : tree.path("library").path("codes").path("def")) {
          codeDefs.put(libId + "|" + c.path("name").asText(), c.path("id").asText());
        }
        for (JsonNode v : tree.path("library").path("valueSets").path("def")) {
          valueSetDefs.put(libId + "|" + v.path("name").asText(), v.path("id").asText());
        }
      }
      Map<String, Set<String>> valueSets = new TreeMap<>();
      Map<String, String> partial = new TreeMap<>();
      for (Path f : list(dir.resolve("valueset"))) {
        JsonNode vs = read(f);
        Set<String> codes = new HashSet<>();
        for (JsonNode c : vs.path("expansion").path("contains")) {
          codes.add(c.path("system").asText() + "|" + c.path("code").asText());
          relevant.add(c.path("code").asText());
        }
        valueSets.put(vs.path("url").asText(), codes);
        // a paged expansion (expansion.total above what it contains): codes past the page are unknown here
        int total = vs.path("expansion").path("total").asInt(0);
        if (total > codes.size()) {
          partial.put(vs.path("url").asText(), String.format("%s (%,d of %,d codes)",
              vs.path("name").asText(vs.path("url").asText()), codes.size(), total));
        }
      }
      Map<String, List<String>> partialByLibrary = partialByLibrary(valueSetDefs, includes, partial);
      if (!partial.isEmpty()) {
        LOG.warn("measure package {}: {} value sets have a partial (paged) expansion and no component value sets to"
            + " complete it; codes beyond the shipped page are not recognised: {}", location, partial.size(),
            partial.values());
      }
      for (String ref : retrieveRefs) {
        if (codeDefs.containsKey(ref)) {
          relevant.add(codeDefs.get(ref));
        } else if (valueSetDefs.containsKey(ref)) {
          for (String sc : valueSets.getOrDefault(valueSetDefs.get(ref), Set.of())) {
            relevant.add(sc.substring(sc.indexOf('|') + 1));
          }
        }
      }
      Map<String, String> notation = improvementNotation(csvFolder(location));
      List<MeasurePackage.MeasureDefinition> measures = new ArrayList<>();
      Map<String, List<String>> partialByMeasure = new TreeMap<>();
      for (Path f : list(dir.resolve("measure"))) {
        MeasurePackage.MeasureDefinition m = withNotation(measure(read(f)), notation);
        measures.add(m);
        List<String> p = partialByLibrary.getOrDefault(m.library(), List.of());
        if (!p.isEmpty()) {
          partialByMeasure.put(m.name(), p);
        }
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
          namespace, valueSets, types, filtered, relevant, profiles, partialByMeasure);
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
      Map<String, String> codeById = new LinkedHashMap<>();
      List<JsonNode> observed = new ArrayList<>();
      for (JsonNode p : g.path("population")) {
        String pc = p.path("code").path("coding").path(0).path("code").asText();
        if (pc.equals("measure-observation")) {
          observed.add(p);
          continue;
        }
        pops.put(pc, p.path("criteria").path("expression").asText());
        descriptions.put(pc, p.path("description").asText(""));
        codeById.put(p.path("id").asText(pc), pc);
      }
      List<MeasurePackage.Observation> observations = new ArrayList<>();
      for (JsonNode p : observed) {
        observations.add(observation(m.path("name").asText(), index, p, codeById, gScoring, observations.size()));
      }
      Map<String, String> strat = new LinkedHashMap<>();
      for (JsonNode s : g.path("stratifier")) {
        if (s.path("criteria").hasNonNull("expression")) {
          strat.put(s.path("id").asText(s.path("criteria").path("expression").asText()), s.path("criteria").path("expression").asText());
        }
      }
      groups.add(new MeasurePackage.Group(index, g.path("id").asText("group-" + index), pops, gScoring, gImprovement, strat,
          descriptions, List.copyOf(observations)));
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

  /**
   * Per library, the partial value sets it uses itself or through its includes (descriptions, sorted).
   * {@code valueSetDefs} is "library|name" → url.
   */
  private static Map<String, List<String>> partialByLibrary(Map<String, String> valueSetDefs,
      Map<String, Set<String>> includes, Map<String, String> partial) {
    Map<String, Set<String>> own = new HashMap<>();
    valueSetDefs.forEach((key, url) -> {
      if (partial.containsKey(url)) {
        own.computeIfAbsent(key.substring(0, key.indexOf('|')), k -> new TreeSet<>()).add(partial.get(url));
      }
    });
    Set<String> libraries = new TreeSet<>(includes.keySet());
    valueSetDefs.keySet().forEach(k -> libraries.add(k.substring(0, k.indexOf('|'))));
    Map<String, List<String>> out = new TreeMap<>();
    for (String lib : libraries) {
      Set<String> seen = new HashSet<>();
      Set<String> found = new TreeSet<>();
      java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(lib));
      while (!todo.isEmpty()) {
        String l = todo.pop();
        if (seen.add(l)) {
          found.addAll(own.getOrDefault(l, Set.of()));
          todo.addAll(includes.getOrDefault(l, Set.of()));
        }
      }
      if (!found.isEmpty()) {
        out.put(lib, List.copyOf(found));
      }
    }
    return out;
  }

  /** Optional {@code improvement-notation.csv} of the package (measure,improvement_notation; # comments). */
  private static Map<String, String> improvementNotation(ReferenceData folder) {
    Map<String, String> out = new TreeMap<>();
    if (!folder.exists(NOTATION)) {
      return out;
    }
    for (ReferenceRow r : folder.table(NOTATION).rows()) {
      String n = r.text("improvement_notation");
      if (!n.equals("increase") && !n.equals("decrease")) {
        throw r.error("improvement_notation must be increase or decrease: " + n);
      }
      out.put(r.text("measure"), n);
    }
    return out;
  }

  /**
   * The package's CSV files through the loader (typed by {@code measures/ecqm/columns.yaml}): a directory
   * location as a whole, else the packaged folder {@code measures/ecqm/<name>/}.
   */
  private static ReferenceData csvFolder(String location) {
    return isDirectory(location) ? ReferenceData.packaged("ecqm").replacedBy(location, "measure package")
        : ReferenceData.packaged("ecqm/" + location);
  }

  private static MeasurePackage.MeasureDefinition withNotation(MeasurePackage.MeasureDefinition m, Map<String, String> notation) {
    String n = notation.get(m.name());
    if (n == null) {
      return m;
    }
    List<MeasurePackage.Group> groups = new ArrayList<>();
    for (MeasurePackage.Group g : m.groups()) {
      groups.add(g.withImprovementNotation(n));
    }
    return new MeasurePackage.MeasureDefinition(m.name(), m.cmsId(), m.url(), m.version(), m.title(), m.library(), m.scoring(),
        List.copyOf(groups), m.supplementalExpressions());
  }

  /**
   * A {@code measure-observation} population: its function, aggregate method and the population it observes
   * (cqfm-criteriaReference, a population id of the group; without one, the measure population of a
   * continuous-variable group, else the denominator then the numerator of a ratio group, in order).
   */
  private static MeasurePackage.Observation observation(String measure, int group, JsonNode p,
      Map<String, String> codeById, String scoring, int position) {
    String aggregate = null;
    String reference = null;
    for (JsonNode e : p.path("extension")) {
      String url = e.path("url").asText();
      if (url.endsWith("cqfm-aggregateMethod")) {
        aggregate = e.path("valueCode").asText(e.path("valueString").asText()); // packages use either
      } else if (url.endsWith("cqfm-criteriaReference")) {
        reference = e.path("valueString").asText();
      }
    }
    String population;
    if (reference != null) {
      population = codeById.get(reference);
      if (population == null) {
        throw new IllegalArgumentException("measure " + measure + " group " + group + ": observation "
            + p.path("id").asText() + " refers to population " + reference + ", which the group does not define");
      }
    } else {
      population = "continuous-variable".equals(scoring) ? "measure-population" : position == 0 ? "denominator" : "numerator";
    }
    String function = p.path("criteria").path("expression").asText();
    if (function.isEmpty()) {
      throw new IllegalArgumentException("measure " + measure + " group " + group + ": observation "
          + p.path("id").asText() + " names no CQL function");
    }
    if (aggregate == null) {
      aggregate = "continuous-variable".equals(scoring) ? "Average" : "Sum";
    }
    if (!AGGREGATES.contains(aggregate)) {
      throw new IllegalArgumentException("measure " + measure + " group " + group + ": unknown aggregate method "
          + aggregate + " (known: " + AGGREGATES + ")");
    }
    return new MeasurePackage.Observation(p.path("id").asText("observation-" + (position + 1)), function, aggregate,
        population);
  }

  /** The cqfm-aggregateMethod codes. */
  static final Set<String> AGGREGATES = Set.of("Sum", "Count", "Average", "Median", "Minimum", "Maximum");

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
      narrowByReference(o);
      lookupById(o);
      splitPrimitive(o);
      scopeRelationship(o);
      var it = o.fields();
      List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
      it.forEachRemaining(entries::add);
      for (Map.Entry<String, JsonNode> e : entries) {
        JsonNode v = e.getValue();
        if (isToInterval(v)) {
          o.set(e.getKey(), guardNull((ObjectNode) v));
        } else if (isOpenInAtPrecision(v)) {
          o.set(e.getKey(), exclusiveIn((ObjectNode) v));
        }
        repair(o.get(e.getKey()));
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (isToInterval(a.get(i))) {
          a.set(i, guardNull((ObjectNode) a.get(i)));
        } else if (isOpenInAtPrecision(a.get(i))) {
          a.set(i, exclusiveIn((ObjectNode) a.get(i)));
        }
        repair(a.get(i));
      }
    }
  }

  /**
   * {@code point in <precision> of Interval(low, high]} (or {@code [low, high)}) with an interval selector: what
   * timing phrases such as {@code starts 6 months or less after day of start of X} translate to.
   */
  private static boolean isOpenInAtPrecision(JsonNode n) {
    if (!(n instanceof ObjectNode o) || !"In".equals(o.path("type").asText()) || !o.hasNonNull("precision")
        || o.path("operand").size() != 2) {
      return false;
    }
    JsonNode interval = o.path("operand").get(1);
    return "Interval".equals(interval.path("type").asText()) && !interval.has("lowClosedExpression")
        && !interval.has("highClosedExpression")
        && (!interval.path("lowClosed").asBoolean(true) || !interval.path("highClosed").asBoolean(true));
  }

  /**
   * CQL's In compares an open boundary exclusively at the operator's precision (spec, Appendix B, In): a BCG
   * instillation the same day as the staging is not "6 months or less after day of" it. The engine (4.4.0)
   * replaces an open boundary by its successor at the value's own precision (one millisecond) before comparing
   * at day precision, which makes the boundary closed. The In becomes the comparisons the specification states:
   * {@code (low is null or point after <precision> of low) and point same or before <precision> of high} (mirrored
   * for an open high; a closed boundary keeps same-or-after / same-or-before, an open null one is unbounded). A
   * null point still gives null.
   */
  private static ObjectNode exclusiveIn(ObjectNode in) {
    JsonNode point = in.path("operand").get(0);
    JsonNode interval = in.path("operand").get(1);
    String precision = in.path("precision").asText();
    ObjectNode low = boundary(point, interval.path("low"), interval.path("lowClosed").asBoolean(true), "SameOrAfter",
        "After", precision);
    ObjectNode high = boundary(point, interval.path("high"), interval.path("highClosed").asBoolean(true),
        "SameOrBefore", "Before", precision);
    ObjectNode and = JSON.createObjectNode();
    and.put("type", "And");
    and.putArray("operand").add(low).add(high);
    return and;
  }

  private static ObjectNode boundary(JsonNode point, JsonNode bound, boolean closed, String closedOp, String openOp,
      String precision) {
    ObjectNode cmp = JSON.createObjectNode();
    cmp.put("type", closed ? closedOp : openOp);
    cmp.put("precision", precision);
    cmp.putArray("operand").add(point.deepCopy()).add(bound.deepCopy());
    if (closed) {
      return cmp;
    }
    ObjectNode isNull = JSON.createObjectNode();
    isNull.put("type", "IsNull");
    isNull.set("operand", bound.deepCopy());
    ObjectNode or = JSON.createObjectNode();
    or.put("type", "Or");
    or.putArray("operand").add(isNull).add(cmp);
    return or;
  }

  /**
   * Query optimisation, semantics unchanged: {@code [T] E where E.id = X} (X not mentioning E), the
   * package's dereferencing idiom (getEncounter, getCondition, ...), would scan every T of the person
   * once per reference. The retrieve gets {@code codeProperty "id"} and {@code codes [Code{code: X}]},
   * which {@link PersonRetrieveProvider} answers from an id index; the where clause stays, so the result
   * is the same whatever the provider returns.
   */
  private static void lookupById(ObjectNode q) {
    String type = q.path("type").asText();
    if (type.equals("With") || type.equals("Without")) {
      // with [Medication] M such that M.id = <the request's reference> and ...: the same idiom in a relationship,
      // whose retrieve the engine runs once per row of the query
      JsonNode cond = q.path("suchThat");
      List<JsonNode> equals = new ArrayList<>();
      if ("Equal".equals(cond.path("type").asText())) {
        equals.add(cond);
      } else if ("And".equals(cond.path("type").asText())) {
        cond.path("operand").forEach(x -> {
          if ("Equal".equals(x.path("type").asText())) {
            equals.add(x);
          }
        });
      }
      for (JsonNode eq : equals) {
        if (idLookup(q.path("expression"), q.path("alias").asText(), eq)) {
          return;
        }
      }
      return;
    }
    if (!"Query".equals(type) || q.path("source").size() != 1
        || !"Equal".equals(q.path("where").path("type").asText())) {
      return;
    }
    JsonNode src = q.path("source").get(0);
    idLookup(src.path("expression"), src.path("alias").asText(), q.path("where"));
  }

  /**
   * Query optimisation, semantics unchanged: the expansion of a value-set retrieve by a referenced resource,
   * {@code [MedicationRequest] MR with [Medication] M such that M.id = Last(Split(MR.medication.reference, '/'))
   * and M.code in "<value set>"} (or {@code M.code ~ "<code>"}), runs its relationship once for every request of the person, although only a
   * request whose referenced Medication is coded in the value set can qualify. The source retrieve gets
   * {@code codeProperty "medication.resolve().code"} and the value set (or the code), which {@link PersonRetrieveProvider}
   * answers with the requests whose referenced resource (by the reference's last segment) has such a code: a
   * superset of the query's result, which the relationship, kept as it is, still decides. Only {@code with}:
   * {@code without} keeps the rows that fail the relationship, so narrowing its source would lose rows.
   */
  private static void narrowByReference(ObjectNode q) {
    if (!"Query".equals(q.path("type").asText()) || q.path("source").size() != 1) {
      return;
    }
    JsonNode source = q.path("source").get(0);
    JsonNode retrieve = source.path("expression");
    String alias = source.path("alias").asText();
    if (!"Retrieve".equals(retrieve.path("type").asText()) || retrieve.has("codes") || alias.isEmpty()) {
      return;
    }
    for (JsonNode rel : q.path("relationship")) {
      if (!"With".equals(rel.path("type").asText()) || !"Retrieve".equals(rel.path("expression").path("type").asText())
          || !"And".equals(rel.path("suchThat").path("type").asText())) {
        continue;
      }
      String related = rel.path("alias").asText();
      String referencePath = null;
      String codePath = null;
      ObjectNode codes = null;
      for (JsonNode c : rel.path("suchThat").path("operand")) {
        String path = referenceSplit(c, related, alias);
        if (path != null) {
          referencePath = path;
        }
        // M.code in "<value set>"
        if ("InValueSet".equals(c.path("type").asText()) && c.path("valueset").has("name")
            && relatedProperty(c.path("code"), related) != null) {
          codePath = relatedProperty(c.path("code"), related);
          codes = JSON.createObjectNode();
          codes.put("type", "ValueSetRef");
          codes.put("name", c.path("valueset").path("name").asText());
          if (c.path("valueset").has("libraryName")) {
            codes.put("libraryName", c.path("valueset").path("libraryName").asText());
          }
          codes.put("preserve", true);
        }
        // M.code ~ "<code>": the retrieve's codes are that one code
        if ("Equivalent".equals(c.path("type").asText()) && c.path("operand").size() == 2
            && relatedProperty(c.path("operand").get(0), related) != null
            && "ToConcept".equals(c.path("operand").get(1).path("type").asText())
            && "CodeRef".equals(c.path("operand").get(1).path("operand").path("type").asText())) {
          codePath = relatedProperty(c.path("operand").get(0), related);
          codes = JSON.createObjectNode();
          codes.put("type", "ToList");
          codes.set("operand", c.path("operand").get(1).path("operand").deepCopy());
        }
      }
      if (referencePath != null && codePath != null) {
        ((ObjectNode) retrieve).put("codeProperty", referencePath + ".resolve()." + codePath);
        ((ObjectNode) retrieve).set("codes", codes);
        return;
      }
    }
  }

  /** The path of {@code related}'s property {@code p} (scoped to it or unscoped, optionally converted by ToConcept). */
  private static String relatedProperty(JsonNode p, String related) {
    if ("FunctionRef".equals(p.path("type").asText()) && "ToConcept".equals(p.path("name").asText())
        && p.path("operand").size() == 1) {
      p = p.path("operand").get(0);
    }
    boolean ok = "Property".equals(p.path("type").asText()) && !p.has("source")
        && (!p.has("scope") || related.equals(p.path("scope").asText()));
    return ok ? p.path("path").asText() : null;
  }

  /**
   * For {@code related.id = Last(Split(alias.<element>.reference, '/'))} (either side, {@code id} or
   * {@code id.value}, {@code reference} or {@code reference.value}), the referencing element ({@code medication}).
   */
  private static String referenceSplit(JsonNode equal, String related, String alias) {
    if (!"Equal".equals(equal.path("type").asText()) || equal.path("operand").size() != 2) {
      return null;
    }
    for (int i = 0; i < 2; i++) {
      JsonNode id = equal.path("operand").get(i);
      JsonNode last = equal.path("operand").get(1 - i);
      boolean isId = "Property".equals(id.path("type").asText()) && related.equals(id.path("scope").asText())
          && id.path("path").asText().matches("id(\\.value)?");
      JsonNode split = last.path("source");
      JsonNode element = split.path("stringToSplit");
      if (isId && "Last".equals(last.path("type").asText()) && "Split".equals(split.path("type").asText())
          && "/".equals(split.path("separator").path("value").asText())
          && "Property".equals(element.path("type").asText()) && alias.equals(element.path("scope").asText())) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([a-zA-Z]+)\\.reference(\\.value)?")
            .matcher(element.path("path").asText());
        if (m.matches()) {
          return m.group(1);
        }
      }
    }
    return null;
  }

  /** Turns {@code retrieve} into an id lookup when {@code equal} compares the alias's id with an expression free of it. */
  private static boolean idLookup(JsonNode retrieve, String alias, JsonNode equal) {
    if (!"Retrieve".equals(retrieve.path("type").asText()) || retrieve.has("codes") || alias.isEmpty()
        || equal.path("operand").size() != 2) {
      return false;
    }
    JsonNode[] sides = {equal.path("operand").get(0), equal.path("operand").get(1)};
    for (int i = 0; i < 2; i++) {
      JsonNode idSide = sides[i];
      JsonNode other = sides[1 - i];
      boolean isId = "Property".equals(idSide.path("type").asText()) && (("value".equals(idSide.path("path").asText())
          && "Property".equals(idSide.path("source").path("type").asText())
          && "id".equals(idSide.path("source").path("path").asText())
          && alias.equals(idSide.path("source").path("scope").asText()))
          || (idSide.path("path").asText().matches("id(\\.value)?") && alias.equals(idSide.path("scope").asText())));
      if (isId && other != null && !mentions(other, alias)) {
        ObjectNode code = JSON.createObjectNode();
        code.put("type", "Instance");
        code.put("classType", "{urn:hl7-org:elm-types:r1}Code");
        ObjectNode element = code.putArray("element").addObject();
        element.put("name", "code");
        element.set("value", other.deepCopy());
        ObjectNode list = JSON.createObjectNode();
        list.put("type", "ToList");
        list.set("operand", code);
        ((ObjectNode) retrieve).put("codeProperty", "id");
        ((ObjectNode) retrieve).set("codes", list);
        return true;
      }
    }
    return false;
  }

  /**
   * {@code Split(MR.medication.reference, '/')} as the 2024 package writes it (CMS156, CMS347, CMS138, CMS69,
   * CMS2: the Medication a request references) splits a FHIR element the translator left unconverted: the
   * engine gets a FHIR string and fails ("Expected Split(String, String), Found Split(StringType, String)")
   * the moment the person's referenced Medication is there to compare with. The element's value is what the
   * logic means: a property path is extended by {@code .value}, which the engine resolves to the Java string;
   * so is the {@code M.id} it is compared with ({@code [Medication] M such that M.id = Last(Split(...))}),
   * else the comparison of a FHIR id with a string never holds and no referenced Medication counts.
   */
  private static void splitPrimitive(ObjectNode o) {
    if ("Equal".equals(o.path("type").asText()) && o.path("operand").size() == 2) {
      // ... and compares it with the Medication's id, itself a FHIR element: compared by value too
      for (int i = 0; i < 2; i++) {
        JsonNode id = o.path("operand").get(i);
        JsonNode other = o.path("operand").get(1 - i);
        if ("Property".equals(id.path("type").asText()) && "id".equals(id.path("path").asText())
            && id.has("scope") && "Last".equals(other.path("type").asText())
            && "Split".equals(other.path("source").path("type").asText())) {
          ((ObjectNode) id).put("path", "id.value");
        }
      }
      return;
    }
    if (!"Split".equals(o.path("type").asText())) {
      return;
    }
    JsonNode s = o.path("stringToSplit");
    if ("Property".equals(s.path("type").asText()) && s.path("path").asText().endsWith(".reference")) {
      ((ObjectNode) s).put("path", s.path("path").asText() + ".value");
    }
  }

  /**
   * The same expansion of a value-set retrieve by a referenced Medication writes {@code with [Medication] M
   * such that ... and code in "<value set>"} with the {@code code} property unscoped (no source, no scope), which
   * the engine cannot resolve: the property is the related resource's, so it gets the relationship's alias,
   * and, tested against a value set, FHIRHelpers' conversion to a Concept.
   */
  private static void scopeRelationship(ObjectNode o) {
    String type = o.path("type").asText();
    if ((type.equals("With") || type.equals("Without")) && o.has("alias") && o.has("suchThat")) {
      scopeUnscoped(o.get("suchThat"), o.path("alias").asText());
    }
  }

  private static void scopeUnscoped(JsonNode n, String alias) {
    if (n instanceof ObjectNode o) {
      JsonNode code = o.path("code");
      if ("InValueSet".equals(o.path("type").asText()) && "Property".equals(code.path("type").asText())
          && !code.has("scope") && !code.has("source")) {
        // the FHIR CodeableConcept converted as everywhere else in the logic
        ObjectNode toConcept = JSON.createObjectNode();
        toConcept.put("type", "FunctionRef").put("name", "ToConcept").put("libraryName", "FHIRHelpers");
        toConcept.putArray("operand").add(code.deepCopy());
        o.set("code", toConcept);
      }
      if ("Property".equals(o.path("type").asText()) && !o.has("scope") && !o.has("source")) {
        o.put("scope", alias);
      }
      o.elements().forEachRemaining(c -> scopeUnscoped(c, alias));
    } else if (n instanceof ArrayNode a) {
      a.forEach(c -> scopeUnscoped(c, alias));
    }
  }

  private static boolean mentions(JsonNode n, String alias) {
    if (n instanceof ObjectNode o) {
      if (alias.equals(o.path("scope").asText(null)) || ("AliasRef".equals(o.path("type").asText())
          && alias.equals(o.path("name").asText()))) {
        return true;
      }
      for (var it = o.elements(); it.hasNext();) {
        if (mentions(it.next(), alias)) {
          return true;
        }
      }
    } else if (n instanceof ArrayNode a) {
      for (JsonNode v : a) {
        if (mentions(v, alias)) {
          return true;
        }
      }
    }
    return false;
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

  /**
   * Retrieve data types; types with a retrieve without a resolvable code filter go to {@code unfiltered};
   * the CodeRefs and ValueSetRefs of code filters go to {@code refs} as "library id|name".
   */
  private static void collectRetrieveTypes(JsonNode node, Set<String> types, Set<String> unfiltered, String libId,
      Map<String, String> aliases, Set<String> refs, ProfileCatalog profiles) {
    if (node instanceof ObjectNode o) {
      if ("Retrieve".equals(o.path("type").asText()) && o.has("dataType")) {
        String t = o.get("dataType").asText();
        String type = t.substring(t.indexOf('}') + 1);
        types.add(type);
        String template = o.path("templateId").asText("");
        // every profile retrieved by must be described (an unknown one fails the load, naming it)
        ProfileCatalog.Rule rule = template.isEmpty() ? null : profiles.require(template, type, libId);
        boolean byProfileCode = rule != null && !rule.code().isEmpty();
        if (!byProfileCode && (!o.has("codes") || !codeRefs(o.get("codes"), libId, aliases, refs))) {
          unfiltered.add(type);
        }
      }
      o.elements().forEachRemaining(v -> collectRetrieveTypes(v, types, unfiltered, libId, aliases, refs, profiles));
    } else if (node instanceof ArrayNode a) {
      a.forEach(v -> collectRetrieveTypes(v, types, unfiltered, libId, aliases, refs, profiles));
    }
  }

  /** Adds the code and value set references of a code filter; false when it uses anything else (a computed filter). */
  private static boolean codeRefs(JsonNode node, String libId, Map<String, String> aliases, Set<String> refs) {
    if (node instanceof ObjectNode o) {
      String type = o.path("type").asText();
      if (type.equals("CodeRef") || type.equals("ValueSetRef")) {
        String lib = o.has("libraryName") ? aliases.getOrDefault(o.get("libraryName").asText(), "?") : libId;
        refs.add(lib + "|" + o.path("name").asText());
        return true;
      }
      if (type.endsWith("ExpressionRef") || type.equals("ParameterRef") || type.equals("OperandRef")
          || type.equals("FunctionRef") || type.equals("AliasRef") || type.equals("QueryLetRef")) {
        return false;
      }
      boolean ok = true;
      for (var it = o.elements(); it.hasNext();) {
        ok &= codeRefs(it.next(), libId, aliases, refs);
      }
      return ok;
    } else if (node instanceof ArrayNode a) {
      boolean ok = true;
      for (JsonNode v : a) {
        ok &= codeRefs(v, libId, aliases, refs);
      }
      return ok;
    }
    return true;
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

  /** True when the location is a package directory (with measure/), not a packaged name. */
  private static boolean isDirectory(String location) {
    return Files.isDirectory(Path.of(location).resolve("measure"));
  }

  private static Path resolve(String location) {
    if (isDirectory(location)) {
      return Path.of(location);
    }
    Path packaged = org.pophealth.io.ClasspathDirs.parentOrNull("measures/ecqm/" + location + "/measure");
    if (packaged == null) {
      throw new IllegalArgumentException("no measure package '" + location
          + "': neither a directory with measure/ nor measures/ecqm/" + location + " on the classpath");
    }
    return packaged;
  }
}
