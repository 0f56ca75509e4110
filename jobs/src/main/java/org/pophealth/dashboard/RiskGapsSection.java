package org.pophealth.dashboard;

import static org.pophealth.dashboard.DashboardFormat.count;
import static org.pophealth.dashboard.DashboardFormat.dec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.pophealth.dashboard.DashboardModel.Chart;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DashboardModel.Series;
import org.pophealth.dashboard.DashboardModel.Table;

/**
 * The risk-adjustment gaps section, from gold.hcc_gap (find-hcc-gaps) of the configured payment year (the
 * latest in the table when none is configured): per gap kind (recapture, suspect) how many gaps are open,
 * closed and dismissed, how many persons have an open one and what the open ones are worth; then the HCC
 * labels with the most persons with an open gap.
 *
 * <p>A gap is one (person, gap kind, HCC label), as for the cohorts' hcc_gap rule: gold.hcc_gap has a row
 * per model, and the V24 and V28 rows of one condition carry the same CMS label while their HCC numbers
 * differ, so they count once, worth the larger of their values; the gap is open when any of its rows is,
 * else closed when any is, else dismissed. A row without a label stands alone ("V28 HCC 37").
 *
 * <p>Every count of 1..min-1 is suppressed; a kind's value is a sum over its persons with an open gap and is
 * hidden with them. No total is shown beside the statuses, so no complementary cell is needed. An absent
 * gold.hcc_gap, or one without rows of the year, is a section saying no gaps were computed.
 */
final class RiskGapsSection {
  static final String ID = "risk-gaps";
  private static final String TITLE = "Risk-adjustment gaps";
  /** gold.hcc_gap's gap kinds and statuses, in display order. */
  static final List<String> KINDS = List.of("recapture", "suspect");
  static final List<String> STATUSES = List.of("open", "closed", "dismissed");
  /** HCC labels shown. */
  static final int TOP = 10;
  /** The condition of a row: its label, else model and HCC number. */
  private static final String LABEL = "trim(coalesce(hcc_label, concat(model, ' HCC ', hcc)))";

  private RiskGapsSection() {}

  /** One kind's gaps per status (order of {@link #STATUSES}), persons with an open one, the open ones' value. */
  record Kind(String kind, List<Long> byStatus, long persons, Double openValue) {}

  /** An HCC label and the persons with an open gap on it (any kind). */
  record Label(String label, long persons) {}

  /**
   * The section's figures: {@code table} false when gold.hcc_gap does not exist; {@code year} the payment year
   * (null: none configured and no rows); {@code kinds} one per {@link #KINDS}, empty when the year has no rows;
   * {@code labels} the {@value #TOP} labels with the most persons with an open gap, most first.
   */
  record Gaps(boolean table, Integer year, List<Kind> kinds, List<Label> labels) {}

  // ---------------------------------------------------------------- query

  static Gaps query(DashboardTables tables, Integer paymentYear) {
    if (!tables.view("gold.hcc_gap", "d_hcc")) {
      return new Gaps(false, paymentYear, List.of(), List.of());
    }
    Integer year = paymentYear != null ? paymentYear
        : tables.sql("SELECT max(payment_year) AS y FROM d_hcc").get(0).<Integer>getAs("y");
    if (year == null) {
      return new Gaps(true, null, List.of(), List.of());
    }
    // one row per (person, kind, condition): open if any of its rows is, else closed, else dismissed
    String gaps = """
        WITH g AS (
          SELECT person_key, gap_kind, min(%1$s) AS label,
                 CASE WHEN bool_or(status = 'open') THEN 'open' WHEN bool_or(status = 'closed') THEN 'closed'
                      WHEN bool_or(status = 'dismissed') THEN 'dismissed' END AS status,
                 max(CASE WHEN status = 'open' THEN value END) AS value
          FROM d_hcc WHERE payment_year = %2$d
          GROUP BY person_key, gap_kind, lower(%1$s))
        """.formatted(LABEL, year);
    Map<String, Row> byKind = tables.sql(gaps + """
        SELECT gap_kind, count_if(status = 'open') AS open, count_if(status = 'closed') AS closed,
               count_if(status = 'dismissed') AS dismissed,
               count(DISTINCT CASE WHEN status = 'open' THEN person_key END) AS persons,
               sum(CASE WHEN status = 'open' THEN value END) AS open_value
        FROM g GROUP BY gap_kind""").stream().collect(Collectors.toMap(r -> r.<String>getAs("gap_kind"), r -> r));
    if (byKind.isEmpty()) {
      return new Gaps(true, year, List.of(), List.of());
    }
    List<Kind> kinds = new ArrayList<>();
    for (String k : KINDS) {
      Row r = byKind.get(k);
      kinds.add(r == null ? new Kind(k, List.of(0L, 0L, 0L), 0, null)
          : new Kind(k, List.of(r.<Long>getAs("open"), r.<Long>getAs("closed"), r.<Long>getAs("dismissed")),
              r.<Long>getAs("persons"), r.getAs("open_value")));
    }
    List<Label> labels = tables.sql(gaps + """
        SELECT min(label) AS hcc_label, count(DISTINCT person_key) AS persons FROM g WHERE status = 'open'
        GROUP BY lower(label) ORDER BY persons DESC, hcc_label LIMIT %d""".formatted(TOP)).stream()
        .map(r -> new Label(r.getAs("hcc_label"), r.<Long>getAs("persons"))).toList();
    return new Gaps(true, year, kinds, labels);
  }

  // ---------------------------------------------------------------- model

  /** The section: one saying no gaps were computed without gold.hcc_gap or without rows of the year. */
  static Section build(Gaps data, int min) {
    if (!data.table()) {
      return new Section(ID, TITLE, "No risk-adjustment gaps computed: gold.hcc_gap does not exist yet "
          + "(find-hcc-gaps runs after score-risk).", List.of());
    }
    if (data.kinds().isEmpty()) {
      return new Section(ID, TITLE, "No risk-adjustment gaps computed" + (data.year() == null ? ""
          : " for payment year " + data.year()) + " (gold.hcc_gap: find-hcc-gaps runs after score-risk).", List.of());
    }
    String mask = SmallCells.mask(min);
    int year = data.year();
    List<Panel> panels = new ArrayList<>();
    panels.add(statusPanel(data.kinds(), year, min));
    if (!data.labels().isEmpty()) {
      panels.add(labelPanel(data.labels(), year, min));
    }
    return new Section(ID, TITLE, "Risk-adjustment gaps of payment year " + year + " from gold.hcc_gap: recapture "
        + "(a chronic condition a prior year's score carried, not coded yet this year) and suspect gaps, open, "
        + "closed or dismissed. A condition counts once per person: its V24 and V28 rows share the HCC label and "
        + "are one gap, worth the larger of their values, open when either row is. Value: the open gaps' relative "
        + "factors added up (interactions and normalisation not included). Counts under " + min + " are shown as "
        + mask + "; a value is hidden with its persons.", panels);
  }

  private static Panel statusPanel(List<Kind> kinds, int year, int min) {
    String mask = SmallCells.mask(min);
    PanelRows t = new PanelRows(STATUSES.size());
    for (Kind k : kinds) {
      String label = DashboardFormat.capitalise(k.kind());
      List<Double> values = new ArrayList<>();
      List<String> cells = new ArrayList<>(List.of(label));
      for (long n : k.byStatus()) {
        boolean hidden = small(n, min);
        values.add(hidden ? null : (double) n);
        cells.add(count(n, hidden, mask));
      }
      boolean fewPersons = small(k.persons(), min);
      cells.add(count(k.persons(), fewPersons, mask));
      cells.add(fewPersons ? mask : dec(k.openValue(), 3));
      t.add(label, values, cells);
    }
    List<Series> series = new ArrayList<>();
    for (int i = 0; i < STATUSES.size(); i++) {
      series.add(new Series(DashboardFormat.capitalise(STATUSES.get(i)), t.values(i), false));
    }
    return new Panel(new Chart("risk-gaps-status", "bar", "Risk-adjustment gaps by status, payment year " + year,
        "Gap kind", "Gaps", t.labels(), series),
        new Table("Risk-adjustment gaps, payment year " + year + " (a condition once per person)",
            List.of("Gap kind", "Open", "Closed", "Dismissed", "Persons with an open gap", "Value of open gaps"),
            t.rows()));
  }

  /** Shown labels by persons (most first); suppressed ones after them by label, so their order says nothing. */
  private static Panel labelPanel(List<Label> labels, int year, int min) {
    String mask = SmallCells.mask(min);
    List<Label> ordered = new ArrayList<>(labels.stream().filter(l -> !small(l.persons(), min)).toList());
    ordered.addAll(labels.stream().filter(l -> small(l.persons(), min)).sorted(Comparator.comparing(Label::label))
        .toList());
    PanelRows t = new PanelRows(1);
    for (Label l : ordered) {
      boolean hidden = small(l.persons(), min);
      t.add(l.label(), hidden ? null : (double) l.persons(), List.of(l.label(), count(l.persons(), hidden, mask)));
    }
    String title = "HCCs with the most persons with an open gap, payment year " + year;
    return new Panel(new Chart("risk-gaps-hcc", "bar", title, "HCC", "Persons", t.labels(),
        List.of(new Series("Persons with an open gap", t.values(0), false))),
        new Table(title, List.of("HCC", "Persons with an open gap"), t.rows()));
  }

  private static boolean small(long n, int min) {
    return n > 0 && n < min;
  }
}
