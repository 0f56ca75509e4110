package org.pophealth.risk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;

/**
 * Loads the risk-adjustment data of a payment year from {@code measures/risk/} through {@link ReferenceData}
 * ({@code payment_years.yaml}, {@code models.yaml}, {@code interactions.yaml}, {@code cc_requirements.yaml},
 * {@code cms-hcc/*.csv}); one copy per JVM and year, so Spark executors load the tables once.
 */
public final class RiskReference {
  /** {@code measures/risk/}: the YAML settings. */
  private static final ReferenceData SETTINGS = ReferenceData.packaged("risk");
  /** {@code measures/risk/cms-hcc/}: the CMS tables, typed by their columns.yaml. */
  private static final ReferenceData TABLES = ReferenceData.packaged("risk/cms-hcc");
  /** {@code measures/risk/suspects/}: the suspect rules ({@code *.yaml}) and their code sets. */
  private static final ReferenceData SUSPECTS = ReferenceData.packaged("risk/suspects");
  private static final Map<Integer, PaymentYearTables> CACHE = new ConcurrentHashMap<>();

  private RiskReference() {}

  /** The payment years configured in {@code payment_years.yaml}. */
  public static Set<Integer> paymentYears() {
    Set<Integer> years = new TreeSet<>();
    yaml("payment_years.yaml").get("payment_years").fieldNames().forEachRemaining(y -> years.add(Integer.parseInt(y)));
    return years;
  }

  /** The tables of a payment year; IllegalArgumentException when it is not configured. */
  public static PaymentYearTables forPaymentYear(int year) {
    return CACHE.computeIfAbsent(year, RiskReference::load);
  }

  private static PaymentYearTables load(int year) {
    JsonNode py = yaml("payment_years.yaml").get("payment_years").get(String.valueOf(year));
    if (py == null) {
      throw new IllegalArgumentException("payment year " + year + " is not configured in measures/risk/payment_years.yaml"
          + " (configured: " + paymentYears() + ")");
    }
    JsonNode tables = py.get("tables");
    JsonNode known = yaml("models.yaml").get("models");
    JsonNode interactions = yaml("interactions.yaml");
    JsonNode requirements = yaml("cc_requirements.yaml");
    List<ReferenceRow> dx = csv(tables.get("dx_to_cc").asText());
    List<ReferenceRow> coef = csv(tables.get("coefficients").asText());
    List<ReferenceRow> edits = csv("ra_dx_edits.csv");
    List<ReferenceRow> labels = csv("ra_labels_2026.csv");
    Map<String, ModelTables> models = new LinkedHashMap<>();
    Map<String, ModelTables> esrdModels = new LinkedHashMap<>();
    Map<String, Double> weights = new LinkedHashMap<>();
    Map<String, Double> norms = new LinkedHashMap<>();
    Set<String> unadjusted = new TreeSet<>();
    for (String group : List.of("models", "esrd_models")) {
      JsonNode list = py.get(group);
      if (list == null) {
        continue;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext(); ) {
        var e = it.next();
        String model = e.getKey();
        JsonNode m = e.getValue();
        JsonNode def = known.get(model);
        if (def == null) {
          throw new IllegalStateException("payment_years.yaml " + year + " " + group + ": model " + model
              + " is not in measures/risk/models.yaml (known: " + fieldNames(known) + ")");
        }
        String kind = def.get("kind").asText();
        boolean esrd = group.equals("esrd_models");
        if (esrd == kind.equals(ModelTables.CMS_HCC)) {
          throw new IllegalStateException("payment_years.yaml " + year + ": model " + model + " of kind " + kind
              + (esrd ? " is not an ESRD model" : " belongs under esrd_models"));
        }
        JsonNode hierarchyFile = tables.get("hierarchies").get(model);
        if (hierarchyFile == null) {
          throw new IllegalStateException("payment_years.yaml " + year + ": no hierarchies file for " + model);
        }
        norms.put(model, m.get("normalization").asDouble());
        if (esrd && m.has("ma_coding_adjustment") && !m.get("ma_coding_adjustment").asBoolean(true)) {
          unadjusted.add(model);
        }
        ModelTables t = model(model, def, dx, coef, edits, labels, csv(hierarchyFile.asText()), interactions.get(model),
            requirements.get(model));
        if (esrd) {
          esrdModels.put(model, t);
        } else {
          weights.put(model, m.get("weight").asDouble());
          models.put(model, t);
        }
      }
    }
    double sum = weights.values().stream().mapToDouble(Double::doubleValue).sum();
    if (Math.abs(sum - 1.0) > 1e-9) {
      throw new IllegalStateException("blend weights of payment year " + year + " add up to " + sum + ", not 1");
    }
    Set<String> cpt = new HashSet<>();
    for (ReferenceRow r : csv(tables.get("eligible_cpt_hcpcs").asText())) {
      cpt.add(r.text("cpt_hcpcs_code"));
    }
    return new PaymentYearTables(year, Map.copyOf(models), Map.copyOf(esrdModels), Map.copyOf(weights),
        Map.copyOf(norms), py.get("ma_coding_adjustment").asDouble(), Set.copyOf(cpt), Set.copyOf(unadjusted));
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static ModelTables model(String model, JsonNode def, List<ReferenceRow> dx, List<ReferenceRow> coef,
      List<ReferenceRow> editRows, List<ReferenceRow> labelRows, List<ReferenceRow> hier, JsonNode inter,
      JsonNode requirements) {
    String dxModel = def.get("dx_to_cc").asText();
    String coefDomain = def.get("coefficients").get("domain").asText();
    String coefVersion = def.get("coefficients").get("version").asText();
    String hierDomain = def.get("hierarchies").get("domain").asText();
    String hierVersion = def.get("hierarchies").get("version").asText();
    String labelDomain = def.get("labels").get("domain").asText();
    String labelVersion = def.get("labels").get("version").asText();
    String paymentPrefix = def.get("payment_hccs").asText() + "_HCC";
    if (inter == null) {
      throw new IllegalStateException("measures/risk/interactions.yaml has no section " + model);
    }
    Map<String, Double> coefficients = new HashMap<>();
    Set<Integer> payment = new HashSet<>();
    for (ReferenceRow r : coef) {
      if (r.text("model_domain").equals(coefDomain) && r.text("model_version").equals(coefVersion)) {
        String name = r.text("coefficient");
        coefficients.put(name, r.decimal("value"));
        if (name.startsWith(paymentPrefix) && name.length() > paymentPrefix.length()
            && name.substring(paymentPrefix.length()).chars().allMatch(Character::isDigit)) {
          payment.add(Integer.parseInt(name.substring(paymentPrefix.length())));
        }
      }
    }
    if (coefficients.isEmpty()) {
      throw new IllegalStateException("no coefficients " + coefDomain + "/" + coefVersion + " for model " + model);
    }
    Map<String, List<Integer>> ccs = new HashMap<>();
    for (ReferenceRow r : dx) {
      if (r.text("model_name").equals(dxModel)) {
        ccs.computeIfAbsent(r.text("diagnosis_code"), k -> new ArrayList<>()).add(r.integer("cc"));
      }
    }
    Map<String, int[]> dxToCc = new HashMap<>();
    ccs.forEach((k, v) -> dxToCc.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
    Map<String, List<ModelTables.DxEdit>> edits = new HashMap<>();
    for (ReferenceRow r : editRows) {
      if (r.text("model_name").equals(dxModel)) {
        Integer sex = r.integer("sex");
        edits.computeIfAbsent(r.text("icd10"), k -> new ArrayList<>()).add(new ModelTables.DxEdit(
            sex == null ? null : (sex == 1 ? 'M' : 'F'), r.integer("age_min"), r.integer("age_max"),
            r.text("action").equals("invalid"), r.integer("cc_override")));
      }
    }
    Map<Integer, List<Integer>> kids = new HashMap<>();
    for (ReferenceRow r : hier) {
      if (r.text("model_domain").equals(hierDomain) && r.text("model_version").equals(hierVersion)) {
        kids.computeIfAbsent(r.integer("cc_parent"), k -> new ArrayList<>()).add(r.integer("cc_child"));
      }
    }
    Map<Integer, int[]> children = new HashMap<>();
    kids.forEach((k, v) -> children.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
    Map<String, int[]> groups = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = inter.get("groups").fields(); it.hasNext(); ) {
      var e = it.next();
      List<Integer> hccs = new ArrayList<>();
      e.getValue().forEach(h -> hccs.add(Integer.parseInt(h.asText().substring(3))));
      groups.put(e.getKey(), hccs.stream().mapToInt(Integer::intValue).toArray());
    }
    Map<String, String[]> terms = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = inter.get("terms").fields(); it.hasNext(); ) {
      var e = it.next();
      List<String> f = new ArrayList<>();
      e.getValue().forEach(x -> f.add(x.asText()));
      terms.put(e.getKey(), f.toArray(new String[0]));
    }
    Map<Integer, String> labels = new HashMap<>();
    for (ReferenceRow r : labelRows) {
      if (r.text("model_domain").equals(labelDomain) && r.text("model_version").equals(labelVersion)
          && r.text("cc").startsWith("HCC")) {
        labels.put(Integer.parseInt(r.text("cc").substring(3)), r.text("label"));
      }
    }
    Map<Integer, int[]> requires = new HashMap<>();
    if (requirements != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = requirements.fields(); it.hasNext(); ) {
        var e = it.next();
        List<Integer> any = new ArrayList<>();
        e.getValue().forEach(x -> any.add(x.asInt()));
        requires.put(Integer.parseInt(e.getKey()), any.stream().mapToInt(Integer::intValue).toArray());
      }
    }
    ModelTables t = new ModelTables(model, def.get("kind").asText(), dxToCc, edits, children, coefficients, payment,
        groups, terms, labels, requires);
    t.esrd = esrd(model, def, coefficients);
    return t;
  }

  /** The transplant months or functioning-graft settings of a model ({@code models.yaml}), checked against the table. */
  private static ModelTables.Esrd esrd(String model, JsonNode def, Map<String, Double> coefficients) {
    String where = SETTINGS.where("models.yaml") + " " + model;
    Map<Integer, String> months = new java.util.TreeMap<>();
    def.path("months").fields().forEachRemaining(e -> months.put(Integer.parseInt(e.getKey()), e.getValue().asText()));
    Map<String, String> segments = new LinkedHashMap<>();
    def.path("segments").fields().forEachRemaining(e -> segments.put(e.getKey(), e.getValue().asText()));
    Map<String, int[]> durations = new LinkedHashMap<>();
    def.path("durations").fields().forEachRemaining(e -> durations.put(e.getKey(), new int[] {
        e.getValue().get(0).asInt(), e.getValue().get(1).isNull() ? Integer.MAX_VALUE : e.getValue().get(1).asInt()}));
    Map<String, String> addOns = new LinkedHashMap<>();
    def.path("add_ons").fields().forEachRemaining(e -> addOns.put(e.getKey(), e.getValue().asText()));
    String kind = def.get("kind").asText();
    if (kind.equals(ModelTables.ESRD_TRANSPLANT)) {
      if (!months.keySet().equals(new TreeSet<>(java.util.stream.IntStream.rangeClosed(1, Member.TRANSPLANT_MONTHS)
          .boxed().toList()))) {
        throw new IllegalStateException(where + ": months must name the coefficient of months 1-"
            + Member.TRANSPLANT_MONTHS + " counted from the transplant month");
      }
      months.values().forEach(v -> requireCoefficient(where, coefficients, v));
    }
    if (kind.equals(ModelTables.ESRD_GRAFT)) {
      for (String role : List.of("community_full_dual_aged", "community_full_dual_non_aged", "community_aged",
          "community_non_aged", "institutional", "new_enrollee")) {
        if (!segments.containsKey(role)) {
          throw new IllegalStateException(where + ": segments needs " + role);
        }
      }
      for (String role : List.of("community", "institutional", "new_enrollee", "lti", "new_enrollee_divisor")) {
        if (!addOns.containsKey(role)) {
          throw new IllegalStateException(where + ": add_ons needs " + role);
        }
      }
      for (int m = Member.TRANSPLANT_MONTHS + 1; m <= 240; m++) {
        int month = m;
        if (durations.values().stream().filter(d -> month >= d[0] && month <= d[1]).count() != 1) {
          throw new IllegalStateException(where + ": durations must cover every month from "
              + (Member.TRANSPLANT_MONTHS + 1) + " on exactly once (month " + m + ")");
        }
      }
      for (String d : durations.keySet()) {
        requireCoefficient(where, coefficients, addOns.get("new_enrollee_divisor") + "_" + d);
        for (String age : List.of("GE65", "LT65")) {
          for (String dual : List.of("FBD", "ND_PBD")) {
            for (String role : List.of("community", "institutional", "new_enrollee")) {
              requireCoefficient(where, coefficients, addOns.get(role) + "_" + age + "_" + d + "_" + dual);
            }
          }
        }
      }
    }
    return new ModelTables.Esrd(Map.copyOf(months), Map.copyOf(segments), Map.copyOf(durations), Map.copyOf(addOns));
  }

  private static void requireCoefficient(String where, Map<String, Double> coefficients, String name) {
    if (!coefficients.containsKey(name)) {
      throw new IllegalStateException(where + ": the coefficient table has no " + name);
    }
  }

  /** How many prior payment years' scores a recapture gap looks back to ({@code gaps.yaml}). */
  public static int recaptureLookbackYears() {
    JsonNode n = yaml("gaps.yaml").path("recapture").path("lookback_years");
    if (!n.canConvertToInt() || n.asInt() < 1) {
      throw new IllegalArgumentException(SETTINGS.where("gaps.yaml") + ": recapture.lookback_years must be a whole number >= 1");
    }
    return n.asInt();
  }

  /** Chronic HCCs per CMS-HCC model version ({@code cms-hcc/hcc_is_chronic.csv}, domain CMS-HCC, flag Y). */
  public static Map<String, Set<Integer>> chronicHccs() {
    Map<String, Set<Integer>> out = new LinkedHashMap<>();
    for (ReferenceRow r : csv("hcc_is_chronic.csv")) {
      if ("CMS-HCC".equals(r.text("model_domain")) && "Y".equals(r.text("is_chronic")) && r.text("hcc").startsWith("HCC")) {
        out.computeIfAbsent(r.text("model_version"), k -> new TreeSet<>()).add(Integer.parseInt(r.text("hcc").substring(3)));
      }
    }
    return out;
  }

  /**
   * How score-risk finds long-term institutional residents in claims ({@code member_status.yaml}).
   *
   * @param placesOfService CMS place-of-service codes of nursing facilities
   * @param billTypePrefixes first two digits of institutional bill types (leading 0 dropped)
   * @param minDays days from the first to the last such claim of the data year, at least
   * @param recentDays the last such claim within this many days of the end of the data year
   */
  public record InstitutionalRule(List<String> placesOfService, List<String> billTypePrefixes, int minDays,
      int recentDays) {}

  /** The long-term institutional rule of {@code member_status.yaml}. */
  public static InstitutionalRule institutionalRule() {
    String where = SETTINGS.where("member_status.yaml");
    JsonNode n = yaml("member_status.yaml").path("long_term_institutional");
    List<String> pos = new ArrayList<>();
    n.path("places_of_service").forEach(x -> pos.add(x.asText()));
    List<String> bills = new ArrayList<>();
    n.path("bill_type_prefixes").forEach(x -> bills.add(x.asText()));
    for (String k : List.of("min_days", "recent_days")) {
      if (!n.path(k).canConvertToInt() || n.path(k).asInt() < 1) {
        throw new IllegalArgumentException(where + ": long_term_institutional." + k + " must be a whole number >= 1");
      }
    }
    if (pos.isEmpty() && bills.isEmpty()) {
      throw new IllegalArgumentException(where + ": long_term_institutional needs places_of_service or bill_type_prefixes");
    }
    return new InstitutionalRule(List.copyOf(pos), List.copyOf(bills), n.path("min_days").asInt(),
        n.path("recent_days").asInt());
  }

  /**
   * How score-risk finds members in ESRD dialysis status ({@code member_status.yaml} {@code esrd_dialysis}).
   *
   * @param medicareStatusCodes eligibility Medicare status codes that mean ESRD
   * @param billTypePrefixes first two digits of dialysis bill types (leading 0 dropped)
   * @param codes CPT/HCPCS codes of dialysis services
   * @param recentDays dialysis claims within this many days of the end of the data year
   */
  public record DialysisRule(List<String> medicareStatusCodes, List<String> billTypePrefixes, List<String> codes,
      int recentDays) {}

  /** The ESRD dialysis rule of {@code member_status.yaml}. */
  public static DialysisRule dialysisRule() {
    String where = SETTINGS.where("member_status.yaml");
    JsonNode n = yaml("member_status.yaml").path("esrd_dialysis");
    List<List<String>> lists = new ArrayList<>();
    for (String k : List.of("medicare_status_codes", "bill_type_prefixes", "codes")) {
      List<String> l = new ArrayList<>();
      n.path(k).forEach(x -> l.add(x.asText()));
      lists.add(List.copyOf(l));
    }
    if (lists.get(0).isEmpty() || !n.path("recent_days").canConvertToInt() || n.path("recent_days").asInt() < 1) {
      throw new IllegalArgumentException(where + ": esrd_dialysis needs medicare_status_codes and recent_days >= 1");
    }
    return new DialysisRule(lists.get(0), lists.get(1), lists.get(2), n.path("recent_days").asInt());
  }

  /**
   * How score-risk finds members after a kidney transplant ({@code member_status.yaml} {@code kidney_transplant}).
   *
   * @param msDrgs MS-DRGs of a kidney transplant stay (silver.medical_claim ms_drg_code)
   * @param codes CPT and ICD-10-PCS codes of a kidney transplant (any coding of a claim event)
   */
  public record TransplantRule(List<String> msDrgs, List<String> codes) {}

  /** The kidney transplant rule of {@code member_status.yaml}. */
  public static TransplantRule transplantRule() {
    JsonNode n = yaml("member_status.yaml").path("kidney_transplant");
    List<String> drgs = new ArrayList<>();
    n.path("ms_drgs").forEach(x -> drgs.add(x.asText()));
    List<String> codes = new ArrayList<>();
    n.path("codes").forEach(x -> codes.add(x.asText().toUpperCase(java.util.Locale.ROOT)));
    if (drgs.isEmpty() && codes.isEmpty()) {
      throw new IllegalArgumentException(SETTINGS.where("member_status.yaml") + ": kidney_transplant needs ms_drgs or codes");
    }
    return new TransplantRule(List.copyOf(drgs), List.copyOf(codes));
  }

  /**
   * The suspect rules of {@code measures/risk/suspects/}, sorted by name, and their code sets.
   *
   * @param codes rows of {@code code_sets.csv}: (code_set, system, code)
   */
  public record Suspects(List<SuspectRule> rules, List<String[]> codes) {}

  /** Reads and checks the suspect rules (IllegalArgumentException naming the file and key on a bad one). */
  public static Suspects suspects() {
    List<String[]> codes = new ArrayList<>();
    Set<String> sets = new TreeSet<>();
    for (ReferenceRow r : SUSPECTS.table("code_sets.csv").rows()) {
      codes.add(new String[] {r.text("code_set"), r.text("system"), r.text("code")});
      sets.add(r.text("code_set"));
    }
    Set<String> models = new TreeSet<>();
    yaml("models.yaml").get("models").fields().forEachRemaining(e -> {
      if (ModelTables.CMS_HCC.equals(e.getValue().path("kind").asText())) {
        models.add(e.getKey());
      }
    });
    ObjectMapper y = new ObjectMapper(new YAMLFactory());
    List<SuspectRule> rules = new ArrayList<>();
    for (String f : SUSPECTS.list(".yaml")) {
      try {
        rules.add(SuspectRule.parse(f.substring(0, f.length() - ".yaml".length()), y.readTree(SUSPECTS.bytes(f)),
            SUSPECTS.where(f), sets, models));
      } catch (IOException e) {
        throw new IllegalArgumentException(SUSPECTS.where(f) + ": not valid YAML: " + e.getMessage(), e);
      }
    }
    rules.sort(java.util.Comparator.comparing(SuspectRule::name));
    return new Suspects(List.copyOf(rules), List.copyOf(codes));
  }

  private static JsonNode yaml(String name) {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(SETTINGS.bytes(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + SETTINGS.where(name), e);
    }
  }

  private static List<ReferenceRow> csv(String file) {
    return TABLES.table(file).rows();
  }
}
