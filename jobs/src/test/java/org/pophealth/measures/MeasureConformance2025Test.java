package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pophealth.testing.SharedSpark;

/**
 * Next year's edition (../shared/reference/ecqm-qicore-2025: QI-Core 6.0.0, measurement period 2026, 66
 * measures, 2,017 shared cases with expected MeasureReports written by the content's authors), read as a new
 * package is: the shipped package {@code measures/ecqm/qicore-2025} (the published folders, see its PROVENANCE.md,
 * plus a {@code profiles.yaml} naming the catalogs the logic is written against: QI-Core 6.0.0, US Core 6.1.0),
 * run on the reference folder's cases. One test per case. The cases that fail today are listed with their
 * reason in {@code measures/qicore-2025-known-failures.csv} (issue 22: other scoring types, episode-based
 * counts, an engine error): they are skipped with that reason, and fail the moment they pass, so the list only
 * shrinks.
 */
@Tag("conformance")
class MeasureConformance2025Test {
  private static final String EDITION = "ecqm-qicore-2025";
  private static final int CASES = 2017;
  private static RunMeasureTestCases.Result suite;

  static Path reference() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      for (Path c : List.of(p.resolve("shared/reference/" + EDITION), p.resolve("../shared/reference/" + EDITION))) {
        if (Files.isDirectory(c.normalize().resolve("tests"))) {
          return c.normalize();
        }
      }
      p = p.getParent();
    }
    throw new IllegalStateException("the 2025 eCQM edition not found (shared/reference/" + EDITION + " beside the repo)");
  }

  /** measure/case → reason, from the known-failures list. */
  static Map<String, String> knownFailures() throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (InputStream in = MeasureConformance2025Test.class.getResourceAsStream("/measures/qicore-2025-known-failures.csv")) {
      List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
      assertEquals("measure,case,population_basis,scoring,reason", lines.get(0));
      for (String l : lines.subList(1, lines.size())) {
        String[] f = l.split(",", 5);
        out.put(f[0] + "/" + f[1], f[4] + " (" + f[3] + ", population basis " + f[2] + ")");
      }
    }
    return out;
  }

  static Stream<Arguments> officialCase() {
    List<MeasureTestCase> cases = MeasureTestCase.load(reference().resolve("tests"), null);
    assertEquals(CASES, cases.size(), "the shared 2025 suite");
    return cases.stream().map(c -> Arguments.of(c.measure(), c.caseId(), c.description()));
  }

  private static synchronized RunMeasureTestCases.Result suite() throws Exception {
    if (suite == null) {
      suite = new RunMeasureTestCases(SharedSpark.newLakehouse(), reference().resolve("tests"), null,
          "qicore-2025", LocalDate.of(2026, 1, 1), LocalDate.of(2026, 12, 31)).execute();
      assertEquals(CASES, suite.cases());
      assertTrue(suite.ingest().reconciled(), "every case resource loaded or quarantined");
    }
    return suite;
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource
  void officialCase(String measure, String caseId, String description) throws Exception {
    String known = knownFailures().get(measure + "/" + caseId);
    OfficialCaseCheck.check(suite(), measure, caseId, known == null ? null : "issue 22: " + known);
  }
}
