package org.pophealth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.CliRunner;
import org.pophealth.testing.FixtureTables;
import org.pophealth.testing.TestResources;
import org.pophealth.testing.SharedSpark;
import org.junit.jupiter.api.Tag;

/** build-cohorts, publish, cohorts list/show/diff and worklist import through the CLI, on the gap_closes fixture. */
@Tag("integration")
class CohortsCliTest {
  @Test
  void buildPublishListShowDiff() throws Exception {
    Lakehouse lh = gapClosesLakehouse();
    Path published = Files.createTempDirectory("pophealth-cli-published-");
    String lhArg = lh.root();
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

  /**
   * publish keeps ops.worklist and {@code worklist import FILE} records outreach: counts on the console, never
   * patient data or the file's values; a bad file is one error line.
   */
  @Test
  void publishImportReimport() throws Exception {
    Lakehouse lh = gapClosesLakehouse();
    Path published = Files.createTempDirectory("pophealth-cli-worklist-published-");
    String lhArg = lh.root();
    assertEquals(0, CliRunner.run("--lakehouse", lhArg, "build-cohorts", "--cohort", "cancer-screening-due").exitCode());
    CliRunner.Result pub = CliRunner.run("--lakehouse", lhArg, "publish", "--cohort", "cancer-screening-due", "--dir",
        published.toString());
    assertEquals(0, pub.exitCode(), pub.err());
    // worklist table: cohort, open items 2, opened 2, reopened 0, closed 0, held back 0, unassigned 0
    assertTrue(pub.out().matches("(?s).*cancer-screening-due\\s+2\\s+2\\s+0\\s+0\\s+0\\s+0.*"), pub.out());

    Path file = Files.createTempDirectory("pophealth-cli-outreach-").resolve("outreach.csv");
    Files.writeString(file, """
        cohort,person_id,date,channel,outcome,next_contact_date
        cancer-screening-due,P1,2025-12-10,phone,left_message,2025-12-17
        cancer-screening-due,P2,2025-12-11,pigeon,reached,
        """);
    CliRunner.Result first = CliRunner.run("--lakehouse", lhArg, "worklist", "import", file.toString());
    assertEquals(0, first.exitCode(), first.err());
    assertTrue(first.out().contains("read 2 = applied 1 + rejected 1"), first.out());
    assertTrue(first.out().contains("1 attempts added, 0 already recorded"), first.out());
    assertTrue(first.out().contains("line 3: unknown-channel"), first.out());
    CliRunner.Result again = CliRunner.run("--lakehouse", lhArg, "worklist", "import", file.toString());
    assertTrue(again.out().contains("read 2 = applied 1 + rejected 1"), again.out());
    assertTrue(again.out().contains("0 attempts added, 1 already recorded"), again.out());
    for (CliRunner.Result r : java.util.List.of(pub, first, again)) {
      for (String phi : java.util.List.of("Ann", "Bea", "555-01", "1960-04-02", "pigeon")) {
        assertTrue(!r.out().contains(phi) && !r.err().contains(phi), "no patient data or values printed: " + phi);
      }
    }
    assertEquals(1L, lh.read("ops.worklist").filter("person_id = 'P1' AND attempt_count = 1 AND status = 'attempted'")
        .count());
    assertEquals(1L, lh.read("ops.quarantine").filter("stage = 'worklist-import'").count(), "quarantined once");

    CliRunner.Result missing = CliRunner.run("--lakehouse", lhArg, "worklist", "import", file + ".nope");
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().startsWith("error: outreach file not found"), missing.err());
    Files.writeString(file, "cohort,person,date\n");
    CliRunner.Result header = CliRunner.run("--lakehouse", lhArg, "worklist", "import", file.toString());
    assertEquals(2, header.exitCode());
    assertTrue(header.err().contains("unknown column 'person'") && !header.err().contains("at org."), header.err());
  }

  /** A new lakehouse with the cohorts/gap_closes input tables (P2 and P1 in cancer-screening-due). */
  private static Lakehouse gapClosesLakehouse() throws java.io.IOException {
    Path lakehouse = Files.createTempDirectory("pophealth-cli-cohorts-");
    Lakehouse lh = new Lakehouse(SharedSpark.spark(), lakehouse.toString());
    FixtureTables.replaceFolder(lh, TestResources.dir("cohorts/gap_closes/input"));
    return lh;
  }
}
