package org.pophealth.dashboard;

import static org.pophealth.dashboard.DashboardFormat.num;
import static org.pophealth.dashboard.DashboardFormat.pct;
import static org.pophealth.dashboard.DashboardFormat.pctValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.pophealth.dashboard.DashboardModel.Chart;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DashboardModel.Series;
import org.pophealth.dashboard.DashboardModel.Table;

/**
 * The quality measures section: each measure's rate against its target in the latest period, the
 * trend across periods and the latest period by stratum, from gold.measure_summary. That table
 * suppresses its own small cells ({@code suppressed}); the dashboard shows them masked and counts
 * nothing itself.
 */
final class MeasuresSection {
  static final String ID = "measures";
  private static final String TITLE = "Quality measures";
  private static final List<String> STRATIFIERS = List.of("age_band", "sex", "payer", "organization", "race", "ethnicity");

  private MeasuresSection() {}

  /**
   * A row of gold.measure_summary as shown: the stratum an organisation's name where that name is unique,
   * {@code denominator} the performance denominator (less exclusions and exceptions).
   */
  record Rate(String measure, String cmsId, int group, boolean inverse, String period, String stratifier,
      String stratum, Long denominator, Long numerator, Double rate, boolean suppressed) {
    /** The rate the dashboard may show: null when gold.measure_summary suppressed the row. */
    Double shown() {
      return suppressed ? null : rate;
    }
  }

  /** The summary's rows by measure, group, period, stratifier and stratum; Measure titles by measure name. */
  record Rates(List<Rate> rows, Map<String, String> titles) {}

  // ---------------------------------------------------------------- query

  /** Rows of gold.measure_summary (none when the table does not exist) and titles of gold.measure_diagnostic. */
  static Rates query(DashboardTables tables) {
    if (!tables.view("gold.measure_summary", "d_ms")) {
      return new Rates(List.of(), Map.of());
    }
    // organisation strata are ids in gold.measure_summary (a logical id, or an identifier search's value after
    // '|'): shown by the organisation's name where that name is unique
    String orgNames = tables.view("silver.organization", "d_org")
        ? "SELECT id, name FROM (SELECT id, min(name) AS name, count(*) OVER (PARTITION BY min(name)) AS same"
            + " FROM d_org WHERE name IS NOT NULL GROUP BY id) WHERE same = 1"
        : "SELECT CAST(NULL AS STRING) AS id, CAST(NULL AS STRING) AS name WHERE false";
    List<Rate> rows = tables.sql("""
        SELECT measure, cms_id, group_index, coalesce(improvement_notation, 'increase') AS notation,
               cast(period_start AS string) AS period, stratifier,
               CASE WHEN stratifier = 'organization' THEN coalesce(o.name, stratum) ELSE stratum END AS stratum,
               denominator - coalesce(denominator_exclusion, 0) - coalesce(denominator_exception, 0) AS perf_den,
               numerator, performance_rate, suppressed
        FROM d_ms LEFT JOIN (%s) o ON d_ms.stratifier = 'organization'
          AND o.id = regexp_extract(d_ms.stratum, '([^|/]+)$', 1)
        ORDER BY cms_id, measure, group_index, period, stratifier, stratum""".formatted(orgNames))
        .stream().map(MeasuresSection::rate).toList();
    Map<String, String> titles = new HashMap<>();
    if (!rows.isEmpty() && tables.view("gold.measure_diagnostic", "d_md")) {
      for (Row t : tables.sql("SELECT DISTINCT measure, measure_title FROM d_md WHERE measure_title IS NOT NULL")) {
        titles.put(t.getString(0), t.getString(1));
      }
    }
    return new Rates(rows, titles);
  }

  private static Rate rate(Row r) {
    return new Rate(r.getAs("measure"), r.getAs("cms_id"), r.<Integer>getAs("group_index"),
        "decrease".equals(r.getAs("notation")), r.getAs("period"), r.getAs("stratifier"), r.getAs("stratum"),
        r.getAs("perf_den"), r.getAs("numerator"), r.getAs("performance_rate"), r.<Boolean>getAs("suppressed"));
  }

  // ---------------------------------------------------------------- model

  /** A measure's rate group: a chart series, a table row. */
  record MeasureKey(String measure, String cmsId, int group, boolean inverse, String title) {
    /** "Breast Cancer Screening (CMS125)": the Measure resource's title with the CMS id beside it. */
    String label() {
      String cms = cmsId.replaceFirst("FHIR$", "");
      String name = title == null || title.isBlank() ? cms : title.replaceFirst("FHIR$", "").strip() + " (" + cms + ")";
      return name + (group > 1 ? " rate " + group : "") + (inverse ? " \u2193" : "");
    }
  }

  /** The section: a "No data yet" one without rows. */
  static Section build(Rates data, DashboardTargets targets, int min) {
    if (data.rows().isEmpty()) {
      return DashboardFormat.empty(ID, TITLE);
    }
    String mask = SmallCells.mask(min);
    TreeSet<String> periods = new TreeSet<>();
    Map<MeasureKey, Map<String, Rate>> overall = new LinkedHashMap<>();
    for (Rate r : data.rows()) {
      periods.add(r.period());
      if ("all".equals(r.stratifier())) {
        overall.computeIfAbsent(key(r, data.titles()), k -> new TreeMap<>()).put(r.period(), r);
      }
    }
    String latest = periods.last();
    List<Panel> panels = new ArrayList<>();
    panels.add(targetPanel(overall, latest, targets, mask));
    List<String> plist = new ArrayList<>(periods);
    panels.add(rateGrid(overall, plist, new Chart("measures-trend", plist.size() > 1 ? "line" : "bar",
        "Performance rate trend across measurement periods", "Measurement period start", "Performance rate (%)",
        plist, List.of()), "Performance rate per measurement period", mask));
    for (String stratifier : STRATIFIERS) {
      Panel p = strataPanel(data, stratifier, latest, mask);
      if (p != null) {
        panels.add(p);
      }
    }
    return new Section(ID, TITLE, "Rates from gold.measure_summary; \u2193 marks inverse measures (lower is "
        + "better). Cells with fewer than " + min + " persons are shown as " + mask + ".", panels);
  }

  private static MeasureKey key(Rate r, Map<String, String> titles) {
    return new MeasureKey(r.measure(), r.cmsId(), r.group(), r.inverse(), titles.get(r.measure()));
  }

  /** Rate against target of each measure in the latest period (measures without that period left out). */
  private static Panel targetPanel(Map<MeasureKey, Map<String, Rate>> overall, String latest, DashboardTargets targets,
      String mask) {
    PanelRows t = new PanelRows(2);
    for (Map.Entry<MeasureKey, Map<String, Rate>> e : overall.entrySet()) {
      Rate r = e.getValue().get(latest);
      if (r == null) {
        continue;
      }
      MeasureKey k = e.getKey();
      Double target = targets.target(k.measure(), k.group());
      Double rate = r.shown();
      String status = rate == null || target == null ? ""
          : (k.inverse() ? rate <= target : rate >= target) ? "meets target" : "below target";
      boolean s = r.suppressed();
      t.add(k.label(), pctValue(rate), pctValue(target), List.of(k.cmsId(), k.measure(), Integer.toString(k.group()),
          k.inverse() ? "inverse (lower is better)" : "higher is better",
          s ? mask : num(r.denominator()), s ? mask : num(r.numerator()), s ? mask : pct(rate), pct(target), status));
    }
    return new Panel(
        new Chart("measures-target", "bar", "Performance rate against target, period starting " + latest,
            "Measure (\u2193 inverse: lower is better)", "Performance rate (%)", t.labels(),
            List.of(new Series("Performance rate", t.values(0), false), new Series("Target", t.values(1), true))),
        new Table("Performance rate per measure and rate group, period starting " + latest,
            List.of("CMS id", "Measure", "Group", "Direction", "Denominator", "Numerator", "Rate", "Target", "Status"),
            t.rows()));
  }

  /** Rates by one stratifier's strata in the latest period; null when the stratifier has none. */
  private static Panel strataPanel(Rates data, String stratifier, String latest, String mask) {
    TreeSet<String> strata = new TreeSet<>();
    Map<MeasureKey, Map<String, Rate>> byMeasure = new LinkedHashMap<>();
    for (Rate r : data.rows()) {
      if (stratifier.equals(r.stratifier()) && latest.equals(r.period())) {
        strata.add(r.stratum());
        byMeasure.computeIfAbsent(key(r, data.titles()), k -> new TreeMap<>()).put(r.stratum(), r);
      }
    }
    if (strata.isEmpty()) {
      return null;
    }
    List<String> slist = new ArrayList<>(strata);
    String name = stratifier.replace('_', ' ');
    return rateGrid(byMeasure, slist, new Chart("measures-by-" + stratifier.replace('_', '-'), "bar",
        "Performance rate by " + name + ", period starting " + latest, DashboardFormat.capitalise(name),
        "Performance rate (%)", slist, List.of()), "Performance rate by " + name + " (" + mask
        + ": suppressed small cell)", mask);
  }

  /** Rates of each measure (a series, a table row) over the columns (periods or strata), suppression kept. */
  private static Panel rateGrid(Map<MeasureKey, Map<String, Rate>> byMeasure, List<String> columns, Chart chart,
      String caption, String mask) {
    List<Series> series = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    for (Map.Entry<MeasureKey, Map<String, Rate>> e : byMeasure.entrySet()) {
      List<Double> vals = new ArrayList<>();
      List<String> cells = new ArrayList<>(List.of(e.getKey().label()));
      for (String c : columns) {
        Rate r = e.getValue().get(c);
        Double rate = r == null ? null : r.shown();
        vals.add(pctValue(rate));
        cells.add(r == null ? "" : r.suppressed() ? mask : pct(rate));
      }
      series.add(new Series(e.getKey().label(), vals, false));
      rows.add(cells);
    }
    List<String> headers = new ArrayList<>(List.of("Measure"));
    headers.addAll(columns);
    return new Panel(new Chart(chart.id(), chart.type(), chart.title(), chart.xLabel(), chart.yLabel(),
        chart.labels(), series), new Table(caption, headers, rows));
  }
}
