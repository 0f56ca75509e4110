package org.pophealth.cohorts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.pophealth.duplicates.RuleCsv;

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

  private final List<GapCode> gapCodes;
  private final Map<String, String> gapLabels;
  private final List<AcuteCriterion> acute;
  private final List<HospiceCriterion> hospice;
  private final String hash;

  private CohortReference(List<GapCode> gapCodes, List<AcuteCriterion> acute, List<HospiceCriterion> hospice,
      String hash) {
    this.gapCodes = List.copyOf(gapCodes);
    Map<String, String> labels = new LinkedHashMap<>();
    gapCodes.forEach(g -> labels.putIfAbsent(g.cmsId(), g.label()));
    this.gapLabels = Map.copyOf(labels);
    this.acute = List.copyOf(acute);
    this.hospice = List.copyOf(hospice);
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

  /** Hash of the four files' contents (enters every publication id). */
  public String hash() {
    return hash;
  }

  static CohortReference load(Path dir, Path packaged) {
    String systemsText = read(dir, packaged, "code_systems.csv");
    String gapsText = read(dir, packaged, "gap_reasons.csv");
    String acuteText = read(dir, packaged, "acute_settings.csv");
    String hospiceText = read(dir, packaged, "hospice.csv");
    Map<String, List<String>> systems = codeSystems(systemsText);
    List<GapCode> gaps = new ArrayList<>();
    for (RuleCsv.Line l : RuleCsv.parse("gap_reasons.csv", gapsText,
        List.of("cms_id", "label", "service", "value_kind", "unit", "system", "code"))) {
      String kind = l.required("value_kind");
      if (!kind.equals("date") && !kind.equals("value")) {
        throw l.error("value_kind must be date or value: " + kind);
      }
      for (String uri : uris(systems, l, l.required("system"))) {
        gaps.add(new GapCode(l.required("cms_id"), l.required("label"), l.required("service"), kind,
            l.fields().getOrDefault("unit", ""), uri, l.required("code")));
      }
    }
    List<AcuteCriterion> acute = new ArrayList<>();
    for (RuleCsv.Line l : RuleCsv.parse("acute_settings.csv", acuteText, List.of("setting", "kind", "value"))) {
      String kind = l.required("kind");
      if (!List.of("encounter_class", "place_of_service", "bill_type").contains(kind)) {
        throw l.error("kind must be encounter_class, place_of_service or bill_type: " + kind);
      }
      if (!l.required("setting").equals("ed") && !l.required("setting").equals("inpatient")) {
        throw l.error("setting must be ed or inpatient: " + l.get("setting"));
      }
      acute.add(new AcuteCriterion(l.required("setting"), kind, l.required("value")));
    }
    List<HospiceCriterion> hospice = new ArrayList<>();
    for (RuleCsv.Line l : RuleCsv.parse("hospice.csv", hospiceText, List.of("kind", "system", "value"))) {
      String kind = l.required("kind");
      if (kind.equals("code")) {
        for (String uri : uris(systems, l, l.required("system"))) {
          hospice.add(new HospiceCriterion(kind, uri, l.required("value")));
        }
      } else if (kind.equals("place_of_service") || kind.equals("bill_type")) {
        hospice.add(new HospiceCriterion(kind, null, l.required("value")));
      } else {
        throw l.error("kind must be code, place_of_service or bill_type: " + kind);
      }
    }
    String hash = LoadCohortDefinitions.sha256(systemsText.getBytes(StandardCharsets.UTF_8),
        gapsText.getBytes(StandardCharsets.UTF_8), acuteText.getBytes(StandardCharsets.UTF_8),
        hospiceText.getBytes(StandardCharsets.UTF_8));
    return new CohortReference(gaps, acute, hospice, hash);
  }

  /** Short code-system names → URIs, from a code_systems.csv text. */
  static Map<String, List<String>> codeSystems(String text) {
    Map<String, List<String>> systems = new HashMap<>();
    for (RuleCsv.Line l : RuleCsv.parse("code_systems.csv", text, List.of("name", "uri"))) {
      systems.computeIfAbsent(l.required("name"), k -> new ArrayList<>()).add(l.required("uri"));
    }
    return systems;
  }

  static List<String> uris(Map<String, List<String>> systems, RuleCsv.Line l, String name) {
    List<String> u = systems.get(name);
    if (u == null) {
      throw l.error("unknown code system '" + name + "' (code_systems.csv: " + systems.keySet().stream().sorted()
          .toList() + ")");
    }
    return u;
  }

  static String read(Path dir, Path packaged, String name) {
    Path f = Files.isRegularFile(dir.resolve(name)) ? dir.resolve(name) : packaged.resolve(name);
    try {
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + f + ": " + e.getMessage());
    }
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
