package org.pophealth.identity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The one-line narrative of a compared pair, from the comparison level each field reached and its weight:
 * the compared fields by the strength of their evidence (absolute weight, largest first; ties in field
 * order), then the fields not compared (a value missing on either side). For example "same SSN, same birth
 * date, given names differ slightly (jaro-winkler>=0.92), different postcode, not compared: email".
 * Deterministic: the same levels and weights give the same text.
 */
public final class ExplainPair {
  /** The level label of a field whose value is missing on either side. */
  public static final String MISSING = "missing";

  private ExplainPair() {}

  /** The label of {@code level} of {@code field}; {@value #MISSING} for -1. */
  public static String level(PersonField field, int level) {
    return level < 0 ? MISSING : field.levels().get(level);
  }

  /**
   * @param fields the model's fields
   * @param levels per field, the level index reached (best level last, -1 missing)
   * @param weights per field, its contribution to the match weight (bits)
   */
  public static String narrative(List<PersonField> fields, int[] levels, double[] weights) {
    List<Integer> compared = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      if (levels[i] < 0) {
        missing.add(label(fields.get(i)));
      } else {
        compared.add(i);
      }
    }
    compared.sort(Comparator.comparingDouble((Integer i) -> -Math.abs(weights[i])).thenComparingInt(i -> i));
    List<String> parts = new ArrayList<>();
    for (int i : compared) {
      parts.add(phrase(fields.get(i), levels[i]));
    }
    if (!missing.isEmpty()) {
      parts.add("not compared: " + String.join(", ", missing));
    }
    return parts.isEmpty() ? "no field compared" : String.join(", ", parts);
  }

  /** "same SSN" (best level), "different SSN" (lowest), "SSNs differ slightly (1 edit or last 4)" between. */
  static String phrase(PersonField f, int level) {
    if (level == f.levelCount() - 1) {
      return "same " + label(f);
    }
    if (level == 0) {
      return "different " + label(f);
    }
    return plural(f) + " differ slightly (" + f.levels().get(level) + ")";
  }

  /** The field as the narrative names it. */
  static String label(PersonField f) {
    return switch (f) {
      case SSN -> "SSN";
      case MRN -> "MRN";
      default -> f.column().replace('_', ' ');
    };
  }

  private static String plural(PersonField f) {
    return switch (f) {
      case CITY -> "cities";
      case SEX -> "sexes";
      default -> label(f) + "s";
    };
  }
}
