package org.pophealth.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.pophealth.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code bin/pophealth}: one entry point, one subcommand per job and tool. */
@Command(
    name = "pophealth",
    mixinStandardHelpOptions = true,
    version = "pophealth 0.1.0",
    description = "Population-health lakehouse: FHIR and claims in, identity, risk, measures and cohorts out.",
    subcommands = {
      DemoCommand.class,
      IngestFhirCommand.class,
      IngestClaimsCommand.class,
      LinkCommand.class,
      ResolveIdentityCommand.class,
      ScoreRiskCommand.class,
      RiskScoreCommand.class,
      DetectDuplicateTestsCommand.class,
      EvaluateMeasuresCommand.class,
      CrossCheckMeasuresCommand.class,
      BuildCohortsCommand.class,
      PublishCommand.class,
      DashboardCommand.class,
      CohortsCommand.class,
      MeasureTestCommand.class,
      SchedulerCommand.class,
      RunCommand.class,
      RunsCommand.class,
      BackfillCommand.class,
      SqlCommand.class,
      TablesCommand.class,
      OptimizeCommand.class,
      BenchCommand.class,
      SchemaCommand.class,
      ConfigCommand.class,
      CommandLine.HelpCommand.class
    })
public final class PopHealthCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Options every subcommand accepts. */
  public static final class GlobalOptions {
    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
        description = "YAML config file (default: $POPHEALTH_CONFIG, else ./pophealth.yaml, else built-in defaults).")
    Path config;

    @Option(names = "--lakehouse", scope = ScopeType.INHERIT, paramLabel = "PATH",
        description = "Lakehouse root, overrides lakehouse.root of the config.")
    String lakehouse;

    @Option(names = "--master", scope = ScopeType.INHERIT, paramLabel = "URL",
        description = "Spark master, overrides spark.master of the config (e.g. local[2]).")
    String master;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors, and Spark's own warnings.")
    boolean debug;
  }

  @CommandLine.Mixin GlobalOptions global = new GlobalOptions();

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    if (java.util.Arrays.asList(args).contains("--debug")) {
      // --debug: Spark, Hadoop, Delta and Parquet warnings too (log4j2.properties keeps them at ERROR)
      for (String logger : java.util.List.of("org.apache.spark", "org.apache.hadoop", "org.apache.parquet", "io.delta")) {
        org.apache.logging.log4j.core.config.Configurator.setLevel(logger, org.apache.logging.log4j.Level.WARN);
      }
    }
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Pipeline jobs as commands of this JVM: each job's command line plus {@code globalArgs} (config,
   * lakehouse, master) through {@link #execute}, so jobs share the SparkSession.
   */
  public static org.pophealth.schedule.RunPipeline.Launcher inProcess(java.util.List<String> globalArgs) {
    return (args, out, err) -> {
      java.util.List<String> all = new java.util.ArrayList<>(args);
      all.addAll(globalArgs);
      return execute(all.toArray(new String[0]), out, err);
    };
  }

  /** Runs the CLI with the given streams and returns the exit code (used by tests). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new PopHealthCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      boolean debug = parsed.matchedOption("--debug") != null;
      Throwable root = ex;
      boolean userError = ex instanceof IllegalArgumentException || ex instanceof ConfigLoader.ConfigException
          || ex instanceof java.io.FileNotFoundException;
      String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
      if (ex instanceof org.apache.spark.sql.AnalysisException) {
        userError = true;
        msg = firstLine(msg);
      }
      cmd.getErr().println("error: " + msg);
      if (debug) {
        root.printStackTrace(cmd.getErr());
      } else if (!userError) {
        cmd.getErr().println("(run with --debug for the stack trace)");
      }
      return userError ? 2 : 1;
    });
    return cli.execute(args);
  }

  private static String firstLine(String s) {
    int i = s.indexOf('\n');
    return i < 0 ? s : s.substring(0, i);
  }
}
