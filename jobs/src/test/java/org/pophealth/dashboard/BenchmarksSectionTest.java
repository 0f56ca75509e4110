package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pophealth.dashboard.SectionTables.chart;
import static org.pophealth.dashboard.SectionTables.psv;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pophealth.dashboard.DashboardBenchmarks.Benchmark;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DashboardModel.Series;
import org.pophealth.dashboard.MeasuresSection.Rate;
import org.pophealth.dashboard.MeasuresSection.Rates;

/**
 * The national benchmarks section from hand-made gold.measure_summary rows and benchmarks (threshold 11); the
 * expected cells are worked out in the comments; no Spark.
 */
class BenchmarksSectionTest {
  private static final double[] UP = {10, 40, 50, 55, 60, 65, 70, 74, 78, 85, 95};
  private static final double[] CMS122 = {0.44, 12.5, 17.18, 20.86, 24.85, 29.525, 36.72, 49.53, 71.68, 93.98, 99.49};
  private static final double[] TOBACCO = {10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99};

  private static final DashboardBenchmarks BENCHMARKS = DashboardBenchmarks.of(List.of(
      new Benchmark("CMS1", "901", 1, 2024, 2022, false, false, UP, 63.5),
      new Benchmark("CMS5", "905", 1, 2024, 2022, false, false, UP, null),
      new Benchmark("CMS138", "226", 3, 2024, 2022, false, false, TOBACCO, 60.0),
      new Benchmark("CMS122", "001", 1, 2025, 2023, true, false, CMS122, 42.7)));

  private static Rate all(String measure, String cms, int group, String period, Long den, Long num, boolean suppressed) {
    return new Rate(measure, cms, group, false, period, "all", "all", den, num,
        den == null ? null : (double) num / den, suppressed);
  }

  private static final Rates RATES = new Rates(List.of(
      all("M1", "CMS1FHIR", 1, "2023-01-01", 40L, 10L, false),
      all("M1", "CMS1FHIR", 1, "2024-01-01", 40L, 30L, false),
      all("M5", "CMS5FHIR", 1, "2024-01-01", 40L, 5L, false),
      all("M9", "CMS9FHIR", 1, "2024-01-01", 40L, 20L, false),
      all("Tobacco", "CMS138FHIR", 1, "2024-01-01", 60L, 50L, false),
      all("Tobacco", "CMS138FHIR", 2, "2024-01-01", 20L, 12L, false),
      all("Tobacco", "CMS138FHIR", 3, "2024-01-01", 60L, 45L, false),
      all("GT9", "CMS122FHIR", 1, "2024-01-01", 100L, 30L, false),
      new Rate("M1", "CMS1FHIR", 1, false, "2024-01-01", "sex", "F", 20L, 20L, 1.0, false)),
      Map.of("M1", "Measure OneFHIR"));

  @Test
  void latestOverallRatesAgainstTheirDeciles() {
    Section s = BenchmarksSection.build(RATES, BENCHMARKS, 11);
    Panel p = chart(s, "benchmarks-deciles");
    // CMS1 30/40 = 75%: decile 8 (>= p70 74, < p80 78), next p80: 0.78 * 40 = 31.2 -> 2 more; Wilson 59.8-85.8%.
    // CMS5 5/40: a numerator of 5 < 11 persons -> no rate, only the bands.
    // CMS138: only rate group 3 is compared (the benchmark's group): 45/60 = 75% >= p10..p60 (20 ... 70), < p70
    // 80 -> decile 7, band p60-p70; next p70: 0.80 * 60 = 48 -> 3 more. Wilson: z^2/n = 3.8416/60 = 0.0640267,
    // centre (0.75 + 0.0320133)/1.0640267 = 0.734957, half 1.842059 * sqrt(0.1875/60 + 3.8416/14400) = 0.107280
    // -> 62.8%-84.2%.
    // CMS122 (inverse) has a benchmark only for 2025: the nearest year to 2024. 30/100: decile 5 (<= p60 36.72 ..
    // p90 93.98, > p50 29.525), next p50: 30 - N <= 29.525 -> 1 fewer; Wilson 21.9%-39.6%.
    assertEquals(List.of("CMS id|Measure|Group|Direction|Benchmark|Denominator|Numerator|Rate|95% CI|Decile|Band"
            + "|Next threshold|To reach it|National average",
        "CMS1|M1|1|higher is better|QPP 901, performance year 2024 (benchmark year 2022)|40|30|75.0%|59.8%\u201385.8%"
            + "|8 of 10|p70\u2013p80|p80 = 78%|2 more persons in the numerator to reach p80 (decile 9)|63.5%",
        "CMS5|M5|1|higher is better|QPP 905, performance year 2024 (benchmark year 2022)|<11|<11|<11||||||",
        "CMS138|Tobacco|3|higher is better|QPP 226, performance year 2024 (benchmark year 2022)|60|45|75.0%"
            + "|62.8%\u201384.2%|7 of 10|p60\u2013p70|p70 = 80%|3 more persons in the numerator to reach p70 (decile 8)"
            + "|60%",
        "CMS122|GT9|1|inverse (lower is better)|QPP 001, performance year 2025 (benchmark year 2023); nearest "
            + "available: none for 2024|100|30|30.0%|21.9%\u201339.6%|5 of 10|p50\u2013p60|p50 = 29.525%"
            + "|1 fewer person in the numerator to reach p50 (decile 6)|42.7%"), psv(p));
    assertEquals(List.of("Measure One (CMS1)", "CMS5", "CMS138 rate 3", "CMS122 \u2193"), p.chart().labels());
    List<Series> series = p.chart().series();
    assertEquals(12, series.size());
    // decile 1 of a measure where higher is better is p1-p10; of an inverse one p90-p99; decile 10 the mirror
    assertEquals(List.of(List.of(10.0, 40.0), List.of(10.0, 40.0), List.of(10.0, 20.0), List.of(93.98, 99.49)),
        series.get(0).ranges());
    assertEquals(List.of(85.0, 95.0), series.get(9).ranges().get(0));
    assertEquals(List.of(0.44, 12.5), series.get(9).ranges().get(3));
    assertEquals("interval", series.get(10).kind());
    assertEquals(Arrays.asList(List.of(59.8, 85.8), null, List.of(62.8, 84.2), List.of(21.9, 39.6)),
        series.get(10).ranges());
    assertEquals(Arrays.asList(75.0, null, 75.0, 30.0), series.get(11).values());
    // rate groups and measures without a compared benchmark are named in the note
    assertTrue(s.note().endsWith("No national benchmark compared for: CMS138 rate 1, CMS138 rate 2, CMS9."), s.note());
  }

  @Test
  void withoutRowsNoDataAndWithoutBenchmarksANote() {
    assertEquals("No data yet.", BenchmarksSection.build(new Rates(List.of(), Map.of()), BENCHMARKS, 11).note());
    Section none = BenchmarksSection.build(new Rates(List.of(all("M9", "CMS9", 1, "2024-01-01", 40L, 20L, false)),
        Map.of()), BENCHMARKS, 11);
    assertEquals(List.of(), none.panels());
    assertTrue(none.note().endsWith("No national benchmark compared for: CMS9."), none.note());
  }
}
