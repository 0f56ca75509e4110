package org.pophealth.dashboard;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.pophealth.dashboard.DashboardModel.Chart;
import org.pophealth.dashboard.DashboardModel.Page;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DashboardModel.Series;
import org.pophealth.dashboard.DashboardModel.Table;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the gold and ops tables and builds the executive dashboard's aggregates: quality measures
 * (gold.measure_summary, its suppression reused), risk (gold.risk_score BLEND rows, with
 * gold.attribution and gold.measure_result's payer), duplicate tests (gold.duplicate_test_rate, its
 * suppression reused), cohorts (ops.publication) and data freshness (ops.ingest_run, ops.quarantine,
 * ops.job_run). Figures it counts itself are suppressed with {@link SmallCells}. Only aggregates
 * leave Spark: no person key, name or birth date is ever collected.
 */
public final class CollectDashboardData {
  private static final Logger LOG = LoggerFactory.getLogger(CollectDashboardData.class);
  private static final String[] STRATIFIERS = {"age_band", "sex", "payer", "organization"};
  private static final double[] RISK_BUCKETS = {0.5, 1.0, 1.5, 2.0, 3.0};

  private final Lakehouse lakehouse;
  private final DashboardTargets targets;
  private final int min;
  private String subtitle = "";

  public CollectDashboardData(Lakehouse lakehouse, DashboardTargets targets, int minCellSize) {
    if (minCellSize < 1) {
      throw new IllegalArgumentException("small-cell threshold must be at least 1: " + minCellSize);
    }
    this.lakehouse = lakehouse;
    this.targets = targets;
    this.min = minCellSize;
  }

  /** Text under the title (e.g. the publication and as-of date). */
  public CollectDashboardData subtitle(String s) {
    this.subtitle = s == null ? "" : s;
    return this;
  }

  public record Result(Page page, int sections, int charts, int tables, double seconds) {}

  public Result execute() {
    long t0 = System.nanoTime();
    List<Section> sections = List.of(measures(), risk(), duplicates(), cohorts(), freshness());
    Page page = new Page("Population health: executive dashboard", subtitle, min, sections);
    int charts = 0;
    int tables = 0;
    for (Section s : sections) {
      for (Panel p : s.panels()) {
        charts += p.chart() == null ? 0 : 1;
        tables += p.table() == null ? 0 : 1;
      }
    }
    LOG.info("dashboard data: {} sections, {} charts, {} tables", sections.size(), charts, tables);
    return new Result(page, sections.size(), charts, tables, (System.nanoTime() - t0) / 1e9);
  }

  private String mask() {
    return SmallCells.mask(min);
  }

  private List<Row> sql(String query) {
    return lakehouse.spark().sql(query).collectAsList();
  }

  private boolean view(String table, String name) {
    if (!lakehouse.exists(table)) {
      return false;
    }
    lakehouse.read(table).createOrReplaceTempView(name);
    return true;
  }

  private static String pct(Double rate) {
    return rate == null ? "" : String.format(Locale.ROOT, "%.1f%%", rate * 100);
  }

  private static Double pctValue(Double rate) {
    return rate == null ? null : Math.round(rate * 1000) / 10.0;
  }

  private static String num(Object o) {
    return o == null ? "" : o.toString();
  }

  private static String dec(Double d, int places) {
    return d == null ? "" : String.format(Locale.ROOT, "%." + places + "f", d);
  }

  // ---------------------------------------------------------------- quality measures

  private record MeasureKey(String measure, String cmsId, int group, boolean inverse, String title) {
    /** "Breast Cancer Screening (CMS125)": the Measure resource's title with the CMS id beside it. */
    String label() {
      String cms = cmsId.replaceFirst("FHIR$", "");
      String name = title == null || title.isBlank() ? cms : title.replaceFirst("FHIR$", "").strip() + " (" + cms + ")";
      return name + (group > 1 ? " rate " + group : "") + (inverse ? " \u2193" : "");
    }
  }

  /** Measure name → title of its Measure resource (from gold.measure_diagnostic, written with the results). */
  private Map<String, String> measureTitles = Map.of();

  Section measures() {
    String title = "Quality measures";
    if (!view("gold.measure_summary", "d_ms")) {
      return empty("measures", title);
    }
    // organisation strata are ids in gold.measure_summary (a logical id, or an identifier search's value after
    // '|'): shown by the organisation's name where that name is unique
    String orgNames = view("silver.organization", "d_org")
        ? "SELECT id, name FROM (SELECT id, min(name) AS name, count(*) OVER (PARTITION BY min(name)) AS same"
            + " FROM d_org WHERE name IS NOT NULL GROUP BY id) WHERE same = 1"
        : "SELECT CAST(NULL AS STRING) AS id, CAST(NULL AS STRING) AS name WHERE false";
    List<Row> rows = sql("""
        SELECT measure, cms_id, group_index, coalesce(improvement_notation, 'increase') AS notation,
               cast(period_start AS string) AS period, stratifier,
               CASE WHEN stratifier = 'organization' THEN coalesce(o.name, stratum) ELSE stratum END AS stratum,
               denominator - coalesce(denominator_exclusion, 0) - coalesce(denominator_exception, 0) AS perf_den,
               numerator, performance_rate, suppressed
        FROM d_ms LEFT JOIN (%s) o ON d_ms.stratifier = 'organization'
          AND o.id = regexp_extract(d_ms.stratum, '([^|/]+)$', 1)
        ORDER BY cms_id, measure, group_index, period, stratifier, stratum""".formatted(orgNames));
    if (rows.isEmpty()) {
      return empty("measures", title);
    }
    Map<String, String> titles = new java.util.HashMap<>();
    if (view("gold.measure_diagnostic", "d_md")) {
      for (Row t : sql("SELECT DISTINCT measure, measure_title FROM d_md WHERE measure_title IS NOT NULL")) {
        titles.put(t.getString(0), t.getString(1));
      }
    }
    measureTitles = titles;
    TreeSet<String> periods = new TreeSet<>();
    Map<MeasureKey, Map<String, Row>> overall = new LinkedHashMap<>();
    for (Row r : rows) {
      periods.add(r.getAs("period"));
      if ("all".equals(r.getAs("stratifier"))) {
        overall.computeIfAbsent(key(r), k -> new TreeMap<>()).put(r.getAs("period"), r);
      }
    }
    String latest = periods.last();
    List<Panel> panels = new ArrayList<>();
    // rate vs target, latest period
    List<String> labels = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<Double> goals = new ArrayList<>();
    List<List<String>> trows = new ArrayList<>();
    for (Map.Entry<MeasureKey, Map<String, Row>> e : overall.entrySet()) {
      Row r = e.getValue().get(latest);
      if (r == null) {
        continue;
      }
      MeasureKey k = e.getKey();
      Double target = targets.target(k.measure(), k.group());
      boolean suppressed = r.<Boolean>getAs("suppressed");
      Double rate = suppressed ? null : r.<Double>getAs("performance_rate");
      labels.add(k.label());
      rates.add(pctValue(rate));
      goals.add(pctValue(target));
      String status = rate == null || target == null ? ""
          : (k.inverse() ? rate <= target : rate >= target) ? "meets target" : "below target";
      trows.add(List.of(k.cmsId(), k.measure(), Integer.toString(k.group()),
          k.inverse() ? "inverse (lower is better)" : "higher is better",
          suppressed ? mask() : num(r.getAs("perf_den")), suppressed ? mask() : num(r.getAs("numerator")),
          suppressed ? mask() : pct(rate), pct(target), status));
    }
    panels.add(new Panel(
        new Chart("measures-target", "bar", "Performance rate against target, period starting " + latest,
            "Measure (\u2193 inverse: lower is better)", "Performance rate (%)", labels,
            List.of(new Series("Performance rate", rates, false), new Series("Target", goals, true))),
        new Table("Performance rate per measure and rate group, period starting " + latest,
            List.of("CMS id", "Measure", "Group", "Direction", "Denominator", "Numerator", "Rate", "Target", "Status"),
            trows)));
    // trend across periods
    List<String> plist = new ArrayList<>(periods);
    panels.add(rateGrid(overall, plist, new Chart("measures-trend", plist.size() > 1 ? "line" : "bar",
        "Performance rate trend across measurement periods", "Measurement period start", "Performance rate (%)",
        plist, List.of()), "Performance rate per measurement period"));
    // stratified, latest period
    for (String stratifier : STRATIFIERS) {
      TreeSet<String> strata = new TreeSet<>();
      Map<MeasureKey, Map<String, Row>> byMeasure = new LinkedHashMap<>();
      for (Row r : rows) {
        if (stratifier.equals(r.getAs("stratifier")) && latest.equals(r.getAs("period"))) {
          strata.add(r.getAs("stratum"));
          byMeasure.computeIfAbsent(key(r), k -> new TreeMap<>()).put(r.getAs("stratum"), r);
        }
      }
      if (strata.isEmpty()) {
        continue;
      }
      List<String> slist = new ArrayList<>(strata);
      String name = stratifier.replace('_', ' ');
      panels.add(rateGrid(byMeasure, slist, new Chart("measures-by-" + stratifier.replace('_', '-'), "bar",
          "Performance rate by " + name + ", period starting " + latest, capitalise(name), "Performance rate (%)",
          slist, List.of()), "Performance rate by " + name + " (" + mask() + ": suppressed small cell)"));
    }
    return new Section("measures", title, "Rates from gold.measure_summary; \u2193 marks inverse measures (lower is "
        + "better). Cells with fewer than " + min + " persons are shown as " + mask() + ".", panels);
  }

  /** Rates of each measure (a series, a table row) over the columns (periods or strata), suppression kept. */
  private Panel rateGrid(Map<MeasureKey, Map<String, Row>> byMeasure, List<String> columns, Chart chart,
      String caption) {
    List<Series> series = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    for (Map.Entry<MeasureKey, Map<String, Row>> e : byMeasure.entrySet()) {
      List<Double> vals = new ArrayList<>();
      List<String> cells = new ArrayList<>(List.of(e.getKey().label()));
      for (String c : columns) {
        Row r = e.getValue().get(c);
        boolean sup = r != null && r.<Boolean>getAs("suppressed");
        Double rate = r == null || sup ? null : r.<Double>getAs("performance_rate");
        vals.add(pctValue(rate));
        cells.add(r == null ? "" : sup ? mask() : pct(rate));
      }
      series.add(new Series(e.getKey().label(), vals, false));
      rows.add(cells);
    }
    List<String> headers = new ArrayList<>(List.of("Measure"));
    headers.addAll(columns);
    return new Panel(new Chart(chart.id(), chart.type(), chart.title(), chart.xLabel(), chart.yLabel(),
        chart.labels(), series), new Table(caption, headers, rows));
  }

  private MeasureKey key(Row r) {
    return new MeasureKey(r.getAs("measure"), r.getAs("cms_id"), r.<Integer>getAs("group_index"),
        "decrease".equals(r.getAs("notation")), measureTitles.get(r.<String>getAs("measure")));
  }

  private static String capitalise(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private Section empty(String id, String title) {
    return new Section(id, title, "No data yet.", List.of());
  }

  // ---------------------------------------------------------------- risk

  Section risk() {
    String title = "Risk";
    if (!view("gold.risk_score", "d_risk")) {
      return empty("risk", title);
    }
    List<Row> years = sql("SELECT payment_year, count(*) AS n, avg(payment_score) AS avg_score, "
        + "avg(score_change) AS avg_change, count(score_change) AS n_change FROM d_risk WHERE model = 'BLEND' "
        + "GROUP BY payment_year ORDER BY payment_year");
    if (years.isEmpty()) {
      return empty("risk", title);
    }
    int year = years.get(years.size() - 1).<Integer>getAs("payment_year");
    List<Panel> panels = new ArrayList<>();
    // distribution
    StringBuilder bucket = new StringBuilder("CASE");
    List<String> bucketLabels = new ArrayList<>();
    double lo = 0;
    for (int i = 0; i < RISK_BUCKETS.length; i++) {
      bucket.append(" WHEN payment_score < ").append(RISK_BUCKETS[i]).append(" THEN ").append(i);
      bucketLabels.add(String.format(Locale.ROOT, "%.1f\u2013%.1f", lo, RISK_BUCKETS[i]));
      lo = RISK_BUCKETS[i];
    }
    bucket.append(" ELSE ").append(RISK_BUCKETS.length).append(" END");
    bucketLabels.add(String.format(Locale.ROOT, "\u2265%.1f", lo));
    List<Long> counts = new ArrayList<>();
    for (int i = 0; i < bucketLabels.size(); i++) {
      counts.add(0L);
    }
    for (Row r : sql("SELECT " + bucket + " AS b, count(*) AS n FROM d_risk WHERE model = 'BLEND' AND payment_year = "
        + year + " GROUP BY 1")) {
      counts.set(r.<Integer>getAs("b"), r.<Long>getAs("n"));
    }
    panels.add(countPanel("risk-distribution", "Risk score distribution, payment year " + year,
        "Payment risk score (BLEND)", "Persons", bucketLabels, counts, "Score band"));
    // tiers
    Row tiers = sql("SELECT count_if(tier_top_1pct) AS t1, count_if(tier_top_5pct) AS t5, count_if(tier_rising) AS tr, "
        + "count(*) AS n FROM d_risk WHERE model = 'BLEND' AND payment_year = " + year).get(0);
    List<String> tierLabels = List.of("Top 1%", "Top 5%", "Rising risk", "All scored");
    List<Long> tierCounts = List.of(tiers.getAs("t1"), tiers.getAs("t5"), tiers.getAs("tr"), tiers.getAs("n"));
    List<Double> tierVals = new ArrayList<>();
    List<List<String>> tierRows = new ArrayList<>();
    for (int i = 0; i < tierLabels.size(); i++) {
      long n = tierCounts.get(i);
      boolean sup = n > 0 && n < min;
      tierVals.add(sup ? null : (double) n);
      tierRows.add(List.of(tierLabels.get(i), sup ? mask() : Long.toString(n)));
    }
    panels.add(new Panel(new Chart("risk-tiers", "bar", "Risk tiers, payment year " + year, "Tier", "Persons",
        tierLabels, List.of(new Series("Persons", tierVals, false))),
        new Table("Persons per risk tier (tiers overlap: top 1% is within top 5%)", List.of("Tier", "Persons"),
            tierRows)));
    // average by organisation and payer
    boolean attr = view("gold.attribution", "d_attr");
    if (attr) {
      panels.add(averagePanel("risk-by-organization", "Average risk score by attributed organisation, payment year "
          + year, "Attributed organisation", """
          SELECT coalesce(a.organization_name, a.organization_key, '(unattributed)') AS grp, count(*) AS n,
                 avg(r.payment_score) AS avg_score
          FROM d_risk r
          LEFT JOIN (SELECT * FROM d_attr WHERE as_of = (SELECT max(as_of) FROM d_attr)) a ON a.person_key = r.person_key
          WHERE r.model = 'BLEND' AND r.payment_year = %d GROUP BY 1 ORDER BY 1""".formatted(year)));
    }
    if (view("gold.measure_result", "d_mr")) {
      panels.add(averagePanel("risk-by-payer", "Average risk score by payer, payment year " + year, "Payer", """
          SELECT coalesce(p.payer, '(none)') AS grp, count(*) AS n, avg(r.payment_score) AS avg_score
          FROM d_risk r
          LEFT JOIN (SELECT person_key, max(payer) AS payer FROM d_mr
                     WHERE period_start = (SELECT max(period_start) FROM d_mr) GROUP BY person_key) p
            ON p.person_key = r.person_key
          WHERE r.model = 'BLEND' AND r.payment_year = %d GROUP BY 1 ORDER BY 1""".formatted(year)));
    }
    // year over year
    List<String> ylabels = new ArrayList<>();
    List<Double> yavg = new ArrayList<>();
    List<Double> ychange = new ArrayList<>();
    List<List<String>> yrows = new ArrayList<>();
    for (Row r : years) {
      long n = r.<Long>getAs("n");
      long nc = r.<Long>getAs("n_change");
      boolean sup = n < min;
      boolean supc = nc < min;
      Double avg = sup ? null : round3(r.getAs("avg_score"));
      Double chg = supc || nc == 0 ? null : round3(r.getAs("avg_change"));
      ylabels.add(Integer.toString(r.<Integer>getAs("payment_year")));
      yavg.add(avg);
      ychange.add(chg);
      yrows.add(List.of(Integer.toString(r.<Integer>getAs("payment_year")), sup ? mask() : Long.toString(n),
          sup ? mask() : dec(avg, 3), nc == 0 ? "" : supc ? mask() : dec(chg, 3)));
    }
    panels.add(new Panel(new Chart("risk-trend", years.size() > 1 ? "line" : "bar",
        "Average risk score year over year", "Payment year", "Average payment score",
        ylabels, List.of(new Series("Average score", yavg, false),
            new Series("Average change vs prior year (same persons)", ychange, true))),
        new Table("Average risk score per payment year", List.of("Payment year", "Persons", "Average score",
            "Average change vs prior year"), yrows)));
    return new Section("risk", title, "CMS-HCC payment scores (BLEND) from gold.risk_score. Groups under " + min
        + " persons are suppressed (" + mask() + ").", panels);
  }

  private static Double round3(Object d) {
    return d == null ? null : Math.round(((Number) d).doubleValue() * 1000) / 1000.0;
  }

  private Panel countPanel(String id, String title, String xLabel, String yLabel, List<String> labels,
      List<Long> counts, String firstHeader) {
    Set<Integer> sup = SmallCells.suppress(counts, min);
    List<Double> vals = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < labels.size(); i++) {
      total += counts.get(i);
      vals.add(sup.contains(i) ? null : (double) counts.get(i));
      rows.add(List.of(labels.get(i), sup.contains(i) ? mask() : Long.toString(counts.get(i))));
    }
    rows.add(List.of("Total", total > 0 && total < min ? mask() : Long.toString(total)));
    return new Panel(new Chart(id, "bar", title, xLabel, yLabel, labels, List.of(new Series(yLabel, vals, false))),
        new Table(title, List.of(firstHeader, yLabel), rows));
  }

  private Panel averagePanel(String id, String title, String xLabel, String query) {
    List<Row> rows = sql(query);
    List<Long> counts = rows.stream().map(r -> r.<Long>getAs("n")).toList();
    Set<Integer> sup = SmallCells.suppress(counts, min);
    List<String> labels = new ArrayList<>();
    List<Double> vals = new ArrayList<>();
    List<List<String>> trows = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      boolean s = sup.contains(i);
      labels.add(r.getAs("grp"));
      Double avg = s ? null : round3(r.getAs("avg_score"));
      vals.add(avg);
      trows.add(List.of(r.getAs("grp"), s ? mask() : Long.toString(counts.get(i)), s ? mask() : dec(avg, 3)));
    }
    return new Panel(new Chart(id, "bar", title, xLabel, "Average payment score", labels,
        List.of(new Series("Average score", vals, false))),
        new Table(title, List.of(xLabel, "Persons", "Average score"), trows));
  }

  // ---------------------------------------------------------------- duplicate tests

  Section duplicates() {
    String title = "Duplicate tests";
    if (!view("gold.duplicate_test_rate", "d_dup")) {
      return empty("duplicates", title);
    }
    String hidden = "(suppressed OR coalesce(persons_tested, 0) < " + min + ")";
    List<Row> fam = sql("SELECT family, " + hidden + " AS hide, tests, duplicates, duplicate_rate, "
        + "cast(duplicate_cost AS double) AS cost FROM d_dup WHERE level = 'family' ORDER BY family");
    if (fam.isEmpty()) {
      return empty("duplicates", title);
    }
    List<Panel> panels = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<Double> costs = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    for (Row r : fam) {
      boolean h = r.<Boolean>getAs("hide");
      labels.add(r.getAs("family"));
      rates.add(h ? null : pctValue(r.getAs("duplicate_rate")));
      costs.add(h ? null : r.<Double>getAs("cost"));
      rows.add(List.of(r.getAs("family"), h ? mask() : num(r.getAs("tests")), h ? mask() : num(r.getAs("duplicates")),
          h ? mask() : pct(r.getAs("duplicate_rate")), h ? mask() : dec(r.getAs("cost"), 2)));
    }
    List<String> headers = List.of("Test family", "Tests", "Duplicates", "Duplicate rate", "Cost of duplicates ($)");
    panels.add(new Panel(new Chart("duplicates-by-family", "bar", "Duplicate test rate by test family",
        "Test family", "Duplicate rate (%)", labels, List.of(new Series("Duplicate rate", rates, false))),
        new Table("Duplicate tests by family, all months", headers, rows)));
    panels.add(new Panel(new Chart("duplicates-cost", "bar", "Cost of duplicate tests by test family",
        "Test family", "Allowed amount ($)", labels, List.of(new Series("Cost", costs, false))),
        new Table("Cost of duplicate tests by family", headers, rows)));
    // monthly trend per family
    List<Row> monthly = sql("SELECT family, cast(month AS string) AS month, " + hidden + " AS hide, tests, "
        + "duplicates, duplicate_rate FROM d_dup WHERE level = 'family_month' ORDER BY month, family");
    TreeSet<String> months = new TreeSet<>();
    Map<String, Map<String, Row>> byFamily = new TreeMap<>();
    for (Row r : monthly) {
      months.add(r.getAs("month"));
      byFamily.computeIfAbsent(r.getAs("family"), k -> new TreeMap<>()).put(r.getAs("month"), r);
    }
    if (!months.isEmpty()) {
      List<String> mlist = new ArrayList<>(months);
      List<Series> series = new ArrayList<>();
      List<List<String>> mrows = new ArrayList<>();
      for (Map.Entry<String, Map<String, Row>> e : byFamily.entrySet()) {
        Set<String> hiddenMonths = complement(e.getValue());
        List<Double> vals = new ArrayList<>();
        for (String m : mlist) {
          Row r = e.getValue().get(m);
          boolean h = r != null && hiddenMonths.contains(m);
          vals.add(r == null || h ? null : pctValue(r.getAs("duplicate_rate")));
          if (r != null) {
            mrows.add(List.of(m, e.getKey(), h ? mask() : num(r.getAs("tests")), h ? mask() : num(r.getAs("duplicates")),
                h ? mask() : pct(r.getAs("duplicate_rate"))));
          }
        }
        series.add(new Series(e.getKey(), vals, false));
      }
      panels.add(new Panel(new Chart("duplicates-trend", "line", "Duplicate test rate by month", "Month",
          "Duplicate rate (%)", mlist, series), new Table("Duplicate tests by month and family",
          List.of("Month", "Test family", "Tests", "Duplicates", "Duplicate rate"), mrows)));
    }
    // by organisation: each (family, organisation) over its latest month
    List<Row> org = sql("SELECT family, organization_key AS org, cast(month AS string) AS month, " + hidden
        + " AS hide, tests, duplicates, duplicate_rate FROM d_dup WHERE level = 'family_organization_month' "
        + "AND month = (SELECT max(month) FROM d_dup WHERE level = 'family_organization_month') "
        + "ORDER BY org, family");
    if (!org.isEmpty()) {
      List<String> olabels = new ArrayList<>();
      List<Double> ovals = new ArrayList<>();
      List<List<String>> orows = new ArrayList<>();
      String month = org.get(0).getAs("month");
      Map<String, Map<String, Row>> orgsByFamily = new TreeMap<>();
      for (Row r : org) {
        orgsByFamily.computeIfAbsent(r.getAs("family"), k -> new TreeMap<>())
            .put(r.getAs("org") == null ? "" : r.getAs("org"), r);
      }
      Set<Row> hiddenRows = new java.util.HashSet<>();
      orgsByFamily.values().forEach(m -> complement(m).forEach(k -> hiddenRows.add(m.get(k))));
      for (Row r : org) {
        boolean h = hiddenRows.contains(r);
        String label = (r.getAs("org") == null ? "(unknown)" : r.<String>getAs("org")) + " \u00b7 " + r.getAs("family");
        olabels.add(label);
        ovals.add(h ? null : pctValue(r.getAs("duplicate_rate")));
        orows.add(List.of(num(r.getAs("org")), r.getAs("family"), h ? mask() : num(r.getAs("tests")),
            h ? mask() : num(r.getAs("duplicates")), h ? mask() : pct(r.getAs("duplicate_rate"))));
      }
      panels.add(new Panel(new Chart("duplicates-by-organization", "bar",
          "Duplicate test rate by organisation and family, " + month, "Organisation \u00b7 test family",
          "Duplicate rate (%)", olabels, List.of(new Series("Duplicate rate", ovals, false))),
          new Table("Duplicate tests by organisation, " + month, List.of("Organisation", "Test family", "Tests",
              "Duplicates", "Duplicate rate"), orows)));
    }
    return new Section("duplicates", title, "From gold.duplicate_test_rate; cells with fewer than " + min
        + " tests or persons tested are shown as " + mask() + ".", panels);
  }

  /**
   * Cells of one family's series (months, or organisations) to hide: the rows hidden by the table's
   * own suppression, plus, when exactly one is, the row with the fewest tests among the others, so
   * that the hidden one cannot be derived from the family's total.
   */
  private static Set<String> complement(Map<String, Row> cells) {
    Set<String> hidden = new TreeSet<>();
    cells.forEach((k, r) -> {
      if (r.<Boolean>getAs("hide")) {
        hidden.add(k);
      }
    });
    if (hidden.size() == 1) {
      String best = null;
      long fewest = Long.MAX_VALUE;
      for (Map.Entry<String, Row> e : cells.entrySet()) {
        Long tests = e.getValue().getAs("tests");
        if (!hidden.contains(e.getKey()) && tests != null && tests > 0 && tests < fewest) {
          best = e.getKey();
          fewest = tests;
        }
      }
      if (best != null) {
        hidden.add(best);
      }
    }
    return hidden;
  }

  // ---------------------------------------------------------------- cohorts

  Section cohorts() {
    String title = "Cohorts";
    if (!view("ops.publication", "d_pub")) {
      return empty("cohorts", title);
    }
    List<Row> rows = sql("""
        SELECT c.cohort, c.publication, c.listed, c.added, c.removed, p.listed AS prev_listed, c.previous_publication
        FROM (SELECT *, row_number() OVER (PARTITION BY cohort ORDER BY at DESC) AS rn FROM d_pub
              WHERE action = 'publish') c
        LEFT JOIN (SELECT cohort, publication, max(listed) AS listed FROM d_pub WHERE action = 'publish'
                   GROUP BY cohort, publication) p
          ON p.cohort = c.cohort AND p.publication = c.previous_publication
        WHERE c.rn = 1 ORDER BY c.cohort""");
    if (rows.isEmpty()) {
      return empty("cohorts", title);
    }
    List<String> labels = new ArrayList<>();
    List<Double> now = new ArrayList<>();
    List<Double> before = new ArrayList<>();
    List<List<String>> trows = new ArrayList<>();
    for (Row r : rows) {
      Long listed = r.getAs("listed");
      Long prev = r.getAs("prev_listed");
      Long added = r.getAs("added");
      Long removed = r.getAs("removed");
      // size = previous + added - removed: never leave exactly one of them hidden
      Set<Integer> sup = SmallCells.suppress(Arrays.asList(listed, prev, added, removed), min);
      labels.add(r.getAs("cohort"));
      now.add(sup.contains(0) || listed == null ? null : listed.doubleValue());
      before.add(sup.contains(1) || prev == null ? null : prev.doubleValue());
      // the net change is shown only when both sizes are (it is their difference)
      String change = listed == null || prev == null || sup.contains(0) || sup.contains(1) ? ""
          : String.format(Locale.ROOT, "%+d", listed - prev);
      trows.add(List.of(r.getAs("cohort"), r.getAs("publication"), cell(listed, sup.contains(0)),
          cell(prev, sup.contains(1)), cell(added, sup.contains(2)), cell(removed, sup.contains(3)), change));
    }
    List<Panel> panels = List.of(new Panel(new Chart("cohorts-size", "bar",
        "Cohort size: latest and previous publication", "Cohort", "Persons listed", labels,
        List.of(new Series("Latest publication", now, false), new Series("Previous publication", before, true))),
        new Table("Cohort size and change since the previous publication", List.of("Cohort", "Publication",
            "Listed", "Previous", "Added", "Removed", "Change"), trows)));
    return new Section("cohorts", title, "Latest publish per cohort from ops.publication.", panels);
  }

  private String cell(Long n, boolean suppressed) {
    return n == null ? "" : suppressed ? mask() : n.toString();
  }

  // ---------------------------------------------------------------- freshness

  Section freshness() {
    String title = "Data freshness and quality";
    List<Panel> panels = new ArrayList<>();
    if (view("ops.ingest_run", "d_run")) {
      List<Row> rows = sql("""
          SELECT source, max(CASE WHEN status = 'succeeded' THEN finished_at END) AS last_ok,
                 max_by(status, finished_at) AS last_status, count(*) AS runs,
                 sum(lines_loaded) AS loaded, sum(lines_quarantined) AS quarantined
          FROM d_run GROUP BY source ORDER BY source""");
      List<String> labels = new ArrayList<>();
      List<Double> loaded = new ArrayList<>();
      List<Double> quarantined = new ArrayList<>();
      List<List<String>> trows = new ArrayList<>();
      for (Row r : rows) {
        labels.add(r.getAs("source"));
        loaded.add(r.<Long>getAs("loaded").doubleValue());
        quarantined.add(r.<Long>getAs("quarantined").doubleValue());
        Timestamp ok = r.getAs("last_ok");
        trows.add(List.of(r.getAs("source"), ok == null ? "never" : ok.toInstant().toString(), r.getAs("last_status"),
            num(r.getAs("runs")), num(r.getAs("loaded")), num(r.getAs("quarantined"))));
      }
      panels.add(new Panel(new Chart("freshness-rows", "bar", "Rows loaded and quarantined per source (all runs)",
          "Source", "Rows", labels, List.of(new Series("Loaded", loaded, false),
              new Series("Quarantined", quarantined, false))),
          new Table("Ingest runs per source", List.of("Source", "Last successful run (UTC)", "Last status", "Runs",
              "Rows loaded", "Rows quarantined"), trows)));
    }
    if (view("ops.quarantine", "d_q")) {
      List<Row> rows = sql("SELECT source, stage, reason_code, count(*) AS n FROM d_q GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
      List<List<String>> trows = rows.stream().map(r -> List.<String>of(r.getAs("source"), r.getAs("stage"),
          r.getAs("reason_code"), num(r.getAs("n")))).toList();
      panels.add(new Panel(null, new Table("Quarantined rows by source and reason (rows, not persons)",
          List.of("Source", "Stage", "Reason", "Rows"), trows)));
    }
    if (view("ops.job_run", "d_job")) {
      List<Row> rows = sql("""
          SELECT pipeline, job, max(CASE WHEN status = 'succeeded' THEN ended_at END) AS last_ok,
                 max_by(status, ended_at) AS last_status, count(*) AS attempts
          FROM d_job GROUP BY 1, 2 ORDER BY 1, 2""");
      List<List<String>> trows = rows.stream().map(r -> List.<String>of(r.getAs("pipeline"), r.getAs("job"),
          r.getAs("last_ok") == null ? "never" : r.<Timestamp>getAs("last_ok").toInstant().toString(),
          r.getAs("last_status"), num(r.getAs("attempts")))).toList();
      panels.add(new Panel(null, new Table("Scheduled jobs: last successful run", List.of("Pipeline", "Job",
          "Last success (UTC)", "Last status", "Attempts"), trows)));
    }
    if (panels.isEmpty()) {
      return empty("freshness", title);
    }
    return new Section("freshness", title, "From ops.ingest_run, ops.quarantine and ops.job_run.", panels);
  }
}
