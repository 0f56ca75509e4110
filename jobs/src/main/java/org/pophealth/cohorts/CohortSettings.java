package org.pophealth.cohorts;

import java.time.LocalDate;
import java.util.List;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.lakehouse.Lakehouse;

/** The {@code cohorts:} configuration turned into jobs (shared by the CLI commands and the demo). */
public final class CohortSettings {
  private CohortSettings() {}

  public static LoadCohortDefinitions.Result definitions(PopHealthConfig config, String dirOverride) {
    return new LoadCohortDefinitions(dirOverride != null ? dirOverride : config.cohorts().definitionsDir()).execute();
  }

  /** The as-of date: the override, else cohorts.as_of, else measurement_period.end. */
  public static LocalDate asOf(PopHealthConfig config, LocalDate override) {
    if (override != null) {
      return override;
    }
    return config.cohorts().asOf() != null ? config.cohorts().asOf() : config.measurementPeriod().end();
  }

  /** The publish directory: the override, else cohorts.publish_dir, else {@code <lakehouse root>/published}. */
  public static String publishDir(PopHealthConfig config, Lakehouse lakehouse, String override) {
    if (override != null) {
      return override;
    }
    return config.cohorts().publishDir() != null ? config.cohorts().publishDir() : lakehouse.root() + "/published";
  }

  public static BuildCohorts build(Lakehouse lakehouse, PopHealthConfig config, LoadCohortDefinitions.Result defs,
      LocalDate asOf, List<String> only) {
    PopHealthConfig.Attribution a = config.cohorts().attribution();
    return new BuildCohorts(lakehouse, defs, asOf, config.measurementPeriod().start(), config.measurementPeriod().end(),
        config.risk().paymentYear()).attribution(a.lookbackMonths(), a.fallbackMonths(), a.rulesDir())
        .calendar(config.cohorts().calendar()).only(only);
  }

  public static PublishCohorts publish(Lakehouse lakehouse, PopHealthConfig config, LoadCohortDefinitions.Result defs,
      String dir, List<String> only) {
    return new PublishCohorts(lakehouse, defs, publishDir(config, lakehouse, dir))
        .minCellSize(config.cohorts().minCellSize()).phiGroup(config.lakehouse().phiGroup()).only(only)
        .worklist(WorklistRules.load(config.cohorts().worklistDir()));
  }
}
