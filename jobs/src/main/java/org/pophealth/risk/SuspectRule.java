package org.pophealth.risk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A suspect rule of {@code measures/risk/suspects/<name>.yaml}: clinical evidence that suggests a condition no
 * claim codes, and the HCC (per model) that documenting it would add. The rule holds when any of its criteria
 * holds within {@code window_months} before the end of the payment year's data year.
 *
 * @param name the file name without {@code .yaml}
 * @param hccs the HCC per model version ({@code V24}, {@code V28}); models it does not name get no gap
 */
public record SuspectRule(String name, String title, String description, Map<String, Integer> hccs, int windowMonths,
    List<Criterion> any) {
  private static final Set<String> KEYS = Set.of("title", "description", "hcc", "window_months", "evidence");
  private static final Set<String> CRITERION_KEYS = Set.of("code_set", "value_at_least", "value_below", "times",
      "days_apart");

  /**
   * One criterion: at least {@code times} events of the kind whose code is in the code set (and whose numeric
   * value passes the bounds, when given), the first and last of them at least {@code daysApart} days apart.
   *
   * @param kind {@code observation} (labs, vitals, surveys) or {@code medication}
   * @param valueAtLeast lower bound (inclusive) of the value, or null
   * @param valueBelow upper bound (exclusive) of the value, or null
   */
  public record Criterion(String kind, String codeSet, Double valueAtLeast, Double valueBelow, int times,
      int daysApart) {}

  /** Parses one rule file; {@code where} names it in messages, {@code codeSets} are the known code sets. */
  static SuspectRule parse(String name, JsonNode y, String where, Set<String> codeSets, Set<String> models) {
    if (!name.matches("[a-z0-9][a-z0-9-]{0,59}")) {
      throw new IllegalArgumentException(where + ": a suspect rule's file name is lower-case letters, digits and"
          + " dashes (at most 60)");
    }
    if (y == null || !y.isObject()) {
      throw new IllegalArgumentException(where + ": not a YAML mapping");
    }
    unknownKeys(y, KEYS, where);
    String title = text(y, "title", where);
    Map<String, Integer> hccs = new LinkedHashMap<>();
    JsonNode h = y.path("hcc");
    if (!h.isObject() || h.isEmpty()) {
      throw new IllegalArgumentException(where + ": hcc must map model versions to HCC numbers, e.g. {V24: 19, V28: 38}");
    }
    h.fields().forEachRemaining(e -> {
      if (!models.contains(e.getKey())) {
        throw new IllegalArgumentException(where + ": hcc names model " + e.getKey() + ", not one of " + models);
      }
      if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 1) {
        throw new IllegalArgumentException(where + ": hcc " + e.getKey() + " must be an HCC number");
      }
      hccs.put(e.getKey(), e.getValue().asInt());
    });
    JsonNode w = y.path("window_months");
    if (!w.canConvertToInt() || w.asInt() < 1 || w.asInt() > 60) {
      throw new IllegalArgumentException(where + ": window_months must be a whole number of months from 1 to 60");
    }
    JsonNode any = y.path("evidence").path("any");
    if (!any.isArray() || any.isEmpty()) {
      throw new IllegalArgumentException(where + ": evidence.any must list at least one criterion"
          + " (observation: {...} or medication: {...})");
    }
    List<Criterion> criteria = new ArrayList<>();
    int i = 0;
    for (JsonNode c : any) {
      String at = where + " evidence.any[" + i++ + "]";
      if (!c.isObject() || c.size() != 1) {
        throw new IllegalArgumentException(at + ": one of observation: {...} or medication: {...}");
      }
      String kind = c.fieldNames().next();
      if (!kind.equals("observation") && !kind.equals("medication")) {
        throw new IllegalArgumentException(at + ": unknown criterion " + kind + " (observation, medication)");
      }
      JsonNode v = c.get(kind);
      unknownKeys(v, CRITERION_KEYS, at);
      String set = text(v, "code_set", at);
      if (!codeSets.contains(set)) {
        throw new IllegalArgumentException(at + ": code set " + set + " is not in code_sets.csv (known: " + codeSets + ")");
      }
      Double atLeast = number(v, "value_at_least", at);
      Double below = number(v, "value_below", at);
      if (kind.equals("medication") && (atLeast != null || below != null)) {
        throw new IllegalArgumentException(at + ": a medication has no value to bound");
      }
      int times = v.has("times") ? whole(v, "times", at, 1) : 1;
      int apart = v.has("days_apart") ? whole(v, "days_apart", at, 0) : 0;
      if (apart > 0 && times < 2) {
        throw new IllegalArgumentException(at + ": days_apart needs times of 2 or more");
      }
      criteria.add(new Criterion(kind, set, atLeast, below, times, apart));
    }
    return new SuspectRule(name, title, y.path("description").asText("").strip(), Map.copyOf(hccs), w.asInt(),
        List.copyOf(criteria));
  }

  private static void unknownKeys(JsonNode y, Set<String> known, String where) {
    for (Iterator<String> it = y.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        throw new IllegalArgumentException(where + ": unknown key " + k + " (known: " + new java.util.TreeSet<>(known) + ")");
      }
    }
  }

  private static String text(JsonNode y, String key, String where) {
    JsonNode n = y.path(key);
    if (!n.isTextual() || n.asText().isBlank()) {
      throw new IllegalArgumentException(where + ": " + key + " is required");
    }
    return n.asText().strip();
  }

  private static Double number(JsonNode y, String key, String where) {
    if (!y.has(key)) {
      return null;
    }
    if (!y.get(key).isNumber()) {
      throw new IllegalArgumentException(where + ": " + key + " must be a number");
    }
    return y.get(key).asDouble();
  }

  private static int whole(JsonNode y, String key, String where, int min) {
    JsonNode n = y.get(key);
    if (!n.canConvertToInt() || n.asInt() < min) {
      throw new IllegalArgumentException(where + ": " + key + " must be a whole number >= " + min);
    }
    return n.asInt();
  }
}
