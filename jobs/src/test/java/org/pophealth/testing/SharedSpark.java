package org.pophealth.testing;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.lakehouse.SparkSessions;

/**
 * One SparkSession for the whole test JVM, owned by spark-testing-base (STACK.md pitfall 3):
 * local[2], Delta enabled, two shuffle partitions, interpreted (not code-generated) evaluation.
 */
public final class SharedSpark {
  private static Suite suite;

  private SharedSpark() {}

  /** spark-testing-base's suite, configured like production sessions. */
  public static final class Suite extends JavaDataFrameSuiteBase {
    @Override
    public SparkConf conf() {
      SparkConf conf = SparkSessions.baseConf(new PopHealthConfig.Spark("local[2]", "pophealth-tests", 2, Map.of()))
          .setMaster("local[2]")
          .setAppName("pophealth-tests")
          .set("spark.driver.host", "127.0.0.1")
          .set("spark.sql.adaptive.coalescePartitions.initialPartitionNum", "2")
          // one session serves a whole test JVM: release blocks of finished tests' datasets every minute
          .set("spark.cleaner.periodicGC.interval", "1min")
          // the status store keeps the last jobs, stages, tasks and SQL plans even without a UI: thousands of
          // them over a test JVM's life (about 250 Spark jobs per golden case) crowd the old generation
          .set("spark.ui.retainedJobs", "100")
          .set("spark.ui.retainedStages", "100")
          .set("spark.ui.retainedTasks", "2000")
          .set("spark.sql.ui.retainedExecutions", "50")
          // tiny fixtures: compiling generated code costs more than it saves. Interpreted evaluation (Spark's
          // own fallback path, same results) cut a six-case golden run from 291 to 219 s of CPU
          // (docs/BENCHMARKS.md); the demo and bin/pophealth keep whole-stage code generation.
          .set("spark.sql.codegen.wholeStage", "false")
          .set("spark.sql.codegen.factoryMode", "NO_CODEGEN");
      // -Dtest.spark.conf=key=value,key=value: try a setting on the test session without editing code
      String extra = System.getProperty("test.spark.conf", "");
      for (String kv : extra.split(",")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          conf.set(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
      }
      return conf;
    }

    @Override
    public boolean enableHiveSupport() {
      return false;
    }
  }

  public static synchronized Suite suite() {
    if (suite == null) {
      Suite s = new Suite();
      s.runBefore();
      if (Boolean.getBoolean("test.spark.jobs")) {
        s.spark().sparkContext().addSparkListener(new JobTimes());
      }
      suite = s;
    }
    return suite;
  }

  public static SparkSession spark() {
    return suite().spark();
  }

  /**
   * Frees what finished tests' lakehouses hold in the shared session: Delta's table cache (each table's
   * snapshot and its cached state) and every cached dataset. A runner of many cases, each in its own
   * lakehouse, calls it after each case; without it the old generation fills and the JVM spends its
   * time in full GCs.
   */
  public static void releaseCaches() {
    if (suite != null) {
      org.apache.spark.sql.delta.DeltaLog.clearCache();
      suite.spark().catalog().clearCache();
    }
  }

  /** A fresh, empty lakehouse in a new temporary directory. */
  public static Lakehouse newLakehouse() {
    try {
      Path dir = Files.createTempDirectory("pophealth-test-lh-");
      return new Lakehouse(spark(), dir.toString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** -Dtest.spark.jobs=true: prints each Spark job's wall time and call site (to find fixed costs). */
  private static final class JobTimes extends org.apache.spark.scheduler.SparkListener {
    private final java.util.Map<Integer, long[]> start = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<Integer, String> site = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart e) {
      start.put(e.jobId(), new long[] {e.time()});
      // the call site of the job's last stage (the action), e.g. "count at BuildCohorts.java:171"
      String cs = "?";
      int last = -1;
      for (org.apache.spark.scheduler.StageInfo st : scala.collection.JavaConverters.seqAsJavaList(e.stageInfos())) {
        if (st.stageId() > last) {
          last = st.stageId();
          cs = st.name();
        }
      }
      String d = e.properties() == null ? null : e.properties().getProperty("spark.job.description");
      site.put(e.jobId(), cs + (d == null ? "" : " [" + d + "]") + " stages=" + e.stageIds().size());
    }

    @Override
    public void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd e) {
      long[] t = start.remove(e.jobId());
      System.err.println("SPARKJOB " + (t == null ? -1 : e.time() - t[0]) + " ms " + site.remove(e.jobId()));
    }
  }
}
