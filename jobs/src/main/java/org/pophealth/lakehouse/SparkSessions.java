package org.pophealth.lakehouse;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.pophealth.config.PopHealthConfig;

/** Builds the SparkSession every job runs in: Delta enabled, UTC, quiet. */
public final class SparkSessions {
  private SparkSessions() {}

  /** Spark settings every pophealth session needs (also used by the test base). */
  public static SparkConf baseConf(PopHealthConfig.Spark spark) {
    SparkConf conf =
        new SparkConf()
            .set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .set("spark.sql.session.timeZone", "UTC")
            .set("spark.sql.shuffle.partitions", Integer.toString(spark.shufflePartitions()))
            .set("spark.ui.enabled", "false")
            .set("spark.ui.showConsoleProgress", "false")
            .set("spark.sql.adaptive.enabled", "true")
            // the ingest caches each parse once; uncompressed columnar cache builds ~25% faster
            .set("spark.sql.inMemoryColumnarStorage.compressed", "false")
            .set("spark.databricks.delta.schema.autoMerge.enabled", "false")
            .set("spark.databricks.delta.snapshotPartitions", "2")
            .set("spark.sql.sources.parallelPartitionDiscovery.parallelism", "2")
            // partitioned writes (bronze by source/type, silver.event by source/kind) keep one open writer
            // per partition value instead of sorting every task's rows (raw JSON included) by partition
            .set("spark.sql.maxConcurrentOutputFileWriters", "32");
    // local runs: Hadoop's local file system without a chmod/readlink child process per file (executors of a
    // cluster keep Hadoop's own, the class is not on their classpath before the application jar)
    String master = System.getProperty("spark.master", spark.master());
    if (master != null && master.startsWith("local")) {
      conf.set("spark.hadoop.fs.file.impl", QuietLocalFileSystem.class.getName())
          .set("spark.hadoop.fs.AbstractFileSystem.file.impl", QuietLocalFileSystem.Fs.class.getName());
    }
    for (Map.Entry<String, String> e : spark.conf().entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    return conf;
  }

  /** The session for this JVM (created on first call with the config's master). */
  public static SparkSession getOrCreate(PopHealthConfig config) {
    SparkConf conf = baseConf(config.spark());
    // patient data: what the lakehouse's writes create is owner-only unless lakehouse.umask says otherwise
    if (!conf.contains("spark.hadoop.fs.permissions.umask-mode")) {
      conf.set("spark.hadoop.fs.permissions.umask-mode", config.lakehouse().umask());
    }
    SparkSession.Builder builder = SparkSession.builder().appName(config.spark().appName()).config(conf);
    // under spark-submit the master comes from spark-submit (system property spark.master)
    if (System.getProperty("spark.master") == null) {
      builder = builder.master(config.spark().master());
    }
    return builder.getOrCreate();
  }
}
