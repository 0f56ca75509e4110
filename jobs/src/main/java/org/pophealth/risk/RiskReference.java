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
 * Loads the CMS-HCC data of a payment year from {@code measures/risk/} through {@link ReferenceData}
 * ({@code payment_years.yaml}, {@code interactions.yaml}, {@code cms-hcc/*.csv}); one copy per JVM
 * and year, so Spark executors load the tables once.
 */
public final class RiskReference {
  /** {@code measures/risk/}: the YAML settings. */
  private static final ReferenceData SETTINGS = ReferenceData.packaged("risk");
  /** {@code measures/risk/cms-hcc/}: the CMS tables, typed by their columns.yaml. */
  private static final ReferenceData TABLES = ReferenceData.packaged("risk/cms-hcc");
  private static final Map<Integer, PaymentYearTables> CACHE = new ConcurrentHashMap<>();
  private static final List<String> MODELS = List.of("V24", "V28");

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
    JsonNode interactions = yaml("interactions.yaml");
    List<ReferenceRow> dx = csv(tables.get("dx_to_cc").asText());
    List<ReferenceRow> coef = csv(tables.get("coefficients").asText());
    List<ReferenceRow> edits = csv("ra_dx_edits.csv");
    List<ReferenceRow> labels = csv("ra_labels_2026.csv");
    Map<String, ModelTables> models = new LinkedHashMap<>();
    Map<String, Double> weights = new LinkedHashMap<>();
    Map<String, Double> norms = new LinkedHashMap<>();
    for (String model : MODELS) {
      JsonNode m = py.get("models").get(model);
      if (m == null) {
        continue;
      }
      weights.put(model, m.get("weight").asDouble());
      norms.put(model, m.get("normalization").asDouble());
      models.put(model, model(model, dx, coef, edits, labels, csv(tables.get("hierarchies").get(model).asText()),
          interactions.get(model)));
    }
    double sum = weights.values().stream().mapToDouble(Double::doubleValue).sum();
    if (Math.abs(sum - 1.0) > 1e-9) {
      throw new IllegalStateException("blend weights of payment year " + year + " add up to " + sum + ", not 1");
    }
    Set<String> cpt = new HashSet<>();
    for (ReferenceRow r : csv(tables.get("eligible_cpt_hcpcs").asText())) {
      cpt.add(r.text("cpt_hcpcs_code"));
    }
    return new PaymentYearTables(year, Map.copyOf(models), Map.copyOf(weights), Map.copyOf(norms),
        py.get("ma_coding_adjustment").asDouble(), Set.copyOf(cpt));
  }

  private static ModelTables model(String model, List<ReferenceRow> dx, List<ReferenceRow> coef,
      List<ReferenceRow> editRows, List<ReferenceRow> labelRows, List<ReferenceRow> hier, JsonNode inter) {
    String dxModel = "CMS-HCC Model " + model;
    String coefVersion = "C" + model.substring(1);
    Map<String, Double> coefficients = new HashMap<>();
    Set<Integer> payment = new HashSet<>();
    for (ReferenceRow r : coef) {
      if (r.text("model_domain").equals("CMS-HCC") && r.text("model_version").equals(coefVersion)) {
        String name = r.text("coefficient");
        coefficients.put(name, r.decimal("value"));
        if (name.matches("CNA_HCC\\d+")) {
          payment.add(Integer.parseInt(name.substring(7)));
        }
      }
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
      if (r.text("model_domain").equals("CMS-HCC") && r.text("model_version").equals(model)) {
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
      if (r.text("model_domain").equals("CMS-HCC") && r.text("model_version").equals(model)
          && r.text("cc").startsWith("HCC")) {
        labels.put(Integer.parseInt(r.text("cc").substring(3)), r.text("label"));
      }
    }
    return new ModelTables(model, dxToCc, edits, children, coefficients, payment, groups, terms, labels);
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
