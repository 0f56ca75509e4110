package org.pophealth.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.CliRunner;
import org.pophealth.testing.SharedSpark;
import org.pophealth.testing.TableSnapshot;

/**
 * The whole demo pipeline on a real Spark standalone cluster (a master and two 1-core workers on
 * 127.0.0.1, executors in their own JVMs with their own working directories) gives the same bronze,
 * silver and gold tables as the same demo in local mode. Catches what local mode hides: driver-local
 * paths that executors cannot resolve, closures that do not serialize, state kept in driver statics.
 */
@Tag("cluster")
class StandaloneClusterTest {
  /**
   * Columns whose values legitimately differ between two runs: run ids, wall-clock times, and the
   * payer delivery's file modification time (each run generates its own payer files).
   */
  private static final Set<String> RUN_DEPENDENT = Set.of("ingest_run_id", "resolve_run_id", "run_id",
      "computed_at", "evaluated_at", "decided_at", "occurred_at", "delivery_time");

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StandaloneClusterTest.class);
  private static Path dir;
  private static LocalStandaloneCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    dir = Files.createTempDirectory("pophealth-cluster-");
    cluster = new LocalStandaloneCluster(dir);
    cluster.start(2, Duration.ofSeconds(120));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void demoOnTwoWorkersEqualsLocalMode() throws Exception {
    Path fixture = Path.of(StandaloneClusterTest.class.getResource("/synthea-tiny").toURI());
    String opens = String.join(" ", LocalStandaloneCluster.javaOpens());
    // the driver runs in another working directory than the executors: every path in the config is absolute
    Path clusterConfig = dir.resolve("cluster.yaml");
    Files.writeString(clusterConfig, """
        spark:
          conf:
            spark.executor.extraClassPath: "%s"
            spark.executor.extraJavaOptions: "%s"
            spark.executor.memory: 1g
            spark.driver.host: 127.0.0.1
        demo:
          cache_dir: %s
          trend_periods: 0
        """.formatted(System.getProperty("java.class.path"), opens, dir.resolve("cache-cluster")));
    // one measurement period and one payment year on both sides: the earlier periods run the same jobs again
    // (DemoEndToEndTest covers them) and cost minutes on the cluster
    Path localConfig = dir.resolve("local.yaml");
    Files.writeString(localConfig, "demo:\n  cache_dir: %s\n  trend_periods: 0\n".formatted(dir.resolve("cache-local")));
    Path driverDir = Files.createDirectories(dir.resolve("driver"));
    Path onCluster = dir.resolve("lakehouse-cluster");
    Path local = dir.resolve("lakehouse-local");

    long t0 = System.nanoTime();
    Process driver = cluster.startJava("driver", List.of("-Xmx2g"), "org.pophealth.cli.PopHealthCli",
        List.of("--config", clusterConfig.toString(), "--master", cluster.masterUrl(), "--lakehouse",
            onCluster.toString(), "demo", "--ehr-dir", fixture.toString()), driverDir);
    // meanwhile the same demo in local mode, in this JVM (shared local[2] session)
    CliRunner.Result localRun = CliRunner.run("--config", localConfig.toString(), "--lakehouse", local.toString(),
        "demo", "--ehr-dir", fixture.toString());
    assertEquals(0, localRun.exitCode(), localRun.err());
    assertTrue(driver.waitFor(20, TimeUnit.MINUTES), "the cluster demo did not finish\n" + cluster.logTails(40));
    String driverLog = Files.readString(dir.resolve("driver.log"));
    assertEquals(0, driver.exitValue(), "the cluster demo failed\n" + cluster.logTails(60));
    LOG.info("cluster demo finished after {} s (local run in parallel)", (System.nanoTime() - t0) / 1_000_000_000);
    assertTrue(driverLog.contains("(reconciled)"), driverLog);
    assertTrue(hasExecutorRun(dir.resolve("work-1")) && hasExecutorRun(dir.resolve("work-2")),
        "both workers ran an executor\n" + cluster.logTails(20));

    Lakehouse a = new Lakehouse(SharedSpark.spark(), local.toString());
    Lakehouse b = new Lakehouse(SharedSpark.spark(), onCluster.toString());
    Map<String, List<String>> expected = snapshot(a);
    for (String gold : List.of("gold.person", "gold.measure_result", "gold.cohort_member", "gold.risk_score")) {
      assertFalse(expected.getOrDefault(gold, List.of()).isEmpty(), "the local demo filled " + gold);
    }
    assertEquals(List.of(), differences(expected, snapshot(b)), "cluster and local mode differ");
  }

  /** Bronze, silver and gold tables as sorted JSON rows, without the run-dependent columns. */
  static Map<String, List<String>> snapshot(Lakehouse lh) {
    return TableSnapshot.of(lh, c -> !c.zone().equals("ops"), RUN_DEPENDENT::contains);
  }

  /** One line per table that differs: missing, or the first row of each side not in the other. */
  static List<String> differences(Map<String, List<String>> expected, Map<String, List<String>> actual) {
    List<String> out = new java.util.ArrayList<>();
    java.util.Set<String> tables = new java.util.TreeSet<>(expected.keySet());
    tables.addAll(actual.keySet());
    for (String t : tables) {
      List<String> e = expected.getOrDefault(t, List.of());
      List<String> c = actual.getOrDefault(t, List.of());
      if (!e.equals(c)) {
        String onlyLocal = e.stream().filter(r -> !c.contains(r)).findFirst().orElse("-");
        String onlyCluster = c.stream().filter(r -> !e.contains(r)).findFirst().orElse("-");
        out.add(t + ": local " + e.size() + " rows, cluster " + c.size() + "; only local: " + cut(onlyLocal)
            + "; only cluster: " + cut(onlyCluster));
      }
    }
    return out;
  }

  private static String cut(String s) {
    return s.length() > 600 ? s.substring(0, 600) + "..." : s;
  }

  private static boolean hasExecutorRun(Path workDir) throws Exception {
    try (var apps = Files.list(workDir)) {
      return apps.anyMatch(app -> app.getFileName().toString().startsWith("app-"));
    }
  }
}
