package org.pophealth.risk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
import org.pophealth.io.CsvLines;

/**
 * Loads the CMS-HCC data of a payment year from {@code measures/risk/} on the classpath
 * ({@code payment_years.yaml}, {@code interactions.yaml}, {@code cms-hcc/*.csv}); one copy per JVM
 * and year, so Spark executors load the tables once.
 */
public final class RiskReference {
  private static final String ROOT = "measures/risk/";
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
    List<List<String>> dx = csv(tables.get("dx_to_cc").asText());
    List<List<String>> coef = csv(tables.get("coefficients").asText());
    List<List<String>> edits = csv("ra_dx_edits.csv");
    List<List<String>> labels = csv("ra_labels_2026.csv");
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
    for (List<String> r : csv(tables.get("eligible_cpt_hcpcs").asText())) {
      cpt.add(r.get(0).trim());
    }
    return new PaymentYearTables(year, Map.copyOf(models), Map.copyOf(weights), Map.copyOf(norms),
        py.get("ma_coding_adjustment").asDouble(), Set.copyOf(cpt));
  }

  private static ModelTables model(String model, List<List<String>> dx, List<List<String>> coef,
      List<List<String>> editRows, List<List<String>> labelRows, List<List<String>> hier, JsonNode inter) {
    String dxModel = "CMS-HCC Model " + model;
    String coefVersion = "C" + model.substring(1);
    Map<String, Double> coefficients = new HashMap<>();
    Set<Integer> payment = new HashSet<>();
    for (List<String> r : coef) {
      if (r.get(2).equals("CMS-HCC") && r.get(3).equals(coefVersion)) {
        coefficients.put(r.get(0), Double.parseDouble(r.get(1)));
        if (r.get(0).matches("CNA_HCC\\d+")) {
          payment.add(Integer.parseInt(r.get(0).substring(7)));
        }
      }
    }
    Map<String, List<Integer>> ccs = new HashMap<>();
    for (List<String> r : dx) {
      if (r.get(2).equals(dxModel)) {
        ccs.computeIfAbsent(r.get(0), k -> new ArrayList<>()).add(Integer.parseInt(r.get(1)));
      }
    }
    Map<String, int[]> dxToCc = new HashMap<>();
    ccs.forEach((k, v) -> dxToCc.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
    Map<String, List<ModelTables.DxEdit>> edits = new HashMap<>();
    for (List<String> r : editRows) {
      if (r.get(7).equals(dxModel)) {
        edits.computeIfAbsent(r.get(0), k -> new ArrayList<>()).add(new ModelTables.DxEdit(
            r.get(2).isBlank() ? null : (r.get(2).equals("1") ? 'M' : 'F'), integer(r.get(3)), integer(r.get(4)),
            r.get(5).equals("invalid"), integer(r.get(6))));
      }
    }
    Map<Integer, List<Integer>> kids = new HashMap<>();
    for (List<String> r : hier) {
      if (r.get(2).equals("CMS-HCC") && r.get(3).equals(model)) {
        kids.computeIfAbsent(Integer.parseInt(r.get(0)), k -> new ArrayList<>()).add(Integer.parseInt(r.get(1)));
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
    for (List<String> r : labelRows) {
      if (r.size() >= 4 && r.get(2).equals("CMS-HCC") && r.get(3).equals(model) && r.get(0).startsWith("HCC")) {
        labels.put(Integer.parseInt(r.get(0).substring(3)), r.get(1));
      }
    }
    return new ModelTables(model, dxToCc, edits, children, coefficients, payment, groups, terms, labels);
  }

  private static Integer integer(String s) {
    return s == null || s.isBlank() ? null : Integer.valueOf(s.trim());
  }

  private static JsonNode yaml(String name) {
    try (InputStream in = open(ROOT + name)) {
      return new ObjectMapper(new YAMLFactory()).readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ROOT + name, e);
    }
  }

  private static List<List<String>> csv(String file) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(open(ROOT + "cms-hcc/" + file), StandardCharsets.UTF_8))) {
      return CsvLines.read(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ROOT + "cms-hcc/" + file, e);
    }
  }

  private static InputStream open(String path) {
    InputStream in = RiskReference.class.getClassLoader().getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException(path + " is not on the classpath");
    }
    return in;
  }
}
