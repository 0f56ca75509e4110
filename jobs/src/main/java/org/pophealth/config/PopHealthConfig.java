package org.pophealth.config;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.Map;

/** The whole configuration; see {@code pophealth-defaults.yaml} for every key and its default. */
public record PopHealthConfig(
    Spark spark,
    Lakehouse lakehouse,
    Map<String, Source> sources,
    MeasurementPeriod measurementPeriod,
    Ingest ingest,
    Demo demo)
    implements Serializable {

  public record Spark(String master, String appName, int shufflePartitions, Map<String, String> conf)
      implements Serializable {}

  public record Lakehouse(String root) implements Serializable {}

  public record Source(String kind, String dir) implements Serializable {}

  public record MeasurementPeriod(LocalDate start, LocalDate end) implements Serializable {}

  public record Ingest(long chunkBytes, int maxQuarantineRawChars) implements Serializable {}

  public record Demo(int patients, long seed, int yearsOfHistory, String cacheDir, String syntheaScript)
      implements Serializable {}

  /** A copy with the lakehouse root replaced (the global {@code --lakehouse} option). */
  public PopHealthConfig withLakehouseRoot(String root) {
    return new PopHealthConfig(spark, new Lakehouse(root), sources, measurementPeriod, ingest, demo);
  }

  /** A copy with the Spark master replaced. */
  public PopHealthConfig withSparkMaster(String master) {
    return new PopHealthConfig(
        new Spark(master, spark.appName(), spark.shufflePartitions(), spark.conf()),
        lakehouse, sources, measurementPeriod, ingest, demo);
  }

  /** A copy with demo settings replaced. */
  public PopHealthConfig withDemo(Demo d) {
    return new PopHealthConfig(spark, lakehouse, sources, measurementPeriod, ingest, d);
  }
}
