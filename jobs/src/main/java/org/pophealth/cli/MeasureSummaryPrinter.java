package org.pophealth.cli;

import static org.apache.spark.sql.functions.col;

import java.io.PrintWriter;
import java.time.LocalDate;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.measures.EvaluateMeasures;

/** Console output of evaluate-measures: the run's counts and the overall row of every measure group. */
public final class MeasureSummaryPrinter {
  private MeasureSummaryPrinter() {}

  public static void print(EvaluateMeasures.Result r, Lakehouse lakehouse, LocalDate start, LocalDate end, PrintWriter out) {
    out.printf("evaluate-measures %s..%s: %d persons, %d person-measure evaluations in %.1f s (%.0f/s), %d with CQL"
            + " errors; gold.measure_result %d rows, gold.measure_summary %d rows, gold.care_gap %d open gaps%n",
        start, end, r.persons(), r.evaluations(), r.evaluateSeconds(), r.evaluationsPerSecond(), r.errors(),
        r.resultRows(), r.summaryRows(), r.gaps());
    TextTable t = new TextTable("measure", "group", "improve", "initial_pop", "denominator", "exclusions", "exceptions",
        "numerator", "rate");
    for (Row s : lakehouse.read("gold.measure_summary")
        .filter(col("stratifier").equalTo("all").and(col("period_start").equalTo(java.sql.Date.valueOf(start)))
            .and(col("period_end").equalTo(java.sql.Date.valueOf(end))))
        .orderBy("cms_id", "group_index")
        .select("cms_id", "group_index", "improvement_notation", "initial_population", "denominator",
            "denominator_exclusion", "denominator_exception", "numerator", "performance_rate", "suppressed")
        .collectAsList()) {
      boolean suppressed = s.getBoolean(9);
      t.row(s.get(0), s.get(1), s.get(2), cell(s, 3, suppressed), cell(s, 4, suppressed), cell(s, 5, suppressed),
          cell(s, 6, suppressed), cell(s, 7, suppressed),
          suppressed ? "<11" : s.isNullAt(8) ? "-" : String.format("%.1f%%", 100 * s.getDouble(8)));
    }
    t.print(out);
    out.println("(cells with 1-10 persons are suppressed: '<11'; exact counts in gold.measure_result)");
  }

  private static String cell(Row s, int i, boolean suppressed) {
    return suppressed ? "<11" : String.valueOf(s.get(i));
  }
}
