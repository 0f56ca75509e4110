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
    Demo demo,
    Measures measures)
    implements Serializable {

  public record Spark(String master, String appName, int shufflePartitions, Map<String, String> conf)
      implements Serializable {}

  public record Lakehouse(String root) implements Serializable {}

  /**
   * One data source. With {@code baseUrl} set, {@code ingest-fhir --source NAME} runs a FHIR Bulk Data
   * export against it; otherwise it reads {@code dir}. Null bulk settings take the client's defaults.
   */
  public record Source(
      String kind,
      String dir,
      String baseUrl,
      String level,
      java.util.List<String> types,
      java.util.List<String> typeFilters,
      java.util.List<String> elements,
      java.util.List<String> patients,
      String since,
      String downloadDir,
      Double pollCapSeconds,
      Long initialBackoffMillis,
      Integer maxRetries,
      Integer parallelDownloads,
      Boolean cancelOnAbort,
      Auth auth)
      implements Serializable {
    /** A directory-only source (no bulk client). */
    public Source(String kind, String dir) {
      this(kind, dir, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
  }

  /** SMART Backend Services credentials; the private key is read from a file, never stored here. */
  public record Auth(
      String clientId, String tokenEndpoint, String privateKeyFile, String keyId, String algorithm, String scope)
      implements Serializable {}

  public record MeasurementPeriod(LocalDate start, LocalDate end) implements Serializable {}

  /**
   * Quality measures: the eCQM package folder under {@code measures/ecqm/} (or a directory path) and the
   * small-cell threshold of the executive summary.
   */
  public record Measures(String packageDir, int smallCellThreshold) implements Serializable {}

  public record Ingest(long chunkBytes, int maxQuarantineRawChars) implements Serializable {}

  public record Demo(int patients, long seed, int yearsOfHistory, String cacheDir, String syntheaScript)
      implements Serializable {}

  /** A copy with the lakehouse root replaced (the global {@code --lakehouse} option). */
  public PopHealthConfig withLakehouseRoot(String root) {
    return new PopHealthConfig(spark, new Lakehouse(root), sources, measurementPeriod, ingest, demo, measures);
  }

  /** A copy with the Spark master replaced. */
  public PopHealthConfig withSparkMaster(String master) {
    return new PopHealthConfig(
        new Spark(master, spark.appName(), spark.shufflePartitions(), spark.conf()),
        lakehouse, sources, measurementPeriod, ingest, demo, measures);
  }

  /** A copy with demo settings replaced. */
  public PopHealthConfig withDemo(Demo d) {
    return new PopHealthConfig(spark, lakehouse, sources, measurementPeriod, ingest, d, measures);
  }
}
