package org.pophealth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.CliRunner;
import org.pophealth.testing.FixtureTables;
import org.pophealth.testing.TestResources;
import org.pophealth.testing.SharedSpark;
import org.junit.jupiter.api.Tag;

/** build-cohorts, publish and cohorts list/show/diff through the CLI, on the gap_closes fixture. */
@Tag("integration")
class CohortsCliTest {
  @Test
  void buildPublishListShowDiff() throws Exception {
    Path lakehouse = Files.createTempDirectory("pophealth-cli-cohorts-");
    Path published = Files.createTempDirectory("pophealth-cli-published-");
    Lakehouse lh = new Lakehouse(SharedSpark.spark(), lakehouse.toString());
    Path input = TestResources.dir("cohorts/gap_closes/input");
    try (Stream<Path> s = Files.list(input)) {
      for (Path f : s.sorted().toList()) {
        FixtureTables.replace(lh, f.getFileName().toString().replace(".ndjson", ""), f);
      }
    }
    String lhArg = lakehouse.toString();
    CliRunner.Result build = CliRunner.run("--lakehouse", lhArg, "build-cohorts", "--cohort", "cancer-screening-due");
    assertEquals(0, build.exitCode(), build.err());
    assertTrue(build.out().contains("cancer-screening-due") && build.out().contains("20251231-"), build.out());
    assertTrue(!build.out().contains("Ann") && !build.out().contains("555-0101"), "no patient data printed");

    CliRunner.Result pub = CliRunner.run("--lakehouse", lhArg, "publish", "--cohort", "cancer-screening-due",
        "--dir", published.toString());
    assertEquals(0, pub.exitCode(), pub.err());
    assertTrue(pub.out().contains("care_manager/list.csv") && pub.out().contains("group.json")
        && pub.out().contains("changes.csv"), pub.out());
    // patient-level files are private: folders 0700, files 0600, from the cohort's folder down
    try (var walk = Files.walk(published.resolve("cancer-screening-due"))) {
      int files = 0;
      for (Path p : walk.toList()) {
        String mode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode, published.relativize(p).toString());
        files += Files.isRegularFile(p) ? 1 : 0;
      }
      assertTrue(files >= 5, "list.csv, list.parquet, group.json, list.json, changes.csv: " + files);
    }

    CliRunner.Result list = CliRunner.run("--lakehouse", lhArg, "cohorts", "list");
    assertEquals(0, list.exitCode(), list.err());
    assertTrue(list.out().contains("high-rising-risk-acute") && list.out().contains("(2 listed)"), list.out());

    CliRunner.Result show = CliRunner.run("--lakehouse", lhArg, "cohorts", "show", "cancer-screening-due");
    assertEquals(0, show.exitCode(), show.err());
    assertTrue(show.out().contains("audience executive: aggregates only") && show.out().contains("gap:CMS125"),
        show.out());

    // P1's gap closes: the diff of a new build against the last publication names P1 and why
    FixtureTables.replace(lh, "gold.care_gap", TestResources.dir("cohorts/gap_closes/phase2/input")
        .resolve("gold.care_gap.ndjson"));
    assertEquals(0, CliRunner.run("--lakehouse", lhArg, "build-cohorts", "--cohort", "cancer-screening-due")
        .exitCode());
    CliRunner.Result diff = CliRunner.run("--lakehouse", lhArg, "cohorts", "diff", "cancer-screening-due");
    assertEquals(0, diff.exitCode(), diff.err());
    assertTrue(diff.out().contains("0 added, 1 removed, 1 still listed"), diff.out());
    assertTrue(diff.out().contains("care gap closed: Breast cancer screening (CMS125)"), diff.out());

    CliRunner.Result unknown = CliRunner.run("--lakehouse", lhArg, "cohorts", "show", "no-such-cohort");
    assertEquals(2, unknown.exitCode());
    assertTrue(unknown.err().startsWith("error: no cohort named no-such-cohort"), unknown.err());
  }
}
