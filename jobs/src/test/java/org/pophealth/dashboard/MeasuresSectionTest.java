package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pophealth.dashboard.SectionTables.chart;
import static org.pophealth.dashboard.SectionTables.psv;
import static org.pophealth.dashboard.SectionTables.values;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.MeasuresSection.Rate;
import org.pophealth.dashboard.MeasuresSection.Rates;

/** The measures section from hand-made gold.measure_summary rows (threshold 11; targets 70%, M2 20%). */
class MeasuresSectionTest {
  private static final DashboardTargets TARGETS = DashboardTargets.of(Map.of("*|*", 0.70, "M2|*", 0.20));

  private static Rate rate(String measure, String cms, int group, boolean inverse, String period, String stratifier,
      String stratum, Long den, Long num, Double rate, boolean suppressed) {
    return new Rate(measure, cms, group, inverse, period, stratifier, stratum, den, num, rate, suppressed);
  }

  private static final Rates RATES = new Rates(List.of(
      rate("M1", "CMS1FHIR", 1, false, "2023-01-01", "all", "all", 40L, 20L, 0.5, false),
      rate("M1", "CMS1FHIR", 1, false, "2024-01-01", "all", "all", 40L, 30L, 0.75, false),
      rate("M1", "CMS1FHIR", 1, false, "2024-01-01", "sex", "F", 19L, 15L, 15.0 / 19, false),
      rate("M1", "CMS1FHIR", 1, false, "2024-01-01", "sex", "M", null, null, null, true),
      rate("M1", "CMS1FHIR", 2, false, "2024-01-01", "all", "all", 40L, 28L, 0.70, false),
      rate("M2", "CMS2", 1, true, "2023-01-01", "all", "all", 30L, 10L, 1.0 / 3, false),
      rate("M2", "CMS2", 1, true, "2024-01-01", "all", "all", null, null, null, true),
      rate("M3", "CMS3", 1, true, "2023-01-01", "all", "all", 30L, 3L, 0.1, false)),
      Map.of("M1", "Breast Cancer ScreeningFHIR"));

  @Test
  void latestRatesAgainstTargetsWithSuppressedRowsMasked() {
    Section s = MeasuresSection.build(RATES, TARGETS, 11);
    Panel target = chart(s, "measures-target");
    // 0.70 meets a 70% target (higher is better); M2 is suppressed upstream: masked, no status;
    // M3 has no row in the latest period and is left out
    assertEquals(List.of("CMS id|Measure|Group|Direction|Denominator|Numerator|Rate|Target|Status",
        "CMS1FHIR|M1|1|higher is better|40|30|75.0%|70.0%|meets target",
        "CMS1FHIR|M1|2|higher is better|40|28|70.0%|70.0%|meets target",
        "CMS2|M2|1|inverse (lower is better)|<11|<11|<11|20.0%|"), psv(target));
    assertEquals(List.of("Breast Cancer Screening (CMS1)", "Breast Cancer Screening (CMS1) rate 2", "CMS2 \u2193"),
        target.chart().labels());
    assertEquals(Arrays.asList(75.0, 70.0, null), values(target, 0));
    assertEquals(List.of(70.0, 70.0, 20.0), values(target, 1));
    assertEquals("Performance rate against target, period starting 2024-01-01", target.chart().title());
  }

  @Test
  void trendAndStrataKeepTheSuppressionAndRoundRates() {
    Section s = MeasuresSection.build(RATES, TARGETS, 11);
    Panel trend = chart(s, "measures-trend");
    assertEquals("line", trend.chart().type());
    // 1/3 → 33.3%; a period without a row is an empty cell and a gap
    assertEquals(List.of("Measure|2023-01-01|2024-01-01", "Breast Cancer Screening (CMS1)|50.0%|75.0%",
        "Breast Cancer Screening (CMS1) rate 2||70.0%", "CMS2 \u2193|33.3%|<11", "CMS3 \u2193|10.0%|"), psv(trend));
    assertEquals(Arrays.asList(33.3, null), values(trend, 2));
    Panel sex = chart(s, "measures-by-sex");
    // 15/19 = 78.947..% → 78.9
    assertEquals(List.of("Measure|F|M", "Breast Cancer Screening (CMS1)|78.9%|<11"), psv(sex));
    assertEquals(Arrays.asList(78.9, null), values(sex, 0));
    assertEquals("Performance rate by sex (<11: suppressed small cell)", sex.table().caption());
    assertEquals("Sex", sex.chart().xLabel());
    // no other stratifier has rows: no other panel
    assertEquals(3, s.panels().size());
    assertEquals("Rates from gold.measure_summary; \u2193 marks inverse measures (lower is better). Cells with fewer"
        + " than 11 persons are shown as <11.", s.note());
  }

  @Test
  void inverseMeasuresMeetTheirTargetFromBelow() {
    Rates rates = new Rates(List.of(
        rate("M2", "CMS2", 1, true, "2024-01-01", "all", "all", 40L, 8L, 0.2, false),
        rate("M4", "CMS4", 1, true, "2024-01-01", "all", "all", 40L, 30L, 0.75, false),
        rate("M5", "CMS5", 1, false, "2024-01-01", "all", "all", 40L, 20L, 0.5, false)), Map.of());
    List<String> status = MeasuresSection.build(rates, TARGETS, 11).panels().get(0).table().rows().stream()
        .map(r -> r.get(8)).toList();
    assertEquals(List.of("meets target", "below target", "below target"), status);
    assertEquals("bar", chart(MeasuresSection.build(rates, TARGETS, 11), "measures-trend").chart().type());
  }

  @Test
  void noRowsNoData() {
    assertEquals(List.of(), MeasuresSection.build(new Rates(List.of(), Map.of()), TARGETS, 11).panels());
  }
}
