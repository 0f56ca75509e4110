package org.pophealth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The measurement period follows the measure package unless the config file sets it; no Spark. Expected
 * periods are the effectivePeriod written into the Measure files below (and qicore-2024's, 2025).
 */
class MeasurementPeriodDefaultTest {
  @TempDir Path dir;

  private Path measure(Path pkg, String name, String start, String end) throws Exception {
    Files.createDirectories(pkg.resolve("measure"));
    return Files.writeString(pkg.resolve("measure").resolve(name + ".json"), "{\"resourceType\":\"Measure\",\"name\":\""
        + name + "\",\"effectivePeriod\":{\"start\":\"" + start + "\",\"end\":\"" + end + "\"}}");
  }

  @Test
  void theShippedPackageGivesTheDefaultPeriod() {
    PopHealthConfig c = ConfigLoader.defaults();
    assertEquals(LocalDate.of(2025, 1, 1), c.measurementPeriod().start());
    assertEquals(LocalDate.of(2025, 12, 31), c.measurementPeriod().end());
  }

  @Test
  void aNewEditionBringsItsPeriodUnlessTheConfigSetsOne() throws Exception {
    Path pkg = dir.resolve("next-edition");
    measure(pkg, "A", "2026-01-01", "2026-12-31");
    measure(pkg, "B", "2026-01-01", "2026-12-31");
    measure(pkg, "C", "2027-01-01", "2027-12-31"); // one measure states another year: most measures decide
    Path cfg = Files.writeString(dir.resolve("pophealth.yaml"), "measures:\n  package_dir: " + pkg + "\n");
    PopHealthConfig c = ConfigLoader.load(cfg);
    assertEquals(LocalDate.of(2026, 1, 1), c.measurementPeriod().start());
    assertEquals(LocalDate.of(2026, 12, 31), c.measurementPeriod().end());

    Path given = Files.writeString(dir.resolve("given.yaml"), "measures:\n  package_dir: " + pkg
        + "\nmeasurement_period:\n  start: 2024-01-01\n  end: 2024-12-31\n");
    assertEquals(LocalDate.of(2024, 1, 1), ConfigLoader.load(given).measurementPeriod().start(), "the config's own wins");
  }
}
