package org.pophealth.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.cli.DemoEndToEndTest;
import org.pophealth.testing.GoldenSnapshot;
import org.pophealth.testing.SharedSpark;

/**
 * The whole demo pipeline on a real Spark standalone cluster (a master and two 1-core workers on
 * 127.0.0.1, executors in their own JVMs with their own working directories) gives the same bronze,
 * silver and gold tables as the same demo in local mode: the committed snapshot of DemoEndToEndTest's
 * local run ({@code snapshots/demo-tiny.tsv}), so the local side does not run again here. Catches what local mode hides: driver-local
 * paths that executors cannot resolve, closures that do not serialize, state kept in driver statics.
 */
@Tag("conformance")
class StandaloneClusterTest {
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
    Path driverDir = Files.createDirectories(dir.resolve("driver"));
    Path onCluster = dir.resolve("lakehouse-cluster");

    long t0 = System.nanoTime();
    Process driver = cluster.startJava("driver", List.of("-Xmx2g"), "org.pophealth.cli.PopHealthCli",
        List.of("--config", clusterConfig.toString(), "--master", cluster.masterUrl(), "--lakehouse",
            onCluster.toString(), "demo", "--ehr-dir", fixture.toString()), driverDir);
    // 17 min measured on the 2-core machine while the other test JVM ran the local demo (docs/BENCHMARKS.md)
    assertTrue(driver.waitFor(30, TimeUnit.MINUTES), "the cluster demo did not finish in 30 minutes\n"
        + cluster.logTails(40));
    String driverLog = Files.readString(dir.resolve("driver.log"));
    assertEquals(0, driver.exitValue(), "the cluster demo failed\n" + cluster.logTails(60));
    LOG.info("cluster demo finished after {} s", (System.nanoTime() - t0) / 1_000_000_000);
    assertTrue(driverLog.contains("(reconciled)"), driverLog);
    assertTrue(hasExecutorRun(dir.resolve("work-1")) && hasExecutorRun(dir.resolve("work-2")),
        "both workers ran an executor\n" + cluster.logTails(20));

    // the local demo of the same fixture and config (DemoEndToEndTest) produced the committed snapshot
    Lakehouse b = new Lakehouse(SharedSpark.spark(), onCluster.toString());
    GoldenSnapshot.assertMatches(DemoEndToEndTest.SNAPSHOT, DemoEndToEndTest.snapshot(b));
  }

  private static boolean hasExecutorRun(Path workDir) throws Exception {
    try (var apps = Files.list(workDir)) {
      return apps.anyMatch(app -> app.getFileName().toString().startsWith("app-"));
    }
  }
}
