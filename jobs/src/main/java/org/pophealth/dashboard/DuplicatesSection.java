package org.pophealth.dashboard;

import static org.pophealth.dashboard.DashboardFormat.dec;
import static org.pophealth.dashboard.DashboardFormat.num;
import static org.pophealth.dashboard.DashboardFormat.pct;
import static org.pophealth.dashboard.DashboardFormat.pctValue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.pophealth.dashboard.DashboardModel.Chart;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DashboardModel.Series;
import org.pophealth.dashboard.DashboardModel.Table;

/**
 * The duplicate tests section, from gold.duplicate_test_rate: rate and cost per test family, the
 * monthly trend per family and each organisation's latest month. The table suppresses its own small
 * cells; the dashboard also hides cells with fewer than min persons tested and, within a family's
 * months or organisations, one complementary cell when exactly one is hidden.
 */
final class DuplicatesSection {
  static final String ID = "duplicates";
  private static final String TITLE = "Duplicate tests";
  private static final List<String> HEADERS =
      List.of("Test family", "Tests", "Duplicates", "Duplicate rate", "Cost of duplicates ($)");

  private DuplicatesSection() {}

  /**
   * A row of gold.duplicate_test_rate: {@code month} (yyyy-MM-dd) is null at level family,
   * {@code organization} outside level family_organization_month and when unknown; {@code cost} is
   * read at level family only.
   */
  record Cell(String family, String organization, String month, boolean suppressed, Long personsTested, Long tests,
      Long duplicates, Double rate, Double cost) {}

  /**
   * The family rows by family; the family_month rows by month and family; the family_organization_month rows of
   * the latest month by organisation and family.
   */
  record Rates(List<Cell> families, List<Cell> months, List<Cell> organizations) {}

  // ---------------------------------------------------------------- query

  /** The table's rows (none when it does not exist or has no family rows). */
  static Rates query(DashboardTables tables) {
    if (!tables.view("gold.duplicate_test_rate", "d_dup")) {
      return new Rates(List.of(), List.of(), List.of());
    }
    List<Cell> families = cells(tables, "SELECT family, CAST(NULL AS STRING) AS org, CAST(NULL AS STRING) AS month, "
        + "suppressed, persons_tested, tests, duplicates, duplicate_rate, cast(duplicate_cost AS double) AS cost "
        + "FROM d_dup WHERE level = 'family' ORDER BY family");
    if (families.isEmpty()) {
      return new Rates(List.of(), List.of(), List.of());
    }
    List<Cell> months = cells(tables, "SELECT family, CAST(NULL AS STRING) AS org, cast(month AS string) AS month, "
        + "suppressed, persons_tested, tests, duplicates, duplicate_rate, CAST(NULL AS DOUBLE) AS cost "
        + "FROM d_dup WHERE level = 'family_month' ORDER BY month, family");
    List<Cell> organizations = cells(tables, "SELECT family, organization_key AS org, cast(month AS string) AS month, "
        + "suppressed, persons_tested, tests, duplicates, duplicate_rate, CAST(NULL AS DOUBLE) AS cost "
        + "FROM d_dup WHERE level = 'family_organization_month' "
        + "AND month = (SELECT max(month) FROM d_dup WHERE level = 'family_organization_month') "
        + "ORDER BY org, family");
    return new Rates(families, months, organizations);
  }

  private static List<Cell> cells(DashboardTables tables, String query) {
    return tables.sql(query).stream().map((Row r) -> new Cell(r.getAs("family"), r.getAs("org"), r.getAs("month"),
        r.<Boolean>getAs("suppressed"), r.getAs("persons_tested"), r.getAs("tests"), r.getAs("duplicates"),
        r.getAs("duplicate_rate"), r.getAs("cost"))).toList();
  }

  // ---------------------------------------------------------------- suppression

  /** Hidden by the table's own suppression, or fewer than min persons tested (unknown counts as none). */
  static boolean hidden(Cell c, int min) {
    return c.suppressed() || (c.personsTested() == null ? 0 : c.personsTested()) < min;
  }

  /**
   * Cells of one family's series (months, or organisations) to hide: the cells {@link #hidden}, plus the
   * complementary one of {@link SmallCells#complement} by tests, so that a hidden cell cannot be derived
   * from the family's total.
   */
  static Set<String> hiddenInSeries(Map<String, Cell> series, int min) {
    Set<String> hidden = new TreeSet<>();
    Map<String, Long> tests = new LinkedHashMap<>();
    series.forEach((k, c) -> {
      tests.put(k, c.tests());
      if (hidden(c, min)) {
        hidden.add(k);
      }
    });
    return SmallCells.complement(hidden, tests);
  }

  // ---------------------------------------------------------------- model

  /** The section: a "No data yet" one without family rows. */
  static Section build(Rates data, int min) {
    if (data.families().isEmpty()) {
      return DashboardFormat.empty(ID, TITLE);
    }
    String mask = SmallCells.mask(min);
    List<Panel> panels = new ArrayList<>(familyPanels(data.families(), min));
    if (!data.months().isEmpty()) {
      panels.add(monthPanel(data.months(), min));
    }
    if (!data.organizations().isEmpty()) {
      panels.add(organizationPanel(data.organizations(), min));
    }
    return new Section(ID, TITLE, "From gold.duplicate_test_rate; cells with fewer than " + min
        + " tests or persons tested are shown as " + mask + ".", panels);
  }

  /** Duplicate rate and cost per family, all months (the same table under both charts). */
  private static List<Panel> familyPanels(List<Cell> families, int min) {
    String mask = SmallCells.mask(min);
    PanelRows t = new PanelRows(2);
    for (Cell c : families) {
      boolean h = hidden(c, min);
      t.add(c.family(), h ? null : pctValue(c.rate()), h ? null : c.cost(), List.of(c.family(),
          h ? mask : num(c.tests()), h ? mask : num(c.duplicates()), h ? mask : pct(c.rate()),
          h ? mask : dec(c.cost(), 2)));
    }
    return List.of(new Panel(new Chart("duplicates-by-family", "bar", "Duplicate test rate by test family",
        "Test family", "Duplicate rate (%)", t.labels(), List.of(new Series("Duplicate rate", t.values(0), false))),
        new Table("Duplicate tests by family, all months", HEADERS, t.rows())),
        new Panel(new Chart("duplicates-cost", "bar", "Cost of duplicate tests by test family",
        "Test family", "Allowed amount ($)", t.labels(), List.of(new Series("Cost", t.values(1), false))),
        new Table("Cost of duplicate tests by family", HEADERS, t.rows())));
  }

  /** The monthly trend, a series per family; a family's months add up to its total (complement). */
  private static Panel monthPanel(List<Cell> months, int min) {
    TreeSet<String> monthSet = new TreeSet<>();
    Map<String, Map<String, Cell>> byFamily = new TreeMap<>();
    for (Cell c : months) {
      monthSet.add(c.month());
      byFamily.computeIfAbsent(c.family(), k -> new TreeMap<>()).put(c.month(), c);
    }
    List<String> mlist = new ArrayList<>(monthSet);
    List<Series> series = new ArrayList<>();
    List<List<String>> mrows = new ArrayList<>();
    for (Map.Entry<String, Map<String, Cell>> e : byFamily.entrySet()) {
      Set<String> hiddenMonths = hiddenInSeries(e.getValue(), min);
      List<Double> vals = new ArrayList<>();
      for (String m : mlist) {
        Cell c = e.getValue().get(m);
        boolean h = c != null && hiddenMonths.contains(m);
        vals.add(c == null || h ? null : pctValue(c.rate()));
        if (c != null) {
          mrows.add(rateRow(m, e.getKey(), c, h, min));
        }
      }
      series.add(new Series(e.getKey(), vals, false));
    }
    return new Panel(new Chart("duplicates-trend", "line", "Duplicate test rate by month", "Month",
        "Duplicate rate (%)", mlist, series), new Table("Duplicate tests by month and family",
        List.of("Month", "Test family", "Tests", "Duplicates", "Duplicate rate"), mrows));
  }

  /** Each (family, organisation) in the latest month; a family's organisations add up to its total (complement). */
  private static Panel organizationPanel(List<Cell> cells, int min) {
    String month = cells.get(0).month();
    Map<String, Map<String, Cell>> orgsByFamily = new TreeMap<>();
    for (Cell c : cells) {
      orgsByFamily.computeIfAbsent(c.family(), k -> new TreeMap<>())
          .put(c.organization() == null ? "" : c.organization(), c);
    }
    Set<Cell> hiddenCells = new HashSet<>();
    orgsByFamily.values().forEach(m -> hiddenInSeries(m, min).forEach(k -> hiddenCells.add(m.get(k))));
    PanelRows t = new PanelRows(1);
    for (Cell c : cells) {
      boolean h = hiddenCells.contains(c);
      t.add((c.organization() == null ? "(unknown)" : c.organization()) + " \u00b7 " + c.family(),
          h ? null : pctValue(c.rate()), rateRow(num(c.organization()), c.family(), c, h, min));
    }
    return new Panel(new Chart("duplicates-by-organization", "bar",
        "Duplicate test rate by organisation and family, " + month, "Organisation \u00b7 test family",
        "Duplicate rate (%)", t.labels(), List.of(new Series("Duplicate rate", t.values(0), false))),
        new Table("Duplicate tests by organisation, " + month, List.of("Organisation", "Test family", "Tests",
            "Duplicates", "Duplicate rate"), t.rows()));
  }

  /** A table row: two leading cells, then tests, duplicates and rate (masked when hidden). */
  private static List<String> rateRow(String first, String second, Cell c, boolean hidden, int min) {
    String mask = SmallCells.mask(min);
    return List.of(first, second, hidden ? mask : num(c.tests()), hidden ? mask : num(c.duplicates()),
        hidden ? mask : pct(c.rate()));
  }
}
