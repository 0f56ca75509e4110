package org.pophealth.jobs;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command accepts (inherited by every subcommand of {@code bin/pophealth}). */
public final class GlobalOptions {
  /** The name under which the root command mixes these options in; jobs find them by it. */
  public static final String MIXIN = "global";

  @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "YAML config file (default: $POPHEALTH_CONFIG, else ./pophealth.yaml, else built-in defaults).")
  Path config;

  @Option(names = "--lakehouse", scope = ScopeType.INHERIT, paramLabel = "PATH",
      description = "Lakehouse root, overrides lakehouse.root of the config.")
  String lakehouse;

  @Option(names = "--master", scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "Spark master, overrides spark.master of the config (e.g. local[2]).")
  String master;

  @Option(names = "--debug", scope = ScopeType.INHERIT,
      description = "Print stack traces of errors, and Spark's own warnings.")
  boolean debug;

  public Path config() {
    return config;
  }

  public String lakehouse() {
    return lakehouse;
  }

  public String master() {
    return master;
  }

  public boolean debug() {
    return debug;
  }
}
