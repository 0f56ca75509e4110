package org.pophealth.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.CliRunner;
import org.pophealth.testing.SharedSpark;
import org.pophealth.testing.TableSnapshot;
import org.junit.jupiter.api.Tag;

/**
 * A pipeline run killed (SIGKILL, no shutdown hook) in the middle of its ingest job, then run again,
 * leaves the same tables as one clean run: Delta commits are atomic and every job is idempotent on the
 * same inputs. The killed run is a real `bin/pophealth run` in a child JVM.
 */
@Tag("integration")
class KilledRunTest {
  private static final String CONFIG = """
      scheduler:
        job_store: memory
        default_retries: 0
        pipelines:
          - name: load
            cron: "0 0 2 * * ?"
            jobs:
              - {name: ingest, command: [ingest-fhir, --source, ehr, --dir, "%s"]}
      """;

  @Test
  void killedMidIngestThenRerunEqualsACleanRun() throws Exception {
    Path fixture = Path.of(KilledRunTest.class.getResource("/synthea-tiny").toURI());
    Path dir = Files.createTempDirectory("killed-run-");
    Path config = dir.resolve("pophealth.yaml");
    Files.writeString(config, CONFIG.formatted(fixture));
    Lakehouse clean = SharedSpark.newLakehouse();
    Lakehouse killed = new Lakehouse(SharedSpark.spark(), dir.resolve("lakehouse").toString());

    assertEquals(0, CliRunner.run("--config", config.toString(), "--lakehouse", clean.root(), "--master", "local[2]",
        "run", "load").exitCode());

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("-D") || a.startsWith("-XX:+IgnoreUnrecognized")).toList());
    cmd.addAll(List.of("-Xmx2g", "-cp", System.getProperty("java.class.path"), "org.pophealth.cli.PopHealthCli",
        "--config", config.toString(), "--lakehouse", killed.root(), "--master", "local[2]", "run", "load"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    try {
      // kill once the ingest has committed its first table (bronze) and before the run has finished
      Path bronzeLog = dir.resolve("lakehouse/bronze/fhir_resource/_delta_log");
      for (int i = 0; i < 1200 && !(Files.isDirectory(bronzeLog) && hasCommit(bronzeLog)) && p.isAlive(); i++) {
        Thread.sleep(100);
      }
      assertTrue(p.isAlive(), "the child was still running when killed: " + Files.readString(dir.resolve("child.log")));
      p.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    } finally {
      p.destroyForcibly();
    }
    CliRunner.Result rerun = CliRunner.run("--config", config.toString(), "--lakehouse", killed.root(), "--master",
        "local[2]", "run", "load");
    assertEquals(0, rerun.exitCode(), rerun.out() + rerun.err());
    // the audit trail: the killed attempt, found by the re-run (its commits rolled back), then the re-run
    List<org.apache.spark.sql.Row> attempts = killed.read("ops.job_attempt").orderBy("started_at").collectAsList();
    assertEquals(List.of("killed", "succeeded"), attempts.stream().map(r -> r.<String>getAs("status")).toList(),
        attempts.toString());
    assertTrue(attempts.get(0).<String>getAs("error").startsWith("did not finish"), attempts.get(0).toString());
    assertTrue(attempts.get(1).<String>getAs("run_id").startsWith("load-"), "linked to its pipeline run");
    try (var open = Files.list(dir.resolve("lakehouse/_audit/open"))) {
      assertEquals(0, open.count(), "no attempt left open");
    }
    assertTrue(!Files.exists(dir.resolve("lakehouse/_lease")), "the lease is released");
    Map<String, List<String>> a = snapshot(clean);
    Map<String, List<String>> b = snapshot(killed);
    assertEquals(a.keySet(), b.keySet(), "same tables");
    for (String t : a.keySet()) {
      assertEquals(a.get(t), b.get(t), "killed + re-run differs from a clean run in " + t);
    }
  }

  private static boolean hasCommit(Path log) throws java.io.IOException {
    try (var s = Files.list(log)) {
      return s.anyMatch(f -> f.getFileName().toString().endsWith(".json"));
    }
  }

  /** Sorted rows of every bronze and silver table, without run ids and load times (which differ by run). */
  private static Map<String, List<String>> snapshot(Lakehouse lh) {
    return TableSnapshot.of(lh, c -> c.zone().equals("bronze") || c.zone().equals("silver"),
        n -> n.endsWith("run_id") || n.endsWith("_at") || n.equals("export_time") || n.equals("file"));
  }
}
