package org.pophealth.cohorts;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;
import org.pophealth.reference.ReferenceTable;

/**
 * The data files of {@code measures/cohorts/}: code systems, how each care gap reads
 * ({@code gap_reasons.csv}), what counts as acute use ({@code acute_settings.csv}) and hospice
 * ({@code hospice.csv}). Each file comes from the definitions directory when it has it, else from the
 * packaged folder.
 */
public final class CohortReference {
  /** One code of a gap's closing service. */
  public record GapCode(String cmsId, String label, String service, String valueKind, String unit, String systemUri,
      String code) {}

  /** One acute setting criterion: kind encounter_class, place_of_service or bill_type (prefix). */
  public record AcuteCriterion(String setting, String kind, String value) {}

  /** One hospice criterion: kind code (with system), place_of_service or bill_type (prefix). */
  public record HospiceCriterion(String kind, String systemUri, String value) {}

  /**
   * What closes a transitional-care item ({@code tcm_follow_up.csv}): {@code closes} visit or contact; kind code
   * (with system), encounter_class (EHR encounters) or place_of_service (claims encounters).
   */
  public record FollowUpCriterion(String closes, String kind, String systemUri, String value) {}

  private final List<GapCode> gapCodes;
  private final Map<String, String> gapLabels;
  private final List<AcuteCriterion> acute;
  private final List<HospiceCriterion> hospice;
  private final List<FollowUpCriterion> followUps;
  private final String hash;

  private CohortReference(List<GapCode> gapCodes, List<AcuteCriterion> acute, List<HospiceCriterion> hospice,
      List<FollowUpCriterion> followUps, String hash) {
    this.gapCodes = List.copyOf(gapCodes);
    Map<String, String> labels = new LinkedHashMap<>();
    gapCodes.forEach(g -> labels.putIfAbsent(g.cmsId(), g.label()));
    this.gapLabels = Map.copyOf(labels);
    this.acute = List.copyOf(acute);
    this.hospice = List.copyOf(hospice);
    this.followUps = List.copyOf(followUps);
    this.hash = hash;
  }

  public List<GapCode> gapCodes() {
    return gapCodes;
  }

  /** Label of a measure's gap (e.g. CMS125 → Breast cancer screening), the id itself when unknown. */
  public String gapLabel(String cmsId) {
    return gapLabels.getOrDefault(cmsId, cmsId);
  }

  public List<AcuteCriterion> acute() {
    return acute;
  }

  public List<HospiceCriterion> hospice() {
    return hospice;
  }

  public List<FollowUpCriterion> followUps() {
    return followUps;
  }

  /** Hash of the files' contents (enters every publication id). */
  public String hash() {
    return hash;
  }

  /** The files of {@code folder} (the packaged cohorts folder, or it overridden by a directory). */
  static CohortReference load(ReferenceData folder) {
    ReferenceTable systemsTable = folder.table("code_systems.csv");
    ReferenceTable gapsTable = folder.table("gap_reasons.csv");
    ReferenceTable acuteTable = folder.table("acute_settings.csv");
    ReferenceTable hospiceTable = folder.table("hospice.csv");
    ReferenceTable followUpTable = folder.table("tcm_follow_up.csv");
    Map<String, List<String>> systems = codeSystems(systemsTable);
    List<GapCode> gaps = new ArrayList<>();
    for (ReferenceRow l : gapsTable.rows()) {
      String kind = l.text("value_kind");
      if (!kind.equals("date") && !kind.equals("value")) {
        throw l.error("value_kind must be date or value: " + kind);
      }
      for (String uri : uris(systems, l, l.text("system"))) {
        gaps.add(new GapCode(l.text("cms_id"), l.text("label"), l.text("service"), kind, l.raw("unit"), uri,
            l.text("code")));
      }
    }
    List<AcuteCriterion> acute = new ArrayList<>();
    for (ReferenceRow l : acuteTable.rows()) {
      String kind = l.text("kind");
      if (!List.of("encounter_class", "place_of_service", "bill_type").contains(kind)) {
        throw l.error("kind must be encounter_class, place_of_service or bill_type: " + kind);
      }
      if (!l.text("setting").equals("ed") && !l.text("setting").equals("inpatient")) {
        throw l.error("setting must be ed or inpatient: " + l.text("setting"));
      }
      acute.add(new AcuteCriterion(l.text("setting"), kind, l.text("value")));
    }
    List<HospiceCriterion> hospice = new ArrayList<>();
    for (ReferenceRow l : hospiceTable.rows()) {
      String kind = l.text("kind");
      if (kind.equals("code")) {
        if (l.text("system").isEmpty()) {
          throw l.error("column system is empty");
        }
        for (String uri : uris(systems, l, l.text("system"))) {
          hospice.add(new HospiceCriterion(kind, uri, l.text("value")));
        }
      } else if (kind.equals("place_of_service") || kind.equals("bill_type")) {
        hospice.add(new HospiceCriterion(kind, null, l.text("value")));
      } else {
        throw l.error("kind must be code, place_of_service or bill_type: " + kind);
      }
    }
    List<FollowUpCriterion> followUps = followUps(followUpTable, systems);
    String hash = LoadCohortDefinitions.sha256(systemsTable.text().getBytes(StandardCharsets.UTF_8),
        gapsTable.text().getBytes(StandardCharsets.UTF_8), acuteTable.text().getBytes(StandardCharsets.UTF_8),
        hospiceTable.text().getBytes(StandardCharsets.UTF_8), followUpTable.text().getBytes(StandardCharsets.UTF_8));
    return new CohortReference(gaps, acute, hospice, followUps, hash);
  }

  private static List<FollowUpCriterion> followUps(ReferenceTable table, Map<String, List<String>> systems) {
    List<FollowUpCriterion> out = new ArrayList<>();
    for (ReferenceRow l : table.rows()) {
      String closes = l.text("closes");
      String kind = l.text("kind");
      if (!closes.equals("visit") && !closes.equals("contact")) {
        throw l.error("closes must be visit or contact: " + closes);
      }
      if (kind.equals("code")) {
        for (String uri : uris(systems, l, l.text("system"))) {
          out.add(new FollowUpCriterion(closes, kind, uri, l.text("value")));
        }
      } else if (kind.equals("encounter_class") || kind.equals("place_of_service")) {
        out.add(new FollowUpCriterion(closes, kind, null, l.text("value")));
      } else {
        throw l.error("kind must be code, encounter_class or place_of_service: " + kind);
      }
    }
    return out;
  }

  /** Short code-system names → URIs, from a code_systems.csv. */
  static Map<String, List<String>> codeSystems(ReferenceTable table) {
    Map<String, List<String>> systems = new HashMap<>();
    for (ReferenceRow l : table.rows()) {
      systems.computeIfAbsent(l.text("name"), k -> new ArrayList<>()).add(l.text("uri"));
    }
    return systems;
  }

  static List<String> uris(Map<String, List<String>> systems, ReferenceRow l, String name) {
    List<String> u = systems.get(name);
    if (u == null) {
      throw l.error("unknown code system '" + name + "' (code_systems.csv: " + systems.keySet().stream().sorted()
          .toList() + ")");
    }
    return u;
  }

  Dataset<Row> gapCodesFrame(SparkSession spark) {
    StructType t = new StructType().add("cms", DataTypes.StringType).add("label", DataTypes.StringType)
        .add("service", DataTypes.StringType).add("value_kind", DataTypes.StringType)
        .add("unit", DataTypes.StringType).add("system", DataTypes.StringType).add("code", DataTypes.StringType);
    List<Row> rows = gapCodes.stream().map(g -> RowFactory.create(g.cmsId(), g.label(), g.service(), g.valueKind(),
        g.unit(), g.systemUri(), g.code())).toList();
    return spark.createDataFrame(rows, t);
  }
}
