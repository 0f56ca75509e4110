package org.pophealth.dashboard;

import static org.pophealth.dashboard.DashboardFormat.num;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DashboardModel.Table;

/**
 * The claims data-quality section: the latest claims delivery of each source (ops.claim_validation), rows per
 * table, test or rule and severity (error: quarantined, warning: counted, unverified: a code an incomplete code
 * set does not list), and how many of the source's deliveries the test failed on. A few claim rows can be one
 * person's claims, so counts of 1 to min - 1 rows are suppressed with {@link SmallCells} (with the complementary
 * cell of the source's delivery).
 */
final class DataQualitySection {
  static final String ID = "data-quality";
  private static final String TITLE = "Claims data quality";

  private DataQualitySection() {}

  /** A test's (or rule's) failures in the latest delivery of a source; {@code runs}: deliveries it failed on. */
  record Failure(String source, String table, String rule, String severity, long rows, long runs) {}

  /** Null when ops.claim_validation does not exist. */
  static List<Failure> query(DashboardTables tables) {
    if (!tables.view("ops.claim_validation", "d_cv")) {
      return null;
    }
    return tables.sql("""
        SELECT l.source, l.table_name, l.rule, l.severity, l.rows, r.runs
        FROM d_cv l
        JOIN (SELECT source, max(run_id) AS run_id FROM d_cv GROUP BY source) m
          ON l.source = m.source AND l.run_id = m.run_id
        JOIN (SELECT source, table_name, rule, severity, count(DISTINCT run_id) AS runs FROM d_cv
              GROUP BY 1, 2, 3, 4) r
          ON l.source = r.source AND l.table_name = r.table_name AND l.rule = r.rule AND l.severity = r.severity
        ORDER BY 1, 2, 4, 3""").stream()
        .map(r -> new Failure(r.getAs("source"), r.getAs("table_name"), r.getAs("rule"), r.getAs("severity"),
            r.<Long>getAs("rows"), r.<Long>getAs("runs"))).toList();
  }

  /** The section; "No data yet" when the table does not exist or has no row. */
  static Section build(List<Failure> data, int min) {
    if (data == null || data.isEmpty()) {
      return DashboardFormat.empty(ID, TITLE);
    }
    Map<String, List<Failure>> bySource = new LinkedHashMap<>();
    data.forEach(f -> bySource.computeIfAbsent(f.source(), k -> new ArrayList<>()).add(f));
    List<List<String>> rows = new ArrayList<>();
    for (List<Failure> group : bySource.values()) {
      Set<Integer> hidden = SmallCells.suppress(group.stream().map(Failure::rows).toList(), min);
      for (int i = 0; i < group.size(); i++) {
        Failure f = group.get(i);
        rows.add(List.of(f.source(), f.table(), f.rule(), f.severity(),
            hidden.contains(i) ? SmallCells.mask(min) : num(f.rows()), num(f.runs())));
      }
    }
    return new Section(ID, TITLE, "From ops.claim_validation: the data-quality tests (measures/claims-quality/) and"
        + " validation rules that failed in each source's latest claims delivery. error: rows quarantined;"
        + " warning: rows loaded and counted; unverified: a code an incomplete code set does not list.",
        List.of(new Panel(null, new Table("Failing tests in the latest delivery per source (rows)",
            List.of("Source", "Table", "Test or rule", "Severity", "Rows", "Deliveries failed"), rows))));
  }
}
