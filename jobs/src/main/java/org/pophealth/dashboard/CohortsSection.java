package org.pophealth.dashboard;

import static org.pophealth.dashboard.DashboardFormat.count;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.pophealth.dashboard.DashboardModel.Chart;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DashboardModel.Series;
import org.pophealth.dashboard.DashboardModel.Table;

/**
 * The cohorts section, from ops.publication: each cohort's latest publish against the publication it
 * was compared with. Size, previous size, added and removed obey size = previous + added - removed, so
 * they are suppressed together with {@link SmallCells#suppress}.
 */
final class CohortsSection {
  static final String ID = "cohorts";
  private static final String TITLE = "Cohorts";

  private CohortsSection() {}

  /**
   * A cohort's latest publish: persons listed, listed by the previous publication (null when there is
   * none or it is not in the table), added and removed since.
   */
  record Publication(String cohort, String publication, Long listed, Long previous, Long added, Long removed) {}

  /** What a row shows: indexes (listed, previous, added, removed) suppressed, and the net change ("" if not shown). */
  record Shown(Set<Integer> suppressed, String change) {}

  // ---------------------------------------------------------------- query

  /** The latest publish per cohort, by cohort (none when ops.publication does not exist). */
  static List<Publication> query(DashboardTables tables) {
    if (!tables.view("ops.publication", "d_pub")) {
      return List.of();
    }
    return tables.sql("""
        SELECT c.cohort, c.publication, c.listed, c.added, c.removed, p.listed AS prev_listed, c.previous_publication
        FROM (SELECT *, row_number() OVER (PARTITION BY cohort ORDER BY at DESC) AS rn FROM d_pub
              WHERE action = 'publish') c
        LEFT JOIN (SELECT cohort, publication, max(listed) AS listed FROM d_pub WHERE action = 'publish'
                   GROUP BY cohort, publication) p
          ON p.cohort = c.cohort AND p.publication = c.previous_publication
        WHERE c.rn = 1 ORDER BY c.cohort""").stream()
        .map(r -> new Publication(r.getAs("cohort"), r.getAs("publication"), r.getAs("listed"),
            r.getAs("prev_listed"), r.getAs("added"), r.getAs("removed"))).toList();
  }

  // ---------------------------------------------------------------- suppression

  /**
   * Never exactly one of listed, previous, added, removed hidden (it would follow from the identity); the net
   * change is shown only when both sizes are (it is their difference).
   */
  static Shown shown(Publication p, int min) {
    Set<Integer> sup = SmallCells.suppress(Arrays.asList(p.listed(), p.previous(), p.added(), p.removed()), min);
    String change = p.listed() == null || p.previous() == null || sup.contains(0) || sup.contains(1) ? ""
        : String.format(Locale.ROOT, "%+d", p.listed() - p.previous());
    return new Shown(sup, change);
  }

  // ---------------------------------------------------------------- model

  /** The section: a "No data yet" one without publishes. */
  static Section build(List<Publication> rows, int min) {
    if (rows.isEmpty()) {
      return DashboardFormat.empty(ID, TITLE);
    }
    String mask = SmallCells.mask(min);
    PanelRows t = new PanelRows(2);
    for (Publication p : rows) {
      Shown s = shown(p, min);
      Set<Integer> sup = s.suppressed();
      t.add(p.cohort(), sup.contains(0) || p.listed() == null ? null : p.listed().doubleValue(),
          sup.contains(1) || p.previous() == null ? null : p.previous().doubleValue(),
          List.of(p.cohort(), p.publication(), count(p.listed(), sup.contains(0), mask),
              count(p.previous(), sup.contains(1), mask), count(p.added(), sup.contains(2), mask),
              count(p.removed(), sup.contains(3), mask), s.change()));
    }
    List<Panel> panels = List.of(new Panel(new Chart("cohorts-size", "bar",
        "Cohort size: latest and previous publication", "Cohort", "Persons listed", t.labels(),
        List.of(new Series("Latest publication", t.values(0), false),
            new Series("Previous publication", t.values(1), true))),
        new Table("Cohort size and change since the previous publication", List.of("Cohort", "Publication",
            "Listed", "Previous", "Added", "Removed", "Change"), t.rows())));
    return new Section(ID, TITLE, "Latest publish per cohort from ops.publication.", panels);
  }
}
