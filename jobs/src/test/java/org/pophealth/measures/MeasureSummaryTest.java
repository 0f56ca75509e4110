package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;
import scala.collection.JavaConverters;

/**
 * Summary arithmetic, small-cell suppression and care gaps on hand-made measure results (expected
 * values computed by hand below, not by the code under test).
 */
class MeasureSummaryTest {

  @Test
  void rateExcludesExclusionsAndExceptionsSuppressesSmallCellsAndListsGaps() {
    Lakehouse lh = SharedSpark.newLakehouse();
    List<Row> rows = new ArrayList<>();
    // BreastCancerScreening: 20 in the denominator; p1-p2 excluded, p3-p5 exceptions, p6-p14 numerator,
    // p15-p20 open gaps. p1-p12 female, p13-p20 male.
    for (int i = 1; i <= 20; i++) {
      rows.add(row("BreastCancerScreeningFHIR", "increase", "p" + i, i <= 12 ? "female" : "male",
          i <= 2, i >= 3 && i <= 5, i >= 6 && i <= 14));
    }
    // Inverse measure (CMS122): q1 in the numerator (poor control) is the gap, q2 is not.
    rows.add(row("DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR", "decrease", "q1", "male", false, false, true));
    rows.add(row("DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR", "decrease", "q2", "male", false, false, false));
    Dataset<Row> results = lh.spark().createDataFrame(rows, lh.contract("gold.measure_result").schema());

    EvaluateMeasures job = new EvaluateMeasures(lh, "qicore-2024", LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31))
        .smallCellThreshold(5);
    Map<String, Row> summary = job.summarize(results, new Timestamp(0)).filter("measure = 'BreastCancerScreeningFHIR'")
        .collectAsList().stream().collect(Collectors.toMap(r -> r.getAs("stratifier") + "/" + r.getAs("stratum"), r -> r));
    Row all = summary.get("all/all");
    assertEquals(20L, (long) all.getAs("denominator"));
    assertEquals(2L, (long) all.getAs("denominator_exclusion"));
    assertEquals(3L, (long) all.getAs("denominator_exception"));
    assertEquals(9L, (long) all.getAs("numerator"));
    assertEquals(9.0 / 15.0, (double) all.getAs("performance_rate"), 1e-9, "9 / (20 - 2 - 3)");
    assertFalse((boolean) all.getAs("suppressed"));
    Row female = summary.get("sex/female");
    assertEquals(1.0, (double) female.getAs("performance_rate"), 1e-9, "7 / (12 - 2 - 3)");
    Row male = summary.get("sex/male");
    assertTrue((boolean) male.getAs("suppressed"), "male numerator 2 is below the threshold 5");
    assertNull(male.getAs("numerator"));
    assertNull(male.getAs("performance_rate"));
    assertEquals(20L, (long) summary.get("age_band/(none)").getAs("denominator"), "unknown stratum kept as (none)");

    MeasurePackage pkg = LoadMeasurePackage.cached("qicore-2024");
    List<String> gaps = EvaluateMeasures.careGaps(results, pkg).select("person_key").collectAsList().stream()
        .map(r -> r.getString(0)).sorted().toList();
    assertEquals(List.of("p15", "p16", "p17", "p18", "p19", "p20", "q1"), gaps);
  }

  private static Row row(String measure, String improvement, String person, String sex, boolean excl, boolean exception,
      boolean numer) {
    boolean n = numer && !excl && !exception;
    return RowFactory.create(person, null, JavaConverters.asScalaBuffer(List.of("ehr:" + person)).toSeq(), measure,
        "CMS", "url", "1", "qicore-2024", Date.valueOf("2025-01-01"), Date.valueOf("2025-12-31"), 1, "g1", improvement,
        true, true, excl, n, false, exception, JavaConverters.mapAsScalaMap(Map.of()), JavaConverters.mapAsScalaMap(Map.of()),
        null, sex, null, null, null, new Timestamp(0));
  }
}
