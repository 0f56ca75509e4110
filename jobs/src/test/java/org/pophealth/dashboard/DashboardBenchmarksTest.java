package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged measures/dashboard/benchmarks/ against CMS's files they were derived from
 * (../shared/reference/qpp-benchmarks, read here with Jackson, independently of the generator), the nearest-year
 * fallback, and the errors of a --benchmarks directory; no Spark.
 */
class DashboardBenchmarksTest {
  private static final String[] DECILES = {"1", "10", "20", "30", "40", "50", "60", "70", "80", "90", "99"};
  @TempDir Path dir;

  /** shared/reference/qpp-benchmarks beside the repository (or inside a parent). */
  static Path reference() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      for (Path c : List.of(p.resolve("shared/reference/qpp-benchmarks"), p.resolve("../shared/reference/qpp-benchmarks"))) {
        if (Files.isRegularFile(c.resolve("2026.json"))) {
          return c.normalize();
        }
      }
    }
    throw new IllegalStateException("shared/reference/qpp-benchmarks not found beside the repository");
  }

  /** The electronicHealthRecord benchmark of a QPP measure in {@code <year>.json}; null when there is none. */
  private static JsonNode published(int year, String measureId) throws Exception {
    for (JsonNode b : new ObjectMapper().readTree(reference().resolve(year + ".json").toFile())) {
      if (measureId.equals(b.path("measureId").asText())
          && "electronicHealthRecord".equals(b.path("submissionMethod").asText())) {
        return b;
      }
    }
    return null;
  }

  /** The eMeasureId (e.g. CMS165v14) QPP's measures-<year>.json gives a measure id. */
  private static String eMeasureId(int year, String measureId) throws Exception {
    for (JsonNode m : new ObjectMapper().readTree(reference().resolve("measures-" + year + ".json").toFile())) {
      if (measureId.equals(m.path("measureId").asText())) {
        return m.path("eMeasureId").asText();
      }
    }
    return null;
  }

  private static void assertPackagedEquals(String cmsId, int year, String measureId) throws Exception {
    assertTrue(eMeasureId(year, measureId).startsWith(cmsId + "v"), measureId + " is " + cmsId);
    JsonNode json = published(year, measureId);
    DashboardBenchmarks.Match m = DashboardBenchmarks.packaged().find(cmsId + "FHIR", year);
    assertFalse(m.nearest());
    DashboardBenchmarks.Benchmark b = m.benchmark();
    assertEquals(measureId, b.qppMeasureId());
    assertEquals(year, b.performanceYear());
    assertEquals(json.path("benchmarkYear").asInt(), b.benchmarkYear());
    assertEquals(json.path("isInverse").asBoolean(), b.inverse());
    double[] expected = new double[DECILES.length];
    for (int i = 0; i < DECILES.length; i++) {
      expected[i] = json.path("percentiles").path(DECILES[i]).asDouble();
    }
    assertArrayEquals(expected, b.percentiles(), 0.0);
    assertEquals(json.path("averagePerformanceRate").asDouble(), b.average(), 0.0);
    assertEquals(1, b.group());
  }

  @Test
  void packagedCsvEqualsThePublishedJson() throws Exception {
    assertPackagedEquals("CMS165", 2026, "236");
    // inverse: CMS122, glycemic status > 9%
    assertPackagedEquals("CMS122", 2025, "001");
    assertTrue(DashboardBenchmarks.packaged().find("CMS122", 2025).benchmark().inverse());
  }

  @Test
  void aYearWithoutTheMeasureFallsBackToTheNearest() throws Exception {
    // 2026.json has no electronicHealthRecord benchmark of breast cancer screening (QPP 112, CMS125); 2025 has
    assertNull(published(2026, "112"));
    DashboardBenchmarks.Match m = DashboardBenchmarks.packaged().find("CMS125FHIR", 2026);
    assertTrue(m.nearest());
    assertEquals(2025, m.benchmark().performanceYear());
    assertEquals(published(2025, "112").path("percentiles").path("50").asDouble(), m.benchmark().percentiles()[5], 0.0);
    // before the first file: the first year; a measure of no file: null
    assertEquals(2024, DashboardBenchmarks.packaged().find("CMS165", 2019).benchmark().performanceYear());
    assertNull(DashboardBenchmarks.packaged().find("CMS9999", 2026));
  }

  @Test
  void aMultiRateMeasureComparesTheGroupItsRowNames() {
    // QPP 226 (CMS138) is benchmarked on its overall rate, the package's rate group 3 (rate-groups.csv)
    assertEquals(3, DashboardBenchmarks.packaged().find("CMS138", 2026).benchmark().group());
    // CMS156 (QPP 238: several rates, one benchmark) is left out
    assertNull(DashboardBenchmarks.packaged().find("CMS156", 2026));
  }

  private static final String HEADER = "cms_id,qpp_measure_id,group_index,performance_year,benchmark_year,inverse,"
      + "topped_out,p1,p10,p20,p30,p40,p50,p60,p70,p80,p90,p99,average\n";

  @Test
  void aDirectoryOfItsOwnAndItsErrors() throws Exception {
    Files.writeString(dir.resolve("2024.csv"), HEADER + "CMS1,901,1,2024,2022,false,false,1,2,3,4,5,6,7,8,9,10,11,5\n");
    DashboardBenchmarks b = DashboardBenchmarks.directory(dir);
    assertEquals(11.0, b.find("CMS1", 2030).benchmark().percentiles()[10]);
    assertNull(b.find("CMS165", 2026), "none packaged beside a directory");

    Files.writeString(dir.resolve("2024.csv"), HEADER + "CMS1,901,1,2024,2022,false,false,1,2,3,4,5,6,7,8,9,10,9,5\n");
    assertEquals(dir.resolve("2024.csv") + " line 2: percentiles p1..p99 are rates in percent (0..100), each at "
        + "least the one before it", assertThrows(IllegalArgumentException.class,
            () -> DashboardBenchmarks.directory(dir)).getMessage());
    Files.writeString(dir.resolve("2024.csv"), HEADER + "CMS1,901,1,2025,2022,false,false,1,2,3,4,5,6,7,8,9,10,11,5\n");
    assertEquals(dir.resolve("2024.csv") + " line 2: performance_year 2025 in the file of 2024",
        assertThrows(IllegalArgumentException.class, () -> DashboardBenchmarks.directory(dir)).getMessage());
    Files.delete(dir.resolve("2024.csv"));
    Files.writeString(dir.resolve("latest.csv"), HEADER);
    assertEquals(dir.resolve("latest.csv") + ": a benchmark file is named <performance year>.csv, e.g. 2026.csv",
        assertThrows(IllegalArgumentException.class, () -> DashboardBenchmarks.directory(dir)).getMessage());
    assertEquals("benchmarks directory not found: " + dir.resolve("nope"),
        assertThrows(IllegalArgumentException.class, () -> DashboardBenchmarks.directory(dir.resolve("nope"))).getMessage());
  }
}
