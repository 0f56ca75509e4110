package org.pophealth.measures;

import java.sql.Date;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
}
