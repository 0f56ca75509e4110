package org.pophealth.identity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;
import org.pophealth.reference.ReferenceTable;

/**
 * Survivorship rules of the golden person record, read from {@code measures/identity/survivorship.csv}: per
 * golden field, the rule that picks the linked record supplying it ({@value #SOURCE_PRIORITY},
 * {@value #MOST_RECENT}, {@value #MOST_FREQUENT}, {@value #LONGEST}), the source priority (source kinds or
 * names, in order) that ranks records and breaks ties, and an optional group of fields that survive together
 * from one record (the address). Pure Java: {@link GoldenRecord} turns the rules into Spark expressions.
 */
public final class SurvivorshipRules {
  /** The golden fields of gold.person, in table order. */
  public static final List<String> FIELDS = List.of("given_name", "family_name", "birth_date", "sex", "street",
      "city", "state", "postcode", "phone", "email", "ssn");
  public static final String SOURCE_PRIORITY = "source_priority";
  public static final String MOST_RECENT = "most_recent";
  public static final String MOST_FREQUENT = "most_frequent";
  public static final String LONGEST = "longest";
  private static final List<String> RULES = List.of(SOURCE_PRIORITY, MOST_RECENT, MOST_FREQUENT, LONGEST);
  private static final String FILE = "survivorship.csv";

  /**
   * One line of the file. {@code group} is null for a field that survives alone; {@code lead} is the group's
   * first field (the one whose values pick the record), the field itself when alone.
   */
  public record Rule(String field, String rule, List<String> sourcePriority, String group, String lead) {
    public boolean leads() {
      return lead.equals(field);
    }
  }

  private static volatile SurvivorshipRules packaged;

  private final Map<String, Rule> rules;

  private SurvivorshipRules(Map<String, Rule> rules) {
    this.rules = rules;
  }

  /** The packaged rules, {@code measures/identity/survivorship.csv}, checked. */
  public static SurvivorshipRules packaged() {
    if (packaged == null) {
      packaged = parse(ReferenceData.packaged("identity").table(FILE));
    }
    return packaged;
  }

  /** The rule of a golden field. */
  public Rule rule(String field) {
    Rule r = rules.get(field);
    if (r == null) {
      throw new IllegalArgumentException("not a golden field: " + field);
    }
    return r;
  }

  /** The rules in {@link #FIELDS} order. */
  public List<Rule> all() {
    return FIELDS.stream().map(rules::get).toList();
  }

  /** The fields that survive with {@code lead} (its group, in {@link #FIELDS} order; just itself when alone). */
  public List<String> groupOf(String lead) {
    return FIELDS.stream().filter(f -> rules.get(f).lead().equals(lead)).toList();
  }

  static SurvivorshipRules parse(ReferenceTable table) {
    Map<String, Rule> out = new LinkedHashMap<>();
    Map<String, ReferenceRow> lines = new HashMap<>();
    Map<String, Rule> groupLeads = new HashMap<>();
    for (ReferenceRow r : table.rows()) {
      String field = r.text("field");
      String rule = r.text("rule");
      if (!FIELDS.contains(field)) {
        throw r.error("field: \"" + field + "\" is not a golden field " + FIELDS);
      }
      if (out.containsKey(field)) {
        throw r.error("field " + field + " is named twice (first on line " + lines.get(field).line() + ")");
      }
      if (!RULES.contains(rule)) {
        throw r.error("rule: \"" + rule + "\" is not one of " + RULES);
      }
      if (rule.equals(LONGEST) && field.equals("birth_date")) {
        throw r.error("rule longest does not apply to birth_date (a date has no length)");
      }
      List<String> priority = r.list("source_priority", ";");
      if (rule.equals(SOURCE_PRIORITY) && priority.isEmpty()) {
        throw r.error("rule source_priority needs a source_priority list (source kinds or names, e.g. ehr;claims)");
      }
      if (priority.stream().distinct().count() < priority.size()) {
        throw r.error("source_priority names a source twice: " + r.text("source_priority"));
      }
      String group = r.text("group").isEmpty() ? null : r.text("group");
      String lead = field;
      if (group != null) {
        Rule first = groupLeads.putIfAbsent(group, new Rule(field, rule, priority, group, field));
        if (first != null) {
          if (!first.rule().equals(rule) || !first.sourcePriority().equals(priority)) {
            throw r.error("field " + field + " is in group " + group + ", whose record " + first.field()
                + " (line " + lines.get(first.field()).line() + ") picks: repeat its rule " + first.rule()
                + " and source_priority " + String.join(";", first.sourcePriority()));
          }
          lead = first.field();
        }
      }
      lines.put(field, r);
      out.put(field, new Rule(field, rule, List.copyOf(priority), group, lead));
    }
    List<String> missing = new ArrayList<>(FIELDS);
    missing.removeAll(out.keySet());
    if (!missing.isEmpty()) {
      String what = "no rule for field" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
          + " (every golden field needs one row: " + String.join(", ", FIELDS) + ")";
      if (table.rows().isEmpty()) {
        throw new IllegalArgumentException(table.file() + ": " + what);
      }
      throw table.rows().get(table.rows().size() - 1).error("the file ends with " + what);
    }
    return new SurvivorshipRules(Map.copyOf(out));
  }
}
