package org.pophealth.dashboard;

import static org.pophealth.dashboard.DashboardFormat.count;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pophealth.dashboard.DashboardModel.Chart;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DashboardModel.Series;
import org.pophealth.dashboard.DashboardModel.Table;

/**
 * The care-gaps section, from gold.care_gap: per measure and rate group of the latest measurement period, how
 * many persons of the initial population have an open, prospective (period still running), closed or
 * not-applicable gap. The four counts add up to the initial population shown beside them, so they are
 * suppressed together with {@link SmallCells#suppress} (never exactly one small count hidden).
 */
final class CareGapsSection {
  static final String ID = "care-gaps";
  private static final String TITLE = "Care gaps";
  /** gold.care_gap's statuses, in display order. */
  static final List<String> STATUSES = List.of("open", "prospective", "closed", "not-applicable");

  private CareGapsSection() {}

  /** Persons per status (order of {@link #STATUSES}) of one measure's rate group in the latest period. */
  record Gaps(String measure, String cmsId, int group, String title, String period, List<Long> byStatus) {
    long total() {
      return byStatus.stream().mapToLong(Long::longValue).sum();
    }

    String label() {
      return new MeasuresSection.MeasureKey(measure, cmsId, group, false, title).label();
    }
  }

  // ---------------------------------------------------------------- query

  /** Counts of the latest period in gold.care_gap (none when the table does not exist), by CMS id and group. */
  static List<Gaps> query(DashboardTables tables) {
    if (!tables.view("gold.care_gap", "d_gap")) {
      return List.of();
    }
    return tables.sql("""
        SELECT measure, cms_id, group_index, max(measure_title) AS title, cast(period_start AS string) AS period,
               count(DISTINCT CASE WHEN status = 'open' THEN person_key END) AS open,
               count(DISTINCT CASE WHEN status = 'prospective' THEN person_key END) AS prospective,
               count(DISTINCT CASE WHEN status = 'closed' THEN person_key END) AS closed,
               count(DISTINCT CASE WHEN status = 'not-applicable' THEN person_key END) AS not_applicable
        FROM d_gap WHERE period_start = (SELECT max(period_start) FROM d_gap)
        GROUP BY measure, cms_id, group_index, period_start
        ORDER BY cms_id, measure, group_index""").stream()
        .map(r -> new Gaps(r.getAs("measure"), r.getAs("cms_id"), r.<Integer>getAs("group_index"), r.getAs("title"),
            r.getAs("period"), List.of(r.<Long>getAs("open"), r.<Long>getAs("prospective"), r.<Long>getAs("closed"),
                r.<Long>getAs("not_applicable"))))
        .toList();
  }

  // ---------------------------------------------------------------- model

  /** The section: a "No data yet" one without rows. */
  static Section build(List<Gaps> rows, int min) {
    if (rows.isEmpty()) {
      return DashboardFormat.empty(ID, TITLE);
    }
    String mask = SmallCells.mask(min);
    PanelRows t = new PanelRows(STATUSES.size());
    for (Gaps g : rows) {
      // the initial population is a count too: a small one hides the whole row
      boolean smallTotal = g.total() > 0 && g.total() < min;
      Set<Integer> sup = SmallCells.suppress(g.byStatus(), min);
      List<Double> values = new ArrayList<>();
      List<String> cells = new ArrayList<>(List.of(g.label()));
      for (int i = 0; i < STATUSES.size(); i++) {
        boolean hidden = smallTotal || sup.contains(i);
        values.add(hidden ? null : g.byStatus().get(i).doubleValue());
        cells.add(count(g.byStatus().get(i), hidden, mask));
      }
      cells.add(count(g.total(), smallTotal, mask));
      t.add(g.label(), values, cells);
    }
    List<Series> series = new ArrayList<>();
    for (int i = 0; i < STATUSES.size(); i++) {
      series.add(new Series(DashboardFormat.capitalise(STATUSES.get(i).replace('-', ' ')), t.values(i), false));
    }
    List<String> headers = new ArrayList<>(List.of("Measure"));
    STATUSES.forEach(s -> headers.add(DashboardFormat.capitalise(s.replace('-', ' '))));
    headers.add("Initial population");
    String period = rows.get(0).period();
    return new Section(ID, TITLE, "Persons of each measure's initial population by care-gap status from "
        + "gold.care_gap: open (not met, period over), prospective (not met, period still running), closed (met) "
        + "and not applicable (excluded or excepted). Cells with fewer than " + min + " persons are shown as " + mask
        + ", with one more where a single hidden cell could be derived from the total.",
        List.of(new Panel(new Chart("care-gaps-status", "bar", "Care-gap status per measure, period starting "
            + period, "Measure", "Persons", t.labels(), series),
            new Table("Persons by care-gap status, period starting " + period, headers, t.rows()))));
  }
}
