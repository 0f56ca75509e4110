package org.pophealth.dashboard;

import static org.pophealth.dashboard.DashboardFormat.dec;
import static org.pophealth.dashboard.DashboardFormat.round3;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.pophealth.dashboard.DashboardModel.Chart;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DashboardModel.Series;
import org.pophealth.dashboard.DashboardModel.Table;

/**
 * The risk section, from gold.risk_score's BLEND rows: the latest payment year's score distribution,
 * risk tiers and averages by attributed organisation (gold.attribution) and by payer (gold.measure_result),
 * then the average score year over year. Every figure is a count of persons the dashboard makes itself,
 * so every one goes through small-cell suppression.
 */
final class RiskSection {
  static final String ID = "risk";
  private static final String TITLE = "Risk";
  /** Upper bounds of the score bands; the last band is everything from the last bound up. */
  private static final double[] BANDS = {0.5, 1.0, 1.5, 2.0, 3.0};

  private RiskSection() {}

  /** A payment year: persons scored, their average score, and the average change of those with a prior score. */
  record Year(int year, long persons, Double avgScore, Double avgChange, long changed) {}

  /** Persons of a group (organisation, payer) in the latest year and their average score. */
  record Group(String label, long persons, Double avgScore) {}

  /** Persons in each tier of the latest year (tiers overlap) and all persons scored. */
  record Tiers(long top1, long top5, long rising, long scored) {}

  /**
   * The section's figures: payment years in order (none: no scores); for the latest year, persons per
   * score band (one per {@link #bandLabels()}), the tiers, and the averages by organisation and by payer
   * (null when gold.attribution, gold.measure_result does not exist).
   */
  record Scores(List<Year> years, List<Long> bands, Tiers tiers, List<Group> byOrganization, List<Group> byPayer) {
    int latest() {
      return years.get(years.size() - 1).year();
    }
  }

  // ---------------------------------------------------------------- query

  private static final Scores NONE = new Scores(List.of(), List.of(), null, null, null);

  static Scores query(DashboardTables tables) {
    if (!tables.view("gold.risk_score", "d_risk")) {
      return NONE;
    }
    List<Year> years = tables.sql("SELECT payment_year, count(*) AS n, avg(payment_score) AS avg_score, "
        + "avg(score_change) AS avg_change, count(score_change) AS n_change FROM d_risk WHERE model = 'BLEND' "
        + "GROUP BY payment_year ORDER BY payment_year").stream()
        .map(r -> new Year(r.<Integer>getAs("payment_year"), r.<Long>getAs("n"), r.getAs("avg_score"),
            r.getAs("avg_change"), r.<Long>getAs("n_change"))).toList();
    if (years.isEmpty()) {
      return NONE;
    }
    int year = years.get(years.size() - 1).year();
    List<Long> bands = new ArrayList<>(Collections.nCopies(BANDS.length + 1, 0L));
    for (Row r : tables.sql("SELECT " + bandCase() + " AS b, count(*) AS n FROM d_risk WHERE model = 'BLEND' "
        + "AND payment_year = " + year + " GROUP BY 1")) {
      bands.set(r.<Integer>getAs("b"), r.<Long>getAs("n"));
    }
    Row t = tables.sql("SELECT count_if(tier_top_1pct) AS t1, count_if(tier_top_5pct) AS t5, "
        + "count_if(tier_rising) AS tr, count(*) AS n FROM d_risk WHERE model = 'BLEND' AND payment_year = " + year)
        .get(0);
    Tiers tiers = new Tiers(t.<Long>getAs("t1"), t.<Long>getAs("t5"), t.<Long>getAs("tr"), t.<Long>getAs("n"));
    List<Group> byOrganization = !tables.view("gold.attribution", "d_attr") ? null : groups(tables, """
        SELECT coalesce(a.organization_name, a.organization_key, '(unattributed)') AS grp, count(*) AS n,
               avg(r.payment_score) AS avg_score
        FROM d_risk r
        LEFT JOIN (SELECT * FROM d_attr WHERE as_of = (SELECT max(as_of) FROM d_attr)) a ON a.person_key = r.person_key
        WHERE r.model = 'BLEND' AND r.payment_year = %d GROUP BY 1 ORDER BY 1""".formatted(year));
    List<Group> byPayer = !tables.view("gold.measure_result", "d_mr") ? null : groups(tables, """
        SELECT coalesce(p.payer, '(none)') AS grp, count(*) AS n, avg(r.payment_score) AS avg_score
        FROM d_risk r
        LEFT JOIN (SELECT person_key, max(payer) AS payer FROM d_mr
                   WHERE period_start = (SELECT max(period_start) FROM d_mr) GROUP BY person_key) p
          ON p.person_key = r.person_key
        WHERE r.model = 'BLEND' AND r.payment_year = %d GROUP BY 1 ORDER BY 1""".formatted(year));
    return new Scores(years, bands, tiers, byOrganization, byPayer);
  }

  /** {@code CASE WHEN payment_score < 0.5 THEN 0 ... ELSE 5 END}: the band index of a score. */
  private static String bandCase() {
    StringBuilder bucket = new StringBuilder("CASE");
    for (int i = 0; i < BANDS.length; i++) {
      bucket.append(" WHEN payment_score < ").append(BANDS[i]).append(" THEN ").append(i);
    }
    return bucket.append(" ELSE ").append(BANDS.length).append(" END").toString();
  }

  private static List<Group> groups(DashboardTables tables, String query) {
    return tables.sql(query).stream()
        .map(r -> new Group(r.getAs("grp"), r.<Long>getAs("n"), r.getAs("avg_score"))).toList();
  }

  // ---------------------------------------------------------------- suppression

  /** A tier is suppressed alone (1..min-1): tiers overlap, so none can be derived from the others. */
  static boolean tierSuppressed(long persons, int min) {
    return persons > 0 && persons < min;
  }

  // ---------------------------------------------------------------- model

  /** "0.0–0.5", ..., "2.0–3.0", "≥3.0". */
  static List<String> bandLabels() {
    List<String> labels = new ArrayList<>();
    double lo = 0;
    for (double hi : BANDS) {
      labels.add(String.format(Locale.ROOT, "%.1f\u2013%.1f", lo, hi));
      lo = hi;
    }
    labels.add(String.format(Locale.ROOT, "\u2265%.1f", lo));
    return labels;
  }

  /** The section: a "No data yet" one without BLEND scores. */
  static Section build(Scores data, int min) {
    if (data.years().isEmpty()) {
      return DashboardFormat.empty(ID, TITLE);
    }
    String mask = SmallCells.mask(min);
    int year = data.latest();
    List<Panel> panels = new ArrayList<>();
    panels.add(bandPanel(data.bands(), "Risk score distribution, payment year " + year, min));
    panels.add(tierPanel(data.tiers(), year, min));
    if (data.byOrganization() != null) {
      panels.add(averagePanel("risk-by-organization", "Average risk score by attributed organisation, payment year "
          + year, "Attributed organisation", data.byOrganization(), min));
    }
    if (data.byPayer() != null) {
      panels.add(averagePanel("risk-by-payer", "Average risk score by payer, payment year " + year, "Payer",
          data.byPayer(), min));
    }
    panels.add(trendPanel(data.years(), min));
    return new Section(ID, TITLE, "CMS-HCC payment scores (BLEND) from gold.risk_score. Groups under " + min
        + " persons are suppressed (" + mask + ").", panels);
  }

  /** Persons per score band and their total (the bands add up to it: complementary suppression). */
  private static Panel bandPanel(List<Long> counts, String title, int min) {
    String mask = SmallCells.mask(min);
    List<String> labels = bandLabels();
    Set<Integer> sup = SmallCells.suppress(counts, min);
    PanelRows t = new PanelRows(1);
    long total = 0;
    for (int i = 0; i < labels.size(); i++) {
      total += counts.get(i);
      t.add(labels.get(i), sup.contains(i) ? null : (double) counts.get(i),
          List.of(labels.get(i), sup.contains(i) ? mask : Long.toString(counts.get(i))));
    }
    t.row(List.of("Total", total > 0 && total < min ? mask : Long.toString(total)));
    return bars("risk-distribution", title, "Payment risk score (BLEND)", "Persons", t, "Persons",
        List.of("Score band", "Persons"));
  }

  private static Panel tierPanel(Tiers tiers, int year, int min) {
    List<String> tierLabels = List.of("Top 1%", "Top 5%", "Rising risk", "All scored");
    List<Long> tierCounts = List.of(tiers.top1(), tiers.top5(), tiers.rising(), tiers.scored());
    PanelRows t = new PanelRows(1);
    for (int i = 0; i < tierLabels.size(); i++) {
      long n = tierCounts.get(i);
      boolean sup = tierSuppressed(n, min);
      t.add(tierLabels.get(i), sup ? null : (double) n,
          List.of(tierLabels.get(i), sup ? SmallCells.mask(min) : Long.toString(n)));
    }
    return new Panel(new Chart("risk-tiers", "bar", "Risk tiers, payment year " + year, "Tier", "Persons",
        t.labels(), List.of(new Series("Persons", t.values(0), false))),
        new Table("Persons per risk tier (tiers overlap: top 1% is within top 5%)", List.of("Tier", "Persons"),
            t.rows()));
  }

  /** Average score per group; the groups' persons add up to all scored (complementary suppression). */
  private static Panel averagePanel(String id, String title, String xLabel, List<Group> groups, int min) {
    String mask = SmallCells.mask(min);
    Set<Integer> sup = SmallCells.suppress(groups.stream().map(Group::persons).toList(), min);
    PanelRows t = new PanelRows(1);
    for (int i = 0; i < groups.size(); i++) {
      Group g = groups.get(i);
      boolean s = sup.contains(i);
      Double avg = s ? null : round3(g.avgScore());
      t.add(g.label(), avg, List.of(g.label(), s ? mask : Long.toString(g.persons()), s ? mask : dec(avg, 3)));
    }
    return bars(id, title, xLabel, "Average payment score", t, "Average score",
        List.of(xLabel, "Persons", "Average score"));
  }

  /** Average score and change per payment year; a year's figures are suppressed under min persons. */
  private static Panel trendPanel(List<Year> years, int min) {
    String mask = SmallCells.mask(min);
    PanelRows t = new PanelRows(2);
    for (Year y : years) {
      boolean sup = y.persons() < min;
      boolean supc = y.changed() < min;
      Double avg = sup ? null : round3(y.avgScore());
      Double chg = supc || y.changed() == 0 ? null : round3(y.avgChange());
      t.add(Integer.toString(y.year()), avg, chg, List.of(Integer.toString(y.year()),
          sup ? mask : Long.toString(y.persons()), sup ? mask : dec(avg, 3),
          y.changed() == 0 ? "" : supc ? mask : dec(chg, 3)));
    }
    return new Panel(new Chart("risk-trend", years.size() > 1 ? "line" : "bar",
        "Average risk score year over year", "Payment year", "Average payment score",
        t.labels(), List.of(new Series("Average score", t.values(0), false),
            new Series("Average change vs prior year (same persons)", t.values(1), true))),
        new Table("Average risk score per payment year", List.of("Payment year", "Persons", "Average score",
            "Average change vs prior year"), t.rows()));
  }

  /** A bar chart of one series, with the table of the same figures captioned like the chart. */
  private static Panel bars(String id, String title, String xLabel, String yLabel, PanelRows t, String series,
      List<String> headers) {
    return new Panel(new Chart(id, "bar", title, xLabel, yLabel, t.labels(),
        List.of(new Series(series, t.values(0), false))), new Table(title, headers, t.rows()));
  }
}
