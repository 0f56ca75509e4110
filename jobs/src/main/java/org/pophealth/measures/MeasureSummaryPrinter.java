package org.pophealth.measures;

import static org.apache.spark.sql.functions.col;

import java.io.PrintWriter;
import java.time.LocalDate;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.io.TextTable;

/** Console output of evaluate-measures: the run's counts and the overall row of every measure group. */
public final class MeasureSummaryPrinter {
  private MeasureSummaryPrinter() {}

  public static void print(EvaluateMeasures.Result r, Lakehouse lakehouse, LocalDate start, LocalDate end, PrintWriter out) {
    out.printf("evaluate-measures %s..%s: %d persons (%d evaluated, %d unchanged and kept), %d person-measure"
            + " evaluations run in %.1f s (%.0f/s), %d with CQL errors; gold.measure_result %d rows,"
            + " gold.measure_summary %d rows, gold.care_gap %d open or prospective gaps%n",
        start, end, r.persons(), r.evaluatedPersons(), r.reusedPersons(), r.evaluatedNow(), r.evaluateSeconds(),
        r.evaluationsPerSecond(), r.errors(), r.resultRows(), r.summaryRows(), r.gaps());
    TextTable t = new TextTable("measure", "group", "improve", "initial_pop", "denominator", "exclusions", "exceptions",
        "numerator", "rate/score");
    for (Row s : lakehouse.read("gold.measure_summary")
        .filter(col("stratifier").equalTo("all").and(col("period_start").equalTo(java.sql.Date.valueOf(start)))
            .and(col("period_end").equalTo(java.sql.Date.valueOf(end))))
        .orderBy("cms_id", "group_index")
        .select("cms_id", "group_index", "improvement_notation", "initial_population", "denominator",
            "denominator_exclusion", "denominator_exception", "numerator", "performance_rate", "suppressed", "scoring",
            "measure_population", "measure_score")
        .collectAsList()) {
      boolean suppressed = s.getBoolean(9);
      String scoring = s.isNullAt(10) ? "proportion" : s.getString(10);
      boolean cv = scoring.equals("continuous-variable");
      // a continuous-variable group shows its measure population where others show the denominator, and its
      // observations' aggregate as the score; a ratio its numerator over denominator; a cohort its count only
      String score = suppressed ? "<11" : scoring.equals("cohort") ? "(cohort)"
          : cv || scoring.equals("ratio") ? (s.isNullAt(12) ? "-" : String.format("%.3f", s.getDouble(12)))
          : s.isNullAt(8) ? "-" : String.format("%.1f%%", 100 * s.getDouble(8));
      t.row(s.get(0), s.get(1), s.get(2), cell(s, 3, suppressed), cell(s, cv ? 11 : 4, suppressed),
          cell(s, 5, suppressed), cell(s, 6, suppressed), cell(s, 7, suppressed), score);
    }
    t.print(out);
    out.println("(cells with 1-10 persons are suppressed: '<11'; exact counts in gold.measure_result)");
    printDiagnostics(lakehouse, start, end, out);
  }

  /**
   * Why each measure finds so few: the funnel (persons at each population step, exact: this is the analyst's
   * console, not an executive output) and, for those who fell out, the data the logic looks for that they do
   * have (present but not counted) and the encounter codes no encounter value set of the measure holds.
   */
  static void printDiagnostics(Lakehouse lakehouse, LocalDate start, LocalDate end, PrintWriter out) {
    if (!lakehouse.exists("gold.measure_diagnostic")) {
      return;
    }
    java.util.List<Row> rows = lakehouse.read("gold.measure_diagnostic")
        .filter(col("period_start").equalTo(java.sql.Date.valueOf(start)).and(col("period_end").equalTo(java.sql.Date.valueOf(end))))
        .select("cms_id", "group_index", "measure_title", "kind", "step", "item", "persons", "of_persons")
        .orderBy(col("cms_id"), col("group_index"), col("kind"), col("persons").desc(), col("item"))
        .collectAsList();
    if (rows.isEmpty()) {
      return;
    }
    out.println();
    out.println("why each measure finds whom it finds (gold.measure_diagnostic): persons at each step; for those outside");
    out.println("the numerator or initial population, data the logic looks for that they have (present but not counted:");
    out.println("status, category or dates; or a mapping gap), and their encounter codes in none of the measure's value sets");
    java.util.Map<String, java.util.List<Row>> byGroup = new java.util.LinkedHashMap<>();
    for (Row r : rows) {
      byGroup.computeIfAbsent(r.getString(0) + " g" + r.getInt(1), k -> new java.util.ArrayList<>()).add(r);
    }
    for (java.util.Map.Entry<String, java.util.List<Row>> e : byGroup.entrySet()) {
      java.util.Map<String, Long> funnel = new java.util.HashMap<>();
      String title = null;
      for (Row r : e.getValue()) {
        title = r.getString(2);
        if (r.getString(3).equals("funnel")) {
          funnel.put(r.getString(4), r.getLong(6));
        }
      }
      out.printf("%s %s: evaluated %d -> initial population %d -> denominator %d (excluded %d, exceptions %d) -> numerator %d;"
              + " not in numerator %d%n", e.getKey(), title == null ? "" : title, funnel.getOrDefault("evaluated", 0L),
          funnel.getOrDefault("initial_population", 0L), funnel.getOrDefault("denominator", 0L),
          funnel.getOrDefault("denominator_exclusion", 0L), funnel.getOrDefault("denominator_exception", 0L),
          funnel.getOrDefault("numerator", 0L), funnel.getOrDefault("not_in_numerator", 0L));
      detail(out, e.getValue(), "data_element", "not_in_numerator", "  not in numerator, but have ");
      detail(out, e.getValue(), "data_element", "not_in_initial_population", "  not in initial population, but have ");
      detail(out, e.getValue(), "unmatched_encounter_code", "not_in_initial_population",
          "  not in initial population, encounter codes in no value set of the measure: ");
    }
  }

  private static void detail(PrintWriter out, java.util.List<Row> rows, String kind, String step, String prefix) {
    java.util.List<String> items = new java.util.ArrayList<>();
    for (Row r : rows) {
      if (r.getString(3).equals(kind) && r.getString(4).equals(step) && items.size() < 3) {
        items.add(r.getString(5) + " (" + r.getLong(6) + " of " + r.getLong(7) + ")");
      }
    }
    if (!items.isEmpty()) {
      out.println(prefix + String.join("; ", items));
    }
  }

  private static String cell(Row s, int i, boolean suppressed) {
    return suppressed ? "<11" : String.valueOf(s.get(i));
  }
}
