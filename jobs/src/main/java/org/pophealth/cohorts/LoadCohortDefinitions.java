package org.pophealth.cohorts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pophealth.cohorts.CohortDefinition.Audience;
import org.pophealth.cohorts.CohortDefinition.Rule;
import org.pophealth.cohorts.CohortDefinition.SortKey;
import org.pophealth.reference.ReferenceData;

/**
 * Reads the cohort definitions ({@code <dir>/*.yaml}, default the packaged {@code measures/cohorts/})
 * and the data files next to them (gap wording, acute settings, hospice codes; from the packaged
 * folder when the directory lacks them). A bad file is an IllegalArgumentException naming the file
 * and what is wrong.
 */
public final class LoadCohortDefinitions {
  /** The packaged folder, {@code measures/cohorts/}. */
  static final String FOLDER = "cohorts";
  private static final Set<String> TOP_KEYS =
      Set.of("title", "description", "include", "exclude", "priority", "audiences");

  /** The longest transitional_care window (days). */
  static final int MAX_TCM_DAYS = 365;

  private final String dir;

  /** {@code dir} null: the packaged definitions. */
  public LoadCohortDefinitions(String dir) {
    this.dir = dir;
  }

  public record Result(List<CohortDefinition> definitions, CohortReference reference, String location) {
    public CohortDefinition definition(String name) {
      return definitions.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow(() ->
          new IllegalArgumentException("no cohort named " + name + " in " + location + " (cohorts: "
              + definitions.stream().map(CohortDefinition::name).toList() + ")"));
    }
  }

  public Result execute() {
    ReferenceData folder = folder(dir);
    CohortReference reference = CohortReference.load(folder);
    List<CohortDefinition> out = new ArrayList<>();
    for (String f : folder.list(".yaml")) {
      out.add(parse(f, folder.bytes(f), reference.hash()));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no cohort definitions (*.yaml) in " + folder.location());
    }
    return new Result(List.copyOf(out), reference, dir == null ? "measures/cohorts/" : dir);
  }

  /** The packaged {@code measures/cohorts/}, each file from {@code dir} when it has it ({@code dir} null: none). */
  private static ReferenceData folder(String dir) {
    return ReferenceData.packaged(FOLDER).overriddenBy(dir, "cohort definitions");
  }

  /** Parses one definition file's {@code bytes}; {@code referenceHash} enters the definition's hash. */
  static CohortDefinition parse(String fileName, byte[] bytes, String referenceHash) {
    String name = fileName.substring(0, fileName.length() - ".yaml".length());
    String where = "cohort definition " + fileName;
    if (!name.matches("[a-z0-9][a-z0-9-]{0,39}")) {
      throw new IllegalArgumentException(where + ": the file name must be lower-case letters, digits and dashes"
          + " (at most 40), it is the cohort's name");
    }
    JsonNode doc;
    try {
      doc = new ObjectMapper(new YAMLFactory()).readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException(where + ": not valid YAML: " + org.pophealth.io.Messages.firstLine(e.getMessage()));
    }
    if (doc == null || !doc.isObject()) {
      throw new IllegalArgumentException(where + ": must be a YAML mapping");
    }
    for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!TOP_KEYS.contains(k)) {
        throw new IllegalArgumentException(where + ": unknown key '" + k + "' (known: " + TOP_KEYS.stream().sorted()
            .toList() + ")");
      }
    }
    String title = text(doc, "title", where, true);
    String description = text(doc, "description", where, false);
    JsonNode include = doc.path("include");
    if (!include.isObject()) {
      throw new IllegalArgumentException(where + ": include must be a mapping with all: and/or any: lists of rules");
    }
    for (Iterator<String> it = include.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("all") && !k.equals("any")) {
        throw new IllegalArgumentException(where + ": include has unknown key '" + k + "' (all, any)");
      }
    }
    List<Rule> all = rules(include.path("all"), where + " include.all");
    List<Rule> any = rules(include.path("any"), where + " include.any");
    if (java.util.stream.Stream.concat(all.stream(), any.stream())
        .filter(r -> r instanceof CohortDefinition.TransitionalCare).count() > 1) {
      throw new IllegalArgumentException(where + ": at most one transitional_care rule (its deadlines are the list's)");
    }
    if (all.isEmpty() && any.isEmpty()) {
      throw new IllegalArgumentException(where + ": include has no rules");
    }
    List<String> exclude = new ArrayList<>();
    for (JsonNode e : list(doc.path("exclude"), where + " exclude")) {
      String x = e.asText();
      if (!CohortDefinition.EXCLUSIONS.contains(x)) {
        throw new IllegalArgumentException(where + ": unknown exclusion '" + x + "' (known: "
            + CohortDefinition.EXCLUSIONS.stream().sorted().toList() + ")");
      }
      exclude.add(x);
    }
    List<SortKey> priority = new ArrayList<>();
    boolean dueFirst = false;
    for (JsonNode p : list(doc.path("priority"), where + " priority")) {
      if (p.asText().trim().equals(CohortDefinition.DUE)) {
        if (dueFirst || !priority.isEmpty()) {
          throw new IllegalArgumentException(where + ": priority entry 'due' (worklist items due for contact first)"
              + " may only be the first entry");
        }
        dueFirst = true;
        continue;
      }
      String[] parts = p.asText().trim().split("\\s+");
      boolean desc = parts.length < 2 || parts[1].equalsIgnoreCase("desc");
      if (parts.length > 2 || !CohortDefinition.METRICS.contains(parts[0])
          || (parts.length == 2 && !parts[1].equalsIgnoreCase("asc") && !parts[1].equalsIgnoreCase("desc"))) {
        throw new IllegalArgumentException(where + ": priority entry '" + p.asText() + "' must be '<metric> [asc|desc]'"
            + " with a metric of " + CohortDefinition.METRICS.stream().sorted().toList()
            + " (or due first: worklist items due for contact first)");
      }
      priority.add(new SortKey(parts[0], desc));
    }
    Map<String, Audience> audiences = audiences(doc.path("audiences"), where);
    return new CohortDefinition(name, title, description, List.copyOf(all), List.copyOf(any), List.copyOf(exclude),
        List.copyOf(priority), audiences, sha256(bytes, referenceHash.getBytes(StandardCharsets.UTF_8)), dueFirst);
  }

  private static List<Rule> rules(JsonNode node, String where) {
    List<Rule> out = new ArrayList<>();
    for (JsonNode r : list(node, where)) {
      if (!r.isObject() || r.size() != 1) {
        throw new IllegalArgumentException(where + ": each rule is a mapping with one key (care_gap, risk_tier,"
            + " risk_score_at_least, rising_risk, acute_use, duplicate_tests, hcc_gap, transitional_care)");
      }
      String kind = r.fieldNames().next();
      JsonNode v = r.get(kind);
      String at = where + " " + kind;
      out.add(switch (kind) {
        case "care_gap" -> {
          List<String> m = new ArrayList<>();
          for (JsonNode x : list(v, at)) {
            String id = x.asText().toUpperCase(Locale.ROOT).replaceFirst("FHIR$", "");
            if (!id.matches("CMS\\d+")) {
              throw new IllegalArgumentException(at + ": '" + x.asText() + "' is not a CMS measure id (e.g. CMS125)");
            }
            m.add(id);
          }
          if (m.isEmpty()) {
            throw new IllegalArgumentException(at + ": list at least one measure");
          }
          yield new CohortDefinition.CareGap(List.copyOf(m));
        }
        case "risk_tier" -> {
          if (!v.asText().equals("top_1pct") && !v.asText().equals("top_5pct")) {
            throw new IllegalArgumentException(at + ": must be top_1pct or top_5pct");
          }
          yield new CohortDefinition.RiskTier(v.asText());
        }
        case "risk_score_at_least" -> {
          if (!v.isNumber()) {
            throw new IllegalArgumentException(at + ": must be a number");
          }
          yield new CohortDefinition.RiskScoreAtLeast(v.asDouble());
        }
        case "rising_risk" -> {
          if (!v.isBoolean() || !v.asBoolean()) {
            throw new IllegalArgumentException(at + ": must be true");
          }
          yield new CohortDefinition.RisingRisk();
        }
        case "acute_use" -> {
          known(v, at, Set.of("settings", "months", "at_least"));
          yield new CohortDefinition.AcuteUse(settings(v, at), positive(v, "months", at, 12),
              positive(v, "at_least", at, 1));
        }
        case "duplicate_tests" -> {
          known(v, at, Set.of("months", "at_least"));
          yield new CohortDefinition.DuplicateTests(positive(v, "months", at, 12), positive(v, "at_least", at, 1));
        }
        case "hcc_gap" -> {
          known(v, at, Set.of("kinds", "at_least", "min_value"));
          List<String> kinds = new ArrayList<>();
          for (JsonNode k : list(v.path("kinds"), at + ".kinds")) {
            if (!CohortDefinition.HCC_GAP_KINDS.contains(k.asText())) {
              throw new IllegalArgumentException(at + ".kinds: '" + k.asText() + "' (known: "
                  + String.join(", ", CohortDefinition.HCC_GAP_KINDS) + ")");
            }
            kinds.add(k.asText());
          }
          if (v.has("kinds") && kinds.isEmpty()) {
            throw new IllegalArgumentException(at + ".kinds: list at least one kind, or leave it out for all ("
                + String.join(", ", CohortDefinition.HCC_GAP_KINDS) + ")");
          }
          double minValue = 0;
          if (v.has("min_value")) {
            if (!v.get("min_value").isNumber() || v.get("min_value").asDouble() < 0) {
              throw new IllegalArgumentException(at + ".min_value: must be a number of at least 0");
            }
            minValue = v.get("min_value").asDouble();
          }
          yield new CohortDefinition.HccGap(List.copyOf(kinds.isEmpty() ? CohortDefinition.HCC_GAP_KINDS
              : kinds.stream().distinct().toList()), positive(v, "at_least", at, 1), minValue);
        }
        case "transitional_care" -> transitionalCare(v, at);
        default -> throw new IllegalArgumentException(where + ": unknown rule '" + kind + "' (known: care_gap,"
            + " risk_tier, risk_score_at_least, rising_risk, acute_use, duplicate_tests, hcc_gap, transitional_care)");
      });
    }
    return out;
  }

  /**
   * {@code transitional_care: {settings: [ed, inpatient], days: 30, contact_business_days: 2, visit_days_high: 7,
   * visit_days_moderate: 14, calendar: us-federal}}: settings required, the rest as shown by default.
   */
  private static CohortDefinition.TransitionalCare transitionalCare(JsonNode v, String at) {
    known(v, at, Set.of("settings", "days", "contact_business_days", "visit_days_high", "visit_days_moderate",
        "calendar"));
    List<String> settings = settings(v, at);
    int days = positive(v, "days", at, 30);
    if (days > MAX_TCM_DAYS) {
      throw new IllegalArgumentException(at + ".days: at most " + MAX_TCM_DAYS + " (the CMS transitional-care period"
          + " is 30 days)");
    }
    int high = positive(v, "visit_days_high", at, 7);
    int moderate = positive(v, "visit_days_moderate", at, 14);
    if (high > moderate) {
      throw new IllegalArgumentException(at + ": visit_days_high (" + high + ") must not be more than"
          + " visit_days_moderate (" + moderate + "): high complexity is seen sooner");
    }
    String calendar = v.path("calendar").asText(org.pophealth.calendar.BusinessDays.DEFAULT_CALENDAR).trim();
    if (!calendar.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException(at + ".calendar: a calendar name of holidays.csv (e.g. us-federal)");
    }
    return new CohortDefinition.TransitionalCare(settings, days, positive(v, "contact_business_days", at, 2), high,
        moderate, calendar);
  }

  /** The {@code settings} list of an acute_use or transitional_care rule: ed and/or inpatient, at least one. */
  private static List<String> settings(JsonNode v, String at) {
    List<String> settings = new ArrayList<>();
    for (JsonNode s : list(v.path("settings"), at + ".settings")) {
      if (!s.asText().equals("ed") && !s.asText().equals("inpatient")) {
        throw new IllegalArgumentException(at + ".settings: '" + s.asText() + "' (known: ed, inpatient)");
      }
      settings.add(s.asText());
    }
    if (settings.isEmpty()) {
      throw new IllegalArgumentException(at + ": list settings (ed, inpatient)");
    }
    return List.copyOf(settings);
  }

  private static Map<String, Audience> audiences(JsonNode node, String where) {
    if (!node.isObject() || node.isEmpty()) {
      throw new IllegalArgumentException(where + ": audiences must map at least one audience to its columns");
    }
    Map<String, Audience> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String a = e.getKey();
      if (!a.matches("[a-z][a-z0-9_]*")) {
        throw new IllegalArgumentException(where + ": audience name '" + a + "' must be lower-case (e.g. care_manager)");
      }
      if (e.getValue().isTextual() && e.getValue().asText().equals("aggregate")) {
        out.put(a, new Audience(a, true, List.of()));
        continue;
      }
      if (a.equals("executive")) {
        throw new IllegalArgumentException(where + ": audience executive sees aggregates only (small cells"
            + " suppressed); write `executive: aggregate`, patient-level lists are refused");
      }
      List<String> cols = new ArrayList<>();
      for (JsonNode c : list(e.getValue(), where + " audience " + a)) {
        if (!CohortDefinition.COLUMNS.contains(c.asText())) {
          throw new IllegalArgumentException(where + ": audience " + a + ": unknown column '" + c.asText()
              + "' (known: " + CohortDefinition.COLUMNS + ")");
        }
        cols.add(c.asText());
      }
      if (!cols.contains("person_id")) {
        throw new IllegalArgumentException(where + ": audience " + a + " must see person_id (the list's key)");
      }
      out.put(a, new Audience(a, false, List.copyOf(cols)));
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  private static void known(JsonNode v, String at, Set<String> keys) {
    if (!v.isObject()) {
      throw new IllegalArgumentException(at + ": must be a mapping with " + keys.stream().sorted().toList());
    }
    v.fieldNames().forEachRemaining(k -> {
      if (!keys.contains(k)) {
        throw new IllegalArgumentException(at + ": unknown key '" + k + "' (known: " + keys.stream().sorted().toList()
            + ")");
      }
    });
  }

  private static int positive(JsonNode v, String key, String at, int dflt) {
    if (!v.has(key)) {
      return dflt;
    }
    if (!v.get(key).canConvertToInt() || v.get(key).asInt() < 1 || !v.get(key).isIntegralNumber()) {
      throw new IllegalArgumentException(at + "." + key + ": must be a whole number of at least 1");
    }
    return v.get(key).asInt();
  }

  private static List<JsonNode> list(JsonNode node, String where) {
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException(where + ": must be a list");
    }
    List<JsonNode> out = new ArrayList<>();
    node.forEach(out::add);
    return out;
  }

  private static String text(JsonNode doc, String key, String where, boolean required) {
    JsonNode n = doc.path(key);
    if (n.isMissingNode() || n.isNull() || n.asText().isBlank()) {
      if (required) {
        throw new IllegalArgumentException(where + ": " + key + " is required");
      }
      return "";
    }
    if (!n.isTextual()) {
      throw new IllegalArgumentException(where + ": " + key + " must be text");
    }
    return n.asText().trim();
  }

  static String sha256(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        md.update(p);
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
