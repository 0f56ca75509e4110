package org.pophealth.ingest.fhir.bulk;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one watermark is for: a resource type ({@code *}: all the server offers, when a source names no
 * types) and the source's {@code _typeFilter} entries for it, sorted and joined by {@code " | "} (empty: none).
 */
public record TypeScope(String resourceType, String typeFilter) {
  public static final String ALL_TYPES = "*";
  static final String FILTER_SEPARATOR = " | ";

  public TypeScope {
    typeFilter = typeFilter == null ? "" : typeFilter;
  }

  /** The filters of this scope as {@code _typeFilter} entries. */
  public List<String> filters() {
    return typeFilter.isEmpty() ? List.of() : List.of(typeFilter.split(java.util.regex.Pattern.quote(FILTER_SEPARATOR)));
  }

  /** "Observation", "Observation?category=laboratory", "all types": for the console (no patient data). */
  public String label() {
    String t = resourceType.equals(ALL_TYPES) ? "all types" : resourceType;
    return typeFilter.isEmpty() ? t : t + " (" + typeFilter + ")";
  }

  /**
   * The scopes of a source's settings: one per configured type with its filters; without types, one
   * {@code *} scope carrying every filter.
   */
  public static List<TypeScope> of(List<String> types, List<String> typeFilters) {
    Map<String, List<String>> byType = new TreeMap<>();
    for (String f : typeFilters) {
      int q = f.indexOf('?');
      String t = q < 0 ? f : f.substring(0, q);
      byType.computeIfAbsent(types.isEmpty() ? ALL_TYPES : t, k -> new ArrayList<>()).add(f);
    }
    List<TypeScope> out = new ArrayList<>();
    if (types.isEmpty()) {
      out.add(new TypeScope(ALL_TYPES, join(byType.getOrDefault(ALL_TYPES, List.of()))));
      return out;
    }
    for (String t : types) {
      out.add(new TypeScope(t, join(byType.getOrDefault(t, List.of()))));
    }
    return out;
  }

  private static String join(List<String> filters) {
    return String.join(FILTER_SEPARATOR, filters.stream().sorted().toList());
  }
}
