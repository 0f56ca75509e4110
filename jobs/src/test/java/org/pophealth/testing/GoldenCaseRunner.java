package org.pophealth.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pophealth.cohorts.BuildCohortsGolden;
import org.pophealth.duplicates.DetectDuplicatesGolden;
import org.pophealth.identity.ResolveIdentityGolden;
import org.pophealth.ingest.IngestFhirGolden;
import org.pophealth.ingest.fhir.bulk.BulkExportGolden;
import org.pophealth.ingest.claims.IngestClaimsGolden;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.risk.FindHccGapsGolden;
import org.pophealth.risk.ScoreRiskFilesGolden;
import org.pophealth.views.BuildViewsGolden;

/**
 * The one runner of every golden case ({@link GoldenCase}: a folder with a case.yaml under
 * {@code src/test/resources/<capability>/}). For each phase it runs the case's job ({@link GoldenJob}) and
 * compares every {@code expected/<zone>.<table>.ndjson} with the table and every {@code expected/files/<path>}
 * with the file written, byte for byte. A case that compares nothing fails.
 *
 * <p>The cases are dealt out in turn to {@value #SHARDS} test classes ({@link GoldenCasesFirstTest},
 * {@link GoldenCasesSecondTest}), so that surefire's two test JVMs each start with half of them and then share
 * the other classes of the tier, instead of one JVM running every case while the other idles
 * (docs/BENCHMARKS.md). {@code -Dtest='GoldenCases*'} runs them all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GoldenCaseRunner {
  static final int SHARDS = 2;

  /** The jobs golden cases may name (case.yaml {@code job:}), one runner each. */
  private static final Map<String, Supplier<GoldenJob>> JOBS = Map.of(
      "ingest-fhir", IngestFhirGolden::new,
      "ingest-claims", IngestClaimsGolden::new,
      "risk-score", ScoreRiskFilesGolden::new,
      "find-hcc-gaps", FindHccGapsGolden::new,
      "detect-duplicate-tests", DetectDuplicatesGolden::new,
      "build-cohorts", BuildCohortsGolden::new,
      "bulk-export", BulkExportGolden::new,
      "build-views", BuildViewsGolden::new,
      "resolve-identity", ResolveIdentityGolden::new);

  @AfterEach
  void releaseCaches() {
    SharedSpark.releaseCaches(); // each case has its own lakehouse, never read again
  }

  /** Which of the {@value #SHARDS} classes this is (0-based). */
  abstract int shard();

  /** This class's share of the cases: every {@value #SHARDS}th in the sorted order, from {@link #shard()}. */
  Stream<GoldenCase> cases() {
    java.util.List<GoldenCase> all = GoldenCase.all().toList();
    return java.util.stream.IntStream.range(0, all.size()).filter(i -> i % SHARDS == shard()).mapToObj(all::get);
  }

  /** A shard may be empty when -Dgolden.cases selects a few; the whole set never is. */
  @Test
  void casesAreFound() {
    if (System.getProperty("golden.cases") == null) {
      assertTrue(GoldenCase.all().count() >= 20, "golden cases under src/test/resources: " + GoldenCase.all().toList());
    }
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("cases")
  void goldenCase(GoldenCase c) throws Exception {
    Supplier<GoldenJob> runner = JOBS.get(c.job());
    assertNotNull(runner, c + ": case.yaml names job " + c.job() + "; golden cases run " + new TreeSet<>(JOBS.keySet()));
    GoldenJob job = runner.get();
    for (String option : c.options().keySet()) {
      assertTrue(job.options().contains(option), c + ": " + c.job() + " has no case option " + option
          + " (it has " + new TreeSet<>(job.options()) + ")");
    }
    Lakehouse lh = job.spark() ? SharedSpark.newLakehouse() : null;
    int compared = 0;
    for (Path phase : c.phases()) {
      String label = c.label(phase);
      GoldenJob.Outcome outcome = job.run(c, phase, lh);
      Path expected = phase.resolve("expected");
      if (!Files.isDirectory(expected)) {
        continue;
      }
      try (Stream<Path> s = Files.list(expected)) {
        for (Path f : s.filter(p -> p.toString().endsWith(".ndjson")).sorted().toList()) {
          String table = f.getFileName().toString().replace(".ndjson", "");
          ExpectedRows.assertTable(f, outcome.table(lh, table), label + " " + table);
          compared++;
        }
      }
      Path files = expected.resolve("files");
      if (Files.isDirectory(files)) {
        try (Stream<Path> s = Files.walk(files)) {
          for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
            Path rel = files.relativize(f);
            Path actual = outcome.file(rel);
            assertTrue(Files.isRegularFile(actual), label + ": file " + rel + " written");
            assertEquals(Files.readString(f), Files.readString(actual), label + ": file " + rel);
            compared++;
          }
        }
      }
    }
    assertTrue(compared > 0, c + ": nothing compared (no expected/ folder in any phase)");
  }
}
