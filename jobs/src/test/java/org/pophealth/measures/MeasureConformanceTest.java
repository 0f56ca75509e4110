package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.pophealth.testing.SharedSpark;

/**
 * The official test cases of all twelve measures (../shared/reference/ecqm-qicore-2024/tests, 473
 * cases, expected MeasureReports written by CMS/MADiE, not by us) through ingest → evaluate →
 * population-by-population comparison, in one scratch lakehouse and one Spark ingest.
 */
class MeasureConformanceTest {

  static Path officialCases() {
    java.net.URL copy = MeasureConformanceTest.class.getResource("/measures/ecqm-qicore-2024/tests");
    if (copy != null) {
      try {
        return Path.of(copy.toURI());
      } catch (java.net.URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      Path c = p.resolve("shared/reference/ecqm-qicore-2024/tests");
      if (Files.isDirectory(c)) {
        return c;
      }
      c = p.resolve("../shared/reference/ecqm-qicore-2024/tests").normalize();
      if (Files.isDirectory(c)) {
        return c;
      }
      p = p.getParent();
    }
    throw new IllegalStateException("official eCQM test cases not found (shared/reference/ecqm-qicore-2024/tests beside the repo)");
  }

  @Test
  void allOfficialCasesOfTheTwelveMeasuresPass() throws Exception {
    RunMeasureTestCases.Result r = new RunMeasureTestCases(SharedSpark.newLakehouse(), officialCases(), null,
        "qicore-2024", LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31)).execute();
    assertEquals(473, r.cases(), "the shared suite has 473 cases");
    assertTrue(r.ingest().reconciled(), "every case resource loaded or quarantined");
    assertEquals(0, r.failed(), () -> r.mismatches().stream().map(Object::toString).collect(Collectors.joining("\n")));
  }
}
