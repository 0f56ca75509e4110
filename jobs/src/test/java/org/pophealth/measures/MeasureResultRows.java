package org.pophealth.measures;

import java.sql.Date;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.pophealth.lakehouse.ContractRegistry;
import scala.collection.JavaConverters;

/** Test fixtures: the columns of one hand-made gold.measure_result row (period 2025, group 1), by name. */
final class MeasureResultRows {
  private MeasureResultRows() {}

  /**
   * A patient-based row with the eCQM cascade applied by hand: the numerator only when neither excluded nor
   * an exception. Callers add or override columns (strata, episode_counts, measure_url ...).
   */
  static Map<String, Object> columns(String measure, String improvement, String person, boolean excl,
      boolean exception, boolean numer) {
    Map<String, Object> v = new HashMap<>();
    v.put("person_key", person);
    v.put("patient_refs", JavaConverters.asScalaBuffer(List.of("ehr:" + person)).toSeq());
    v.put("measure", measure);
    v.put("cms_id", "CMS");
    v.put("measure_url", "url");
    v.put("measure_version", "1");
    v.put("measure_package", "qicore-2024");
    v.put("period_start", Date.valueOf("2025-01-01"));
    v.put("period_end", Date.valueOf("2025-12-31"));
    v.put("group_index", 1);
    v.put("group_id", "g1");
    v.put("improvement_notation", improvement);
    v.put("initial_population", true);
    v.put("denominator", true);
    v.put("denominator_exclusion", excl);
    v.put("numerator", numer && !excl && !exception);
    v.put("numerator_exclusion", false);
    v.put("denominator_exception", exception);
    v.put("evidence", JavaConverters.mapAsScalaMap(Map.of()));
    v.put("strata", JavaConverters.mapAsScalaMap(Map.of()));
    v.put("evaluated_at", Timestamp.valueOf("2026-01-15 00:00:00"));
    return v;
  }

  /** gold.measure_summary's columns that the MeasureReport export reads. */
  static final StructType SUMMARY = new StructType().add("measure", DataTypes.StringType)
      .add("group_index", DataTypes.IntegerType).add("scoring", DataTypes.StringType)
      .add("measure_score", DataTypes.DoubleType);

  /** A gold.measure_result row as the DEQM export tests use it: version 0.2.000, group Group_1, plus {@code more}. */
  static Row row(String measure, String url, String improvement, String person, boolean excl, boolean exception,
      boolean numer, Map<String, Object> more) {
    Map<String, Object> v = columns(measure, improvement, person, excl, exception, numer);
    v.put("measure_url", url);
    v.put("measure_version", "0.2.000");
    v.put("group_id", "Group_1");
    v.putAll(more);
    StructType result = ContractRegistry.get().contract("gold.measure_result").schema();
    Object[] values = new Object[result.size()];
    v.forEach((k, x) -> values[result.fieldIndex(k)] = x);
    return new GenericRowWithSchema(values, result);
  }

  /** A gold.care_gap row of period 2025 (due at its end), with what closes it as a package would say. */
  static Row careGap(String person, String measure, int group, String status, boolean inverse) {
    Map<String, Object> v = new HashMap<>();
    v.put("person_key", person);
    v.put("patient_refs", JavaConverters.asScalaBuffer(List.of(person)).toSeq());
    v.put("measure", measure);
    v.put("cms_id", "CMS");
    v.put("measure_title", measure + " title");
    v.put("period_start", Date.valueOf("2025-01-01"));
    v.put("period_end", Date.valueOf("2025-12-31"));
    v.put("group_index", group);
    v.put("status", status);
    v.put("due_date", Date.valueOf("2025-12-31"));
    v.put("inverse", inverse);
    v.put("to_close", (inverse ? "Inverse measure: leave the numerator — " : "Meet the numerator — ") + "a mammogram.");
    v.put("close_with", JavaConverters.asScalaBuffer(List.of("Diagnostic Study: Mammography")).toSeq());
    StructType gap = ContractRegistry.get().contract("gold.care_gap").schema();
    Object[] values = new Object[gap.size()];
    v.forEach((k, x) -> values[gap.fieldIndex(k)] = x);
    return new GenericRowWithSchema(values, gap);
  }
}
