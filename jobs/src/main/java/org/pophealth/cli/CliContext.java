package org.pophealth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.pophealth.config.ConfigLoader;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.lakehouse.SparkSessions;

/** What every subcommand needs: the config (after global options) and, lazily, Spark and the lakehouse. */
final class CliContext {
  private final PopHealthCli.GlobalOptions options;
  private PopHealthConfig config;
  private Lakehouse lakehouse;

  CliContext(PopHealthCli.GlobalOptions options) {
    this.options = options;
  }

  PopHealthConfig config() {
    if (config == null) {
      Path file = options.config;
      if (file == null && System.getenv("POPHEALTH_CONFIG") != null) {
        file = Path.of(System.getenv("POPHEALTH_CONFIG"));
      }
      if (file == null && Files.isRegularFile(Path.of("pophealth.yaml"))) {
        file = Path.of("pophealth.yaml");
      }
      PopHealthConfig c = ConfigLoader.load(file);
      if (options.lakehouse != null) {
        c = c.withLakehouseRoot(options.lakehouse);
      }
      if (options.master != null) {
        c = c.withSparkMaster(options.master);
      }
      config = c;
    }
    return config;
  }

  Lakehouse lakehouse() {
    if (lakehouse == null) {
      SparkSession spark = SparkSessions.getOrCreate(config());
      spark.sparkContext().setLogLevel("WARN");
      lakehouse = new Lakehouse(spark, config().lakehouse().root());
    }
    return lakehouse;
  }

  /** The global options that make a nested command see the same config, lakehouse and Spark master. */
  java.util.List<String> globalArgs() {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (options.config != null) {
      out.addAll(java.util.List.of("--config", options.config.toString()));
    }
    out.addAll(java.util.List.of("--lakehouse", config().lakehouse().root(), "--master", config().spark().master()));
    return out;
  }

  /** Runs pipelines with this context: jobs are pophealth commands run in this JVM (same SparkSession). */
  org.pophealth.schedule.RunPipeline pipelines() {
    return new org.pophealth.schedule.RunPipeline(lakehouse(), config().scheduler(), PopHealthCli.inProcess(globalArgs()));
  }

  /** A fresh lakehouse in a new temporary folder ({@code pophealth-<label>-*}), never the configured one. */
  Lakehouse scratchLakehouse(String label) throws java.io.IOException {
    java.nio.file.Path root = java.nio.file.Files.createTempDirectory("pophealth-" + label + "-");
    return new Lakehouse(lakehouse().spark(), root.resolve("lakehouse").toString());
  }
}
