package org.pophealth.jobs;

import java.time.LocalDate;
import org.pophealth.config.PopHealthConfig;
import picocli.CommandLine.Option;

/** {@code --period YEAR}: a calendar-year measurement period, else the configured one. */
public final class PeriodOption {
  @Option(names = "--period", paramLabel = "YEAR",
      description = "Calendar-year measurement period (default: measurement_period of the config).")
  Integer year;

  public PopHealthConfig.MeasurementPeriod period(PopHealthConfig config) {
    return year == null ? config.measurementPeriod()
        : new PopHealthConfig.MeasurementPeriod(LocalDate.of(year, 1, 1), LocalDate.of(year, 12, 31));
  }
}
