package org.pophealth.dashboard;

import static org.pophealth.dashboard.DashboardFormat.num;
import static org.pophealth.dashboard.DashboardFormat.pct;
import static org.pophealth.dashboard.DashboardFormat.pctValue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.pophealth.dashboard.DashboardBenchmarks.Benchmark;
import org.pophealth.dashboard.DashboardBenchmarks.Match;
import org.pophealth.dashboard.DashboardModel.Chart;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DashboardModel.Series;
import org.pophealth.dashboard.DashboardModel.Table;
import org.pophealth.dashboard.MeasuresSection.MeasureKey;
import org.pophealth.dashboard.MeasuresSection.Rate;
import org.pophealth.dashboard.MeasuresSection.Rates;

/**
 * National benchmarks: each measure's overall rate of the latest measurement period (gold.measure_summary)
 * against CMS's QPP benchmark deciles of the period's year ({@link DashboardBenchmarks}; the nearest year
 * when that one has none, said in the table): the decile it falls in, its 95% Wilson interval and how many
 * persons more (fewer, inverse measures) in the numerator reach the next threshold ({@link BenchmarkPosition}).
 * Only the rate group the benchmark names is compared. A row gold.measure_summary suppressed, or whose
 * denominator or numerator is under the small-cell threshold, shows the bands but no rate.
 */
final class BenchmarksSection {
  static final String ID = "benchmarks";
  private static final String TITLE = "National benchmarks";
  private static final List<String> HEADERS = List.of("CMS id", "Measure", "Group", "Direction", "Benchmark",
      "Denominator", "Numerator", "Rate", "95% CI", "Decile", "Band", "Next threshold", "To reach it",
      "National average");

  private BenchmarksSection() {}

  /** The section: "No data yet" without measure rows; without any benchmarked measure, a note saying so. */
  static Section build(Rates data, DashboardBenchmarks benchmarks, int min) {
    TreeSet<String> periods = new TreeSet<>();
    data.rows().forEach(r -> periods.add(r.period()));
    if (periods.isEmpty()) {
      return DashboardFormat.empty(ID, TITLE);
    }
    String latest = periods.last();
    int year = Integer.parseInt(latest.substring(0, 4));
    String mask = SmallCells.mask(min);
    List<String> labels = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<List<Double>> intervals = new ArrayList<>();
    List<Benchmark> shown = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    TreeSet<String> without = new TreeSet<>();
    for (Rate r : data.rows()) {
      if (!"all".equals(r.stratifier()) || !latest.equals(r.period())) {
        continue;
      }
      Match m = benchmarks.find(r.cmsId(), year);
      if (m == null || m.benchmark().group() != r.group()) {
        // a rate group other than the one benchmarked is named by its number, also the first
        without.add(r.cmsId().replaceFirst("FHIR$", "") + (m != null || r.group() > 1 ? " rate " + r.group() : ""));
        continue;
      }
      Benchmark b = m.benchmark();
      MeasureKey k = new MeasureKey(r.measure(), r.cmsId(), r.group(), b.inverse(), data.titles().get(r.measure()));
      List<String> row = new ArrayList<>(List.of(r.cmsId().replaceFirst("FHIR$", ""), r.measure(),
          Integer.toString(r.group()), b.inverse() ? "inverse (lower is better)" : "higher is better", source(m)));
      Double rate = null;
      List<Double> interval = null;
      boolean hidden = r.suppressed() || r.denominator() == null || r.numerator() == null
          || r.denominator() < min || r.numerator() > 0 && r.numerator() < min;
      if (hidden) {
        row.addAll(List.of(mask, mask, mask, "", "", "", "", ""));
      } else if (r.numerator() > r.denominator()) {
        // not a proportion: nothing to place among the deciles
        row.addAll(List.of(num(r.denominator()), num(r.numerator()), "", "", "", "", "", ""));
      } else {
        long num = r.numerator();
        long den = r.denominator();
        BenchmarkPosition.Position pos = BenchmarkPosition.of(num, den, b.percentiles(), b.inverse());
        double[] w = BenchmarkPosition.wilson(num, den);
        rate = (double) num / den;
        interval = List.of(pctValue(w[0]), pctValue(w[1]));
        row.addAll(List.of(num(den), num(num), pct(rate), pct(w[0]) + "\u2013" + pct(w[1]), pos.decile() + " of 10",
            pos.band(), pos.next() == null ? "" : pos.next() + " = " + percent(pos.threshold()), pos.toReach()));
      }
      row.add(b.average() == null ? "" : percent(b.average()));
      labels.add(k.label());
      rates.add(pctValue(rate));
      intervals.add(interval);
      shown.add(b);
      rows.add(row);
    }
    String note = "Each measure's overall rate in the period starting " + latest + " against CMS's national QPP "
        + "benchmark deciles (percentiles p1 to p99 of the performance rates of reporting clinicians, eCQM "
        + "collection type) of performance year " + year + "; where that year has no benchmark for a measure, the "
        + "nearest year's, as the Benchmark column says. Shaded bars: the deciles' bands from p1 to p99, darker is "
        + "better; narrow bar: the rate's 95% Wilson confidence interval; point: the rate. \u2193 marks inverse "
        + "measures (lower is better: their deciles read downwards). Rates with fewer than " + min + " persons are "
        + "shown as " + mask + ". Benchmarks: " + benchmarks.location() + "."
        + (without.isEmpty() ? "" : " No national benchmark compared for: " + String.join(", ", without) + ".");
    if (labels.isEmpty()) {
      return new Section(ID, TITLE, note, List.of());
    }
    List<Series> series = new ArrayList<>();
    for (int d = 1; d <= 10; d++) {
      List<List<Double>> band = new ArrayList<>();
      for (Benchmark b : shown) {
        band.add(band(b, d));
      }
      series.add(Series.ranges("Decile " + d, "band", band));
    }
    series.add(Series.ranges("95% confidence interval", "interval", intervals));
    series.add(Series.markers("Performance rate", rates));
    return new Section(ID, TITLE, note, List.of(new Panel(
        new Chart("benchmarks-deciles", "bar", "Performance rate against national benchmark deciles, period starting "
            + latest, "Measure (\u2193 inverse: lower is better)", "Performance rate (%)", labels, series),
        new Table("Rate against the national benchmark deciles, period starting " + latest, HEADERS, rows))));
  }

  /**
   * The band of decile {@code d} in percent: between the percentiles at indexes d−1 and d (p1–p10 … p90–p99),
   * for an inverse measure the mirror (decile 10: p1–p10, decile 1: p90–p99).
   */
  private static List<Double> band(Benchmark b, int d) {
    double[] p = b.percentiles();
    int low = b.inverse() ? 10 - d : d - 1;
    return List.of(p[low], p[low + 1]);
  }

  /** Which benchmark: QPP measure, performance and benchmark year, and the year asked for when it differs. */
  private static String source(Match m) {
    Benchmark b = m.benchmark();
    return "QPP " + b.qppMeasureId() + ", performance year " + b.performanceYear() + " (benchmark year "
        + b.benchmarkYear() + ")" + (m.nearest() ? "; nearest available: none for " + m.year() : "")
        + (b.toppedOut() ? "; topped out" : "");
  }

  /** A published percentage as CMS gives it, e.g. 68.735%. */
  private static String percent(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString() + "%";
  }
}
