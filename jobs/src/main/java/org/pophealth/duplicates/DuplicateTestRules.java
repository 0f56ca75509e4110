package org.pophealth.duplicates;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;

/**
 * The duplicate-test rules from {@code measures/duplicate-tests/} (packaged) or a directory with the
 * same four files: {@code rules.csv} (one line per test family), {@code codes.csv},
 * {@code code_systems.csv} and {@code exclusions.csv}. Adding a family is adding lines there.
 */
public final class DuplicateTestRules {
  /** The packaged folder, {@code measures/duplicate-tests/}. */
  static final String FOLDER = "duplicate-tests";

  /** One test family. */
  public record Family(
      String family,
      String label,
      int windowDays,
      Integer lowValueDays,
      List<String> excludePos,
      List<String> excludeBillType,
      List<String> excludeEncounterClass,
      List<String> intentionalModifiers,
      List<String> professionalModifiers,
      List<String> technicalModifiers,
      String dxExclusion) {}

  /** One code of a family, with its system URI. */
  public record Code(String family, String systemUri, String code) {}

  /** One diagnosis range of an exclusion set. */
  public record Exclusion(String exclusion, String systemUri, String from, String to, int daysBefore, int daysAfter,
      boolean whileActive, String reason) {}

  private final List<Family> families;
  private final List<Code> codes;
  private final List<Exclusion> exclusions;

  private DuplicateTestRules(List<Family> families, List<Code> codes, List<Exclusion> exclusions) {
    this.families = List.copyOf(families);
    this.codes = List.copyOf(codes);
    this.exclusions = List.copyOf(exclusions);
  }

  public List<Family> families() {
    return families;
  }

  public List<Code> codes() {
    return codes;
  }

  public List<Exclusion> exclusions() {
    return exclusions;
  }

  /** The rules shipped in the jar ({@code measures/duplicate-tests/}). */
  public static DuplicateTestRules packaged() {
    return load(null);
  }

  /** Rules from a directory holding the four files; null: the packaged ones. */
  public static DuplicateTestRules load(String dir) {
    return parse(ReferenceData.packaged(FOLDER).replacedBy(dir, "duplicate-test rules"));
  }

  private static DuplicateTestRules parse(ReferenceData folder) {
    Map<String, List<String>> systems = new HashMap<>();
    for (ReferenceRow l : folder.table("code_systems.csv").rows()) {
      systems.computeIfAbsent(l.text("name"), k -> new ArrayList<>()).add(l.text("uri"));
    }
    Map<String, List<Exclusion>> exclusionSets = new LinkedHashMap<>();
    for (ReferenceRow l : folder.table("exclusions.csv").rows()) {
      String from = l.text("from").toUpperCase(java.util.Locale.ROOT);
      String to = l.text("to").toUpperCase(java.util.Locale.ROOT);
      if (from.length() != 3 || to.length() != 3 || from.compareTo(to) > 0) {
        throw l.error("from/to must be 3-character categories with from <= to: " + from + "-" + to);
      }
      for (String uri : uris(systems, l, l.text("system"))) {
        exclusionSets.computeIfAbsent(l.text("exclusion"), k -> new ArrayList<>()).add(new Exclusion(
            l.text("exclusion"), uri, from, to, days(l, "days_before"), days(l, "days_after"), l.bool("while_active"),
            l.text("reason")));
      }
    }
    List<Family> families = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (ReferenceRow l : folder.table("rules.csv").rows()) {
      String family = l.text("family");
      if (!names.add(family)) {
        throw l.error("family " + family + " appears twice");
      }
      int window = days(l, "window_days");
      Integer lowValue = l.integer("low_value_days") == null ? null : days(l, "low_value_days");
      if (lowValue != null && lowValue <= window) {
        throw l.error("low_value_days (" + lowValue + ") must be greater than window_days (" + window + ")");
      }
      String dx = l.text("dx_exclusion").isEmpty() ? null : l.text("dx_exclusion");
      if (dx != null && !exclusionSets.containsKey(dx)) {
        throw l.error("dx_exclusion " + dx + " is not in exclusions.csv");
      }
      families.add(new Family(family, l.text("label").isEmpty() ? family : l.text("label"), window, lowValue,
          l.list("exclude_pos", ";"), l.list("exclude_bill_type", ";"), l.list("exclude_encounter_class", ";"),
          l.list("intentional_modifiers", ";"), l.list("professional_modifiers", ";"),
          l.list("technical_modifiers", ";"), dx));
    }
    if (families.isEmpty()) {
      throw new IllegalArgumentException(folder.where("rules.csv") + " has no family");
    }
    List<Code> codes = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (ReferenceRow l : folder.table("codes.csv").rows()) {
      String family = l.text("family");
      if (!names.contains(family)) {
        throw l.error("family " + family + " is not in rules.csv");
      }
      for (String uri : uris(systems, l, l.text("system"))) {
        if (seen.add(family + "|" + uri + "|" + l.text("code"))) {
          codes.add(new Code(family, uri, l.text("code")));
        }
      }
    }
    for (String f : names) {
      if (codes.stream().noneMatch(c -> c.family().equals(f))) {
        throw new IllegalArgumentException(folder.where("codes.csv") + ": family " + f + " has no code");
      }
    }
    List<Exclusion> exclusions = new ArrayList<>();
    exclusionSets.values().forEach(exclusions::addAll);
    return new DuplicateTestRules(families, codes, exclusions);
  }

  /** A count of days: an {@code int} column that must not be negative. */
  private static int days(ReferenceRow l, String column) {
    int n = l.integer(column);
    if (n < 0) {
      throw l.error("column " + column + " must not be negative: " + n);
    }
    return n;
  }

  private static List<String> uris(Map<String, List<String>> systems, ReferenceRow l, String name) {
    List<String> u = systems.get(name);
    if (u == null) {
      throw l.error("code system " + name + " is not in code_systems.csv");
    }
    return u;
  }

  /** Families as a Spark table (lists as arrays). */
  Dataset<Row> familiesFrame(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (Family f : families) {
      rows.add(RowFactory.create(f.family(), f.label(), f.windowDays(), f.lowValueDays(), seq(f.excludePos()),
          seq(f.excludeBillType()), seq(f.excludeEncounterClass()), seq(f.intentionalModifiers()),
          seq(f.professionalModifiers()), seq(f.technicalModifiers()), f.dxExclusion()));
    }
    return spark.createDataFrame(rows, schema("family string, label string, window_days int, low_value_days int, "
        + "exclude_pos array<string>, exclude_bill_type array<string>, exclude_encounter_class array<string>, "
        + "intentional_modifiers array<string>, professional_modifiers array<string>, "
        + "technical_modifiers array<string>, dx_exclusion string"));
  }

  Dataset<Row> codesFrame(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (Code c : codes) {
      rows.add(RowFactory.create(c.family(), c.systemUri(), c.code()));
    }
    return spark.createDataFrame(rows, schema("family string, system string, code string"));
  }

  Dataset<Row> exclusionsFrame(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (Exclusion e : exclusions) {
      rows.add(RowFactory.create(e.exclusion(), e.systemUri(), e.from(), e.to(), e.daysBefore(), e.daysAfter(),
          e.whileActive(), e.reason()));
    }
    return spark.createDataFrame(rows, schema("exclusion string, system string, dx_from string, dx_to string, "
        + "days_before int, days_after int, while_active boolean, reason string"));
  }

  private static List<String> seq(List<String> l) {
    return l;
  }

  private static StructType schema(String ddl) {
    DataType t = StructType.fromDDL(ddl);
    return (StructType) t;
  }
}
