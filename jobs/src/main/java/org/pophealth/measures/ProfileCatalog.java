package org.pophealth.measures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Resource;

/**
 * How a resource is recognised as an instance of a profile that measure logic retrieves by, read from the
 * catalogs under {@code measures/ecqm/profiles/} (one YAML file per implementation guide; criteria in its
 * README) and a package's own {@code profiles.yaml}. Rules are data: a new edition's profiles are a file,
 * and a profile no catalog describes is an error when its package loads ({@link #require}), never a
 * retrieve that silently matches every resource of the type.
 */
public final class ProfileCatalog implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String DO_NOT_PERFORM_EXT = "http://hl7.org/fhir/StructureDefinition/request-doNotPerform";
  private static final Set<String> KEYS =
      Set.of("url", "type", "status", "status_not", "do_not_perform", "code", "category", "category_not");

  /** One profile's criteria; null or empty lists are "no criterion". */
  public record Rule(String url, String type, Set<String> status, Set<String> statusNot, Boolean doNotPerform,
      Set<String> code, Set<String> category, Set<String> categoryNot, String source) implements Serializable {

    /** True when {@code r} (of the rule's type) meets every criterion. */
    public boolean matches(Resource r) {
      if (!type.equals(r.fhirType())) {
        return false;
      }
      if (!status.isEmpty() || !statusNot.isEmpty()) {
        String s = primitive(r, "status");
        if (!status.isEmpty() && (s == null || !status.contains(s))) {
          return false;
        }
        if (s != null && statusNot.contains(s)) {
          return false;
        }
      }
      if (doNotPerform != null && isDoNotPerform(r) != doNotPerform) {
        return false;
      }
      if (!code.isEmpty() && !anyCoding(r, "code", code)) {
        return false;
      }
      if (!category.isEmpty() && !anyCoding(r, "category", category)) {
        return false;
      }
      return categoryNot.isEmpty() || !anyCoding(r, "category", categoryNot);
    }
  }

  private final Map<String, Rule> rules;
  private final List<String> sources;

  private ProfileCatalog(Map<String, Rule> rules, List<String> sources) {
    this.rules = rules;
    this.sources = sources;
  }

  /**
   * The catalogs a package is written against, as its {@code profiles.yaml} names them ({@code catalogs:},
   * files of {@code measures/ecqm/profiles/}; one profile URL means different things in different editions
   * of an implementation guide), plus that file's own {@code profiles:}.
   */
  public static ProfileCatalog load(Path packageDir) {
    Path own = packageDir.resolve("profiles.yaml");
    if (!Files.isRegularFile(own)) {
      throw new IllegalArgumentException("measure package " + packageDir + " has no profiles.yaml naming the profile"
          + " catalogs its logic is written against (catalogs: [...] of " + shippedNames() + ")");
    }
    JsonNode root = readYaml(own);
    List<String> names = new ArrayList<>();
    root.path("catalogs").forEach(n -> names.add(n.asText()));
    if (names.isEmpty()) {
      throw new IllegalArgumentException(own + ": catalogs: names none of " + shippedNames());
    }
    return of(names, own);
  }

  /** The shipped catalogs of the given names (file names under {@code measures/ecqm/profiles/} without .yaml), and {@code extra} if not null. */
  public static ProfileCatalog of(List<String> names, Path extra) {
    Path dir = shippedDir();
    List<Path> files = new ArrayList<>();
    for (String n : names) {
      Path f = dir.resolve(n + ".yaml");
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException("no profile catalog " + n + " (there are " + shippedNames() + ")");
      }
      files.add(f);
    }
    if (extra != null) {
      files.add(extra);
    }
    return load(files);
  }

  private static Path shippedDir() {
    return org.pophealth.io.ClasspathDirs.parentOf("measures/ecqm/profiles/README.md");
  }

  private static List<String> shippedNames() {
    return catalogFiles(shippedDir()).stream().map(p -> p.getFileName().toString().replace(".yaml", "")).toList();
  }

  private static JsonNode readYaml(Path f) {
    try (InputStream in = Files.newInputStream(f)) {
      JsonNode n = YAML.readTree(in);
      return n == null ? YAML.createObjectNode() : n;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read profile catalog " + f, e);
    }
  }

  /** The rules of the given YAML files; a profile described twice, or an unknown key, is an error naming both. */
  public static ProfileCatalog load(List<Path> files) {
    Map<String, Rule> rules = new TreeMap<>();
    List<String> sources = new ArrayList<>();
    for (Path f : files) {
      String name = f.getFileName().toString();
      sources.add(name);
      JsonNode root = readYaml(f);
      if (!root.path("profiles").isArray()) {
        if (root.has("catalogs")) {
          continue; // a package's profiles.yaml that only names catalogs
        }
        throw new IllegalArgumentException("profile catalog " + name + " has no profiles: list");
      }
      int i = 0;
      for (JsonNode p : root.path("profiles")) {
        i++;
        for (Iterator<String> it = p.fieldNames(); it.hasNext();) {
          String k = it.next();
          if (!KEYS.contains(k)) {
            throw new IllegalArgumentException("profile catalog " + name + ", profile " + i + ": unknown key '" + k
                + "' (keys: " + new TreeSet<>(KEYS) + ")");
          }
        }
        String url = p.path("url").asText("");
        String type = p.path("type").asText("");
        if (url.isEmpty() || type.isEmpty()) {
          throw new IllegalArgumentException("profile catalog " + name + ", profile " + i + ": url and type are required");
        }
        Boolean dnp = p.has("do_not_perform") ? p.get("do_not_perform").asBoolean() : null;
        Rule r = new Rule(url, type, set(p, "status"), set(p, "status_not"), dnp, set(p, "code"), set(p, "category"),
            set(p, "category_not"), name);
        Rule before = rules.put(url, r);
        if (before != null) {
          throw new IllegalArgumentException("profile " + url + " is described twice: in " + before.source() + " and " + name);
        }
      }
    }
    return new ProfileCatalog(Map.copyOf(rules), List.copyOf(sources));
  }

  /** The rule of a profile, or null when no catalog describes it. */
  public Rule rule(String url) {
    return rules.get(url);
  }

  /**
   * The rule for a retrieve of {@code dataType} by profile {@code url}; an error naming the profile, the
   * library and the catalogs read when none describes it or it constrains another type.
   */
  public Rule require(String url, String dataType, String library) {
    Rule r = rules.get(url);
    if (r == null) {
      throw new IllegalArgumentException("library " + library + " retrieves " + dataType + " by profile " + url
          + ", which no profile catalog describes (read: " + String.join(", ", sources)
          + "); add it to measures/ecqm/profiles/ or to the package's profiles.yaml");
    }
    if (!r.type().equals(dataType)) {
      throw new IllegalArgumentException("library " + library + " retrieves " + dataType + " by profile " + url
          + ", which " + r.source() + " describes as a profile of " + r.type());
    }
    return r;
  }

  /** Every {@code system|code} some rule requires of {@code code}: these codes matter to the package. */
  public Set<String> requiredCodes() {
    Set<String> out = new TreeSet<>();
    rules.values().forEach(r -> out.addAll(r.code()));
    return out;
  }

  private static List<Path> catalogFiles(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list profile catalogs in " + dir, e);
    }
  }

  private static Set<String> set(JsonNode p, String key) {
    Set<String> out = new TreeSet<>();
    JsonNode v = p.path(key);
    if (v.isArray()) {
      v.forEach(x -> out.add(x.asText()));
    } else if (v.isValueNode()) {
      out.add(v.asText());
    }
    return Set.copyOf(out);
  }

  private static String primitive(Resource r, String name) {
    Property p = r.getNamedProperty(name);
    if (p == null || !p.hasValues()) {
      return null;
    }
    Base b = p.getValues().get(0);
    return b == null ? null : b.primitiveValue();
  }

  private static boolean isDoNotPerform(Resource r) {
    Property p = r.getNamedProperty("doNotPerform");
    if (p != null) {
      return p.hasValues() && p.getValues().get(0) instanceof BooleanType b && b.booleanValue();
    }
    if (r instanceof DomainResource d) {
      for (Extension e : d.getModifierExtension()) {
        if (DO_NOT_PERFORM_EXT.equals(e.getUrl()) && e.getValue() instanceof BooleanType b) {
          return b.booleanValue();
        }
      }
    }
    return false;
  }

  private static boolean anyCoding(Resource r, String element, Set<String> codes) {
    Property p = r.getNamedProperty(element);
    if (p == null) {
      return false;
    }
    for (Base b : p.getValues()) {
      if (b instanceof CodeableConcept cc) {
        for (Coding c : cc.getCoding()) {
          if (codes.contains(c.getSystem() + "|" + c.getCode())) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
