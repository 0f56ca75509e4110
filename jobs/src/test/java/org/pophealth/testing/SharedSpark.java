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
 * local[2], Delta enabled, two shuffle partitions.
 */
public final class SharedSpark {
  private static Suite suite;

  private SharedSpark() {}

  /** spark-testing-base's suite, configured like production sessions. */
  public static final class Suite extends JavaDataFrameSuiteBase {
    @Override
    public SparkConf conf() {
      return SparkSessions.baseConf(new PopHealthConfig.Spark("local[2]", "pophealth-tests", 2, Map.of()))
          .setMaster("local[2]")
          .setAppName("pophealth-tests")
          .set("spark.driver.host", "127.0.0.1")
          .set("spark.sql.adaptive.coalescePartitions.initialPartitionNum", "2");
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
      suite = s;
    }
    return suite;
  }

  public static SparkSession spark() {
    return suite().spark();
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
}
