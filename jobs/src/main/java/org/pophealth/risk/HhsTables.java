package org.pophealth.risk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;

/**
 * The HHS-HCC tables and model structure of one benefit year, loaded from {@code measures/risk/hhs-hcc/}
 * ({@code benefit_years.yaml}, the model YAML and the CSV tables it names) through {@link ReferenceData}; one copy
 * per JVM and year. HCCs are named as in the coefficient table ({@code HHS_HCC035_1} = HCC 35.1), RXCs as
 * {@code RXC_06}. No coefficient or rule is in Java.
 */
public final class HhsTables {
  private static final ReferenceData FOLDER = ReferenceData.packaged("risk/hhs-hcc");
  private static final Map<Integer, HhsTables> CACHE = new ConcurrentHashMap<>();
  /** A demographic cell of the adult and child models: {@code FAGE_LAST_21_24}, {@code MAGE_LAST_60_GT}. */
  private static final Pattern CELL = Pattern.compile("([FM])AGE_LAST_(\\d+)_(\\d+|GT)");

  /** Metal levels, in the order of the coefficient table's columns. */
  public enum Metal {
    PLATINUM, GOLD, SILVER, BRONZE, CATASTROPHIC;

    /** {@code platinum} ... {@code catastrophic} or their initial P, G, S, B, C (any case). */
    public static Metal parse(String s) {
      String v = s.trim().toUpperCase(Locale.ROOT);
      for (Metal m : values()) {
        if (m.name().equals(v) || (v.length() == 1 && m.name().charAt(0) == v.charAt(0))) {
          return m;
        }
      }
      throw new IllegalArgumentException("metal_level must be platinum, gold, silver, bronze or catastrophic");
    }

    /** {@code Silver}. */
    public String label() {
      return name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
    }
  }

  /** An age/sex split of {@code hhs_dx_edits}: when it applies (AGE_LAST, sex), the code gives no CC or only {@code cc}. */
  record Edit(Character sex, Integer ageMin, Integer ageMax, boolean invalid, String cc) {
    boolean applies(char memberSex, int age) {
      return (sex == null || sex == memberSex) && (ageMin == null || age >= ageMin) && (ageMax == null || age <= ageMax);
    }
  }

  /** One demographic cell: ages lo..hi inclusive. */
  record Cell(char sex, int lo, int hi, String variable) {}

  /**
   * One of the Adult, Child and Infant models: its ages, the HCCs it sets to 0, its groups, its coefficients by
   * variable (one value per {@link Metal}) and, where the model has them, the adult and infant parts.
   */
  static final class Model {
    final String name;
    final int minAge;
    final int maxAge;
    final Set<String> zero;
    final Map<String, List<String>> groups;
    final Map<String, double[]> coefficients = new HashMap<>();
    final List<Cell> cells = new ArrayList<>();
    List<String> severeIllness = List.of();
    Map<String, List<String>> severeInteractions = Map.of();
    String enrollmentDuration;
    Map<String, List<String>> rxcHierarchy = Map.of();
    Map<String, List<List<String>>> rxcInteractions = Map.of();
    /** Infant: severity level → HCCs, highest level first. */
    Map<Integer, List<String>> severity = Map.of();
    /** Infant: maturity → birth HCCs, in order of precedence. */
    Map<String, List<String>> maturity = Map.of();

    Model(String name, int minAge, int maxAge, Set<String> zero, Map<String, List<String>> groups) {
      this.name = name;
      this.minAge = minAge;
      this.maxAge = maxAge;
      this.zero = zero;
      this.groups = groups;
    }

    /** The relative factor of {@code variable} at {@code metal}, null when the model has none. */
    Double coefficient(String variable, Metal metal) {
      double[] c = coefficients.get(variable);
      return c == null ? null : c[metal.ordinal()];
    }

    /** The demographic cell holding {@code age} for {@code sex}, null when none does (infants). */
    String cell(char sex, int age) {
      for (Cell c : cells) {
        if (c.sex() == sex && age >= c.lo() && age <= c.hi()) {
          return c.variable();
        }
      }
      return null;
    }
  }

  final int benefitYear;
  final String version;
  /** ICD-10-CM code → its HCCs (primary, then duplicate and tertiary assignments). */
  final Map<String, List<String>> dxToCc;
  final Map<String, List<Edit>> edits;
  /** HCC → the HCCs it drops when both are present. */
  final Map<String, List<String>> children;
  /** Models in the order of the YAML (Adult, Child, Infant). */
  final List<Model> models;
  final Map<String, String> labels;
  /** HCPCS → RXC number. */
  final Map<String, Integer> rxcHcpcs;
  /** {@code <csr_indicator>|<metal initial>} → CSR adjustment factor. */
  final Map<String, Double> csrFactors;

  private HhsTables(int benefitYear, String version, Map<String, List<String>> dxToCc, Map<String, List<Edit>> edits,
      Map<String, List<String>> children, List<Model> models, Map<String, String> labels,
      Map<String, Integer> rxcHcpcs, Map<String, Double> csrFactors) {
    this.benefitYear = benefitYear;
    this.version = version;
    this.dxToCc = dxToCc;
    this.edits = edits;
    this.children = children;
    this.models = models;
    this.labels = labels;
    this.rxcHcpcs = rxcHcpcs;
    this.csrFactors = csrFactors;
  }

  public int benefitYear() {
    return benefitYear;
  }

  /** The benefit years configured in {@code benefit_years.yaml}. */
  public static Set<Integer> benefitYears() {
    Set<Integer> years = new TreeSet<>();
    yaml("benefit_years.yaml").get("benefit_years").fieldNames().forEachRemaining(y -> years.add(Integer.parseInt(y)));
    return years;
  }

  /** The tables of a benefit year; IllegalArgumentException naming the configured years otherwise. */
  public static HhsTables forBenefitYear(int year) {
    return CACHE.computeIfAbsent(year, HhsTables::load);
  }

  /** The model scoring a member of {@code ageLast} (age on the last day of enrollment); null when none does. */
  Model modelFor(int ageLast) {
    for (Model m : models) {
      if (ageLast >= m.minAge && ageLast <= m.maxAge) {
        return m;
      }
    }
    return null;
  }

  /** The label of an HCC ({@code HHS_HCC130}) or RXC ({@code RXC_06}), null when the labels have none. */
  public String label(String variable) {
    return labels.get(variable);
  }

  /**
   * The coefficient-table name of a CC as written in the mapping ({@code 35.1}) or the hierarchy ({@code 35_1}):
   * {@code HHS_HCC035_1}.
   */
  static String hcc(String cc) {
    String v = cc.trim().replace('.', '_');
    int us = v.indexOf('_');
    String major = us < 0 ? v : v.substring(0, us);
    if (major.isEmpty() || !major.chars().allMatch(Character::isDigit) || major.length() > 3) {
      throw new IllegalArgumentException("not an HHS CC number: " + cc);
    }
    return "HHS_HCC" + "000".substring(major.length()) + major + (us < 0 ? "" : v.substring(us));
  }

  /** {@code RXC_06}. */
  static String rxc(int n) {
    return String.format(Locale.ROOT, "RXC_%02d", n);
  }

  private static HhsTables load(int year) {
    JsonNode by = yaml("benefit_years.yaml").get("benefit_years").get(String.valueOf(year));
    if (by == null) {
      throw new IllegalArgumentException("benefit year " + year + " is not configured in measures/risk/hhs-hcc/"
          + "benefit_years.yaml (configured: " + benefitYears() + ")");
    }
    JsonNode tables = by.get("tables");
    Map<String, List<String>> dx = new HashMap<>();
    for (ReferenceRow r : csv(tables, "dx_to_cc")) {
      dx.computeIfAbsent(r.text("diagnosis_code"), k -> new ArrayList<>(1)).add(hcc(r.text("cc")));
    }
    Map<String, List<Edit>> edits = new HashMap<>();
    for (ReferenceRow r : csv(tables, "dx_edits")) {
      Integer sex = r.integer("sex");
      String action = r.text("action");
      if (!action.equals("invalid") && !action.equals("override")) {
        throw r.error("action must be invalid or override, not " + action);
      }
      edits.computeIfAbsent(r.text("icd10"), k -> new ArrayList<>(1)).add(new Edit(
          sex == null ? null : (sex == 1 ? 'M' : 'F'), r.integer("age_min"), r.integer("age_max"),
          action.equals("invalid"), action.equals("invalid") ? null : hcc(r.text("cc_override"))));
    }
    Map<String, List<String>> children = new LinkedHashMap<>();
    for (ReferenceRow r : csv(tables, "hierarchies")) {
      children.computeIfAbsent(hcc(r.text("cc_parent")), k -> new ArrayList<>()).add(hcc(r.text("cc_child")));
    }
    Map<String, String> labels = new HashMap<>();
    for (ReferenceRow r : csv(tables, "labels")) {
      String v = r.text("variable");
      labels.put(v.regionMatches(true, 0, "hhs_", 0, 4) ? "HHS_" + v.substring(4) : v, r.text("label"));
    }
    Map<String, Integer> hcpcs = new HashMap<>();
    for (ReferenceRow r : csv(tables, "rxc_hcpcs")) {
      hcpcs.put(r.text("hcpcs"), r.integer("rxc"));
    }
    Map<String, Double> csr = new HashMap<>();
    for (ReferenceRow r : csv(tables, "csr_factors")) {
      csr.put(r.integer("csr_indicator") + "|" + Metal.parse(r.text("metal_level")).name().charAt(0), r.decimal("factor"));
    }
    List<Model> models = models(yaml(by.get("model").asText()).get("models"), by.get("model").asText());
    Map<String, Model> byName = new HashMap<>();
    models.forEach(m -> byName.put(m.name, m));
    for (ReferenceRow r : csv(tables, "coefficients")) {
      Model m = byName.get(r.text("model"));
      if (m == null) {
        throw r.error("model " + r.text("model") + " is not in " + by.get("model").asText());
      }
      String v = r.text("variable");
      m.coefficients.put(v, new double[] {r.decimal("platinum"), r.decimal("gold"), r.decimal("silver"),
          r.decimal("bronze"), r.decimal("catastrophic")});
      Matcher c = CELL.matcher(v);
      if (c.matches()) {
        m.cells.add(new Cell(c.group(1).charAt(0), Integer.parseInt(c.group(2)),
            c.group(3).equals("GT") ? Integer.MAX_VALUE : Integer.parseInt(c.group(3)), v));
      }
    }
    for (Model m : models) {
      if (m.coefficients.isEmpty()) {
        throw new IllegalStateException("no coefficients for HHS-HCC model " + m.name + " in benefit year " + year);
      }
    }
    return new HhsTables(year, by.get("version").asText(), Map.copyOf(dx), Map.copyOf(edits), children,
        List.copyOf(models), Map.copyOf(labels), Map.copyOf(hcpcs), Map.copyOf(csr));
  }

  private static List<Model> models(JsonNode node, String file) {
    List<Model> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode n = e.getValue();
      Model m = new Model(e.getKey(), n.path("min_age").asInt(0), n.has("max_age") ? n.get("max_age").asInt()
          : Integer.MAX_VALUE, Set.copyOf(strings(n.path("zero"))), lists(n.path("groups")));
      m.severeIllness = strings(n.path("severe_illness"));
      m.severeInteractions = lists(n.path("severe_interactions"));
      m.enrollmentDuration = n.has("enrollment_duration") ? n.get("enrollment_duration").asText() : null;
      m.rxcHierarchy = lists(n.path("rxc_hierarchy"));
      Map<String, List<List<String>>> rxcInteractions = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> f = n.path("rxc_interactions").fields(); f.hasNext(); ) {
        var t = f.next();
        List<List<String>> factors = new ArrayList<>();
        t.getValue().forEach(x -> factors.add(strings(x)));
        rxcInteractions.put(t.getKey(), List.copyOf(factors));
      }
      m.rxcInteractions = rxcInteractions;
      Map<Integer, List<String>> severity = new java.util.TreeMap<>(java.util.Comparator.reverseOrder());
      lists(n.path("severity")).forEach((k, v) -> severity.put(Integer.parseInt(k), v));
      m.severity = severity;
      m.maturity = lists(n.path("maturity"));
      if (m.minAge > m.maxAge) {
        throw new IllegalStateException(file + ": model " + m.name + " has min_age > max_age");
      }
      out.add(m);
    }
    return out;
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asText()));
    return List.copyOf(out);
  }

  private static Map<String, List<String>> lists(JsonNode n) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      var e = it.next();
      out.put(e.getKey(), strings(e.getValue()));
    }
    return out;
  }

  private static List<ReferenceRow> csv(JsonNode tables, String key) {
    JsonNode f = tables.get(key);
    if (f == null) {
      throw new IllegalStateException("measures/risk/hhs-hcc/benefit_years.yaml: no table " + key);
    }
    return FOLDER.table(f.asText()).rows();
  }

  private static JsonNode yaml(String name) {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(FOLDER.bytes(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + FOLDER.where(name), e);
    }
  }
}
