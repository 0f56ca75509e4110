package org.pophealth.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.pophealth.config.ConfigLoader;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.lakehouse.SparkSessions;
import org.pophealth.ops.LakehouseLease;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What every command needs: the config (after the global options) and, lazily, Spark and the lakehouse.
 * While a job runs, the SparkSession carries its job group and description (the Spark UI groups the
 * job's Spark jobs under its name).
 */
public final class JobContext {
  private final GlobalOptions options;
  private PopHealthConfig config;
  private Lakehouse lakehouse;
  private String jobGroup;
  private String jobDescription;

  public JobContext(GlobalOptions options) {
    this.options = options;
  }

  /** The context of a subcommand of {@code bin/pophealth}: the root command's global options. */
  public static JobContext of(CommandSpec spec) {
    CommandSpec mixin = spec.root().mixins().get(GlobalOptions.MIXIN);
    if (mixin == null || !(mixin.userObject() instanceof GlobalOptions g)) {
      throw new IllegalStateException("command " + spec.qualifiedName() + " is not under a root with GlobalOptions");
    }
    return new JobContext(g);
  }

  public GlobalOptions options() {
    return options;
  }

  public PopHealthConfig config() {
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

  public Lakehouse lakehouse() {
    if (lakehouse == null) {
      SparkSession spark = SparkSessions.getOrCreate(config());
      spark.sparkContext().setLogLevel("WARN");
      lakehouse = new Lakehouse(spark, config().lakehouse().root());
      applyJobGroup();
    }
    return lakehouse;
  }

  /** Takes (or nests in) the lakehouse's single-writer lease for {@code job} ({@code lakehouse.lease}). */
  public LakehouseLease lease(String job) {
    return LakehouseLease.acquire(config().lakehouse().root(), lakehouse().spark().sparkContext().hadoopConfiguration(),
        config().lakehouse().lease(), job);
  }

  /** SHA-256 (hex) of the effective configuration: defaults, the config file and command-line overrides. */
  public String configHash() {
    try {
      com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper()
          .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
          .configure(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true);
      m.findAndRegisterModules();
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(m.writeValueAsBytes(config()));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
      return "unknown";
    }
  }

  /** Names the Spark jobs started from here on (now if Spark is up, else when it starts). */
  void jobGroup(String group, String description) {
    this.jobGroup = group;
    this.jobDescription = description;
    if (lakehouse != null) {
      applyJobGroup();
    }
  }

  /** Ends the job group set by {@link #jobGroup}. */
  void clearJobGroup() {
    if (lakehouse != null && jobGroup != null) {
      lakehouse.spark().sparkContext().clearJobGroup();
    }
    jobGroup = null;
  }

  private void applyJobGroup() {
    if (jobGroup != null) {
      lakehouse.spark().sparkContext().setJobGroup(jobGroup, jobDescription, false);
    }
  }

  /** The global options that make a nested command see the same config, lakehouse and Spark master. */
  public List<String> globalArgs() {
    List<String> out = new ArrayList<>();
    if (options.config != null) {
      out.addAll(List.of("--config", options.config.toString()));
    }
    out.addAll(List.of("--lakehouse", config().lakehouse().root(), "--master", config().spark().master()));
    return out;
  }

  /** A fresh lakehouse in a new temporary folder ({@code pophealth-<label>-*}), never the configured one. */
  public Lakehouse scratchLakehouse(String label) throws IOException {
    Path root = Files.createTempDirectory("pophealth-" + label + "-");
    return new Lakehouse(lakehouse().spark(), root.resolve("lakehouse").toString());
  }
}
