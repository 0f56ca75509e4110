package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pophealth.testing.SharedSpark;

/**
 * The official test cases of all twelve measures (../shared/reference/ecqm-qicore-2024/tests, 473
 * cases, expected MeasureReports written by CMS/MADiE, not by us), one test per case: the cases go
 * through ingest → evaluate together (one scratch lakehouse, one Spark ingest, evaluated once for the
 * class), then each case compares its own populations, so a failing case is named in the report.
 */
@Tag("conformance")
class MeasureConformanceTest {
  private static RunMeasureTestCases.Result suite;

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

  static Stream<Arguments> officialCase() {
    List<MeasureTestCase> cases = MeasureTestCase.load(officialCases(), null);
    assertEquals(473, cases.size(), "the shared suite has 473 cases");
    return cases.stream().map(c -> Arguments.of(c.measure(), c.caseId(), c.description()));
  }

  private static synchronized RunMeasureTestCases.Result suite() throws Exception {
    if (suite == null) {
      suite = new RunMeasureTestCases(SharedSpark.newLakehouse(), officialCases(), null, "qicore-2024",
          LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31)).execute();
      assertEquals(473, suite.cases());
      assertTrue(suite.ingest().reconciled(), "every case resource loaded or quarantined");
    }
    return suite;
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource
  void officialCase(String measure, String caseId, String description) throws Exception {
    OfficialCaseCheck.check(suite(), measure, caseId, null);
  }
}
