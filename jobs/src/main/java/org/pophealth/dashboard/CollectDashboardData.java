package org.pophealth.dashboard;

import java.util.List;
import org.pophealth.dashboard.DashboardModel.Page;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the gold and ops tables and builds the executive dashboard's aggregates: quality measures
 * (gold.measure_summary, its suppression reused), national benchmarks (the same rates against CMS's deciles), risk (gold.risk_score BLEND rows, with
 * gold.attribution and gold.measure_result's payer), risk-adjustment gaps (gold.hcc_gap of the payment
 * year), duplicate tests (gold.duplicate_test_rate, its suppression reused), cohorts (ops.publication)
 * data freshness (ops.ingest_run, ops.quarantine, ops.job_run; the stale-data banner from the latest
 * ops.freshness_check) and claims data quality (ops.claim_validation). Figures it counts itself are suppressed with {@link SmallCells}. Only aggregates
 * leave Spark: no person key, name or birth date is ever collected.
 *
 * <p>Each section is a class of its own ({@link MeasuresSection}, {@link BenchmarksSection}, {@link RiskSection},
 * {@link RiskGapsSection}, {@link DuplicatesSection}, {@link CohortsSection}, {@link FreshnessSection}, {@link DataQualitySection}): a query from the tables to
 * plain records, then a pure build from those records to the section, suppression and formatting
 * ({@link DashboardFormat}) included. This class runs them in display order.
 */
public final class CollectDashboardData {
  private static final Logger LOG = LoggerFactory.getLogger(CollectDashboardData.class);

  private final Lakehouse lakehouse;
  private final DashboardTargets targets;
  private final int min;
  private String subtitle = "";
  private Integer paymentYear;
  private DashboardBenchmarks benchmarks;

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

  /** The payment year of the risk-adjustment gaps (risk.payment_year); null: the latest in gold.hcc_gap. */
  public CollectDashboardData paymentYear(Integer year) {
    this.paymentYear = year;
    return this;
  }

  /** The national benchmarks ({@code dashboard --benchmarks DIR}); default the packaged ones. */
  public CollectDashboardData benchmarks(DashboardBenchmarks b) {
    this.benchmarks = b;
    return this;
  }

  public record Result(Page page, int sections, int charts, int tables, double seconds) {}

  public Result execute() {
    long t0 = System.nanoTime();
    DashboardTables t = new DashboardTables(lakehouse);
    MeasuresSection.Rates rates = MeasuresSection.query(t);
    List<Section> sections = List.of(
        MeasuresSection.build(rates, targets, min),
        BenchmarksSection.build(rates, benchmarks != null ? benchmarks : DashboardBenchmarks.packaged(), min),
        CareGapsSection.build(CareGapsSection.query(t), min),
        RiskSection.build(RiskSection.query(t), min),
        RiskGapsSection.build(RiskGapsSection.query(t, paymentYear), min),
        DuplicatesSection.build(DuplicatesSection.query(t), min),
        CohortsSection.build(CohortsSection.query(t), min),
        FreshnessSection.build(FreshnessSection.query(t)),
        DataQualitySection.build(DataQualitySection.query(t), min));
    Page page = new Page("Population health: executive dashboard", subtitle, min,
        FreshnessSection.banner(FreshnessSection.queryStale(t)), sections);
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
}
