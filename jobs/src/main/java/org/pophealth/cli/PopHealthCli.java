package org.pophealth.cli;

import java.io.PrintWriter;
import java.util.List;
import org.pophealth.config.ConfigLoader;
import org.pophealth.io.Messages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import org.pophealth.jobs.GlobalOptions;
import org.pophealth.jobs.Job;
import org.pophealth.jobs.JobContext;
import org.pophealth.jobs.JobRegistry;

/** {@code bin/pophealth}: one entry point, one subcommand per job and tool ({@link CliExtension}: the tools jar's). */
@Command(
    name = "pophealth",
    mixinStandardHelpOptions = true,
    version = "pophealth 0.1.0",
    description = "Population-health lakehouse: FHIR and claims in, identity, risk, measures and cohorts out.")
public final class PopHealthCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin(name = GlobalOptions.MIXIN) GlobalOptions global = new GlobalOptions();

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    if (java.util.Arrays.asList(args).contains("--debug")) {
      // --debug: Spark, Hadoop, Delta and Parquet warnings too, and messages whole with their stack traces
      // (log4j2.properties keeps them at ERROR, one line each)
      try {
        org.apache.logging.log4j.core.config.Configurator.reconfigure(
            PopHealthCli.class.getResource("/log4j2-debug.properties").toURI());
      } catch (java.net.URISyntaxException | RuntimeException e) {
        System.err.println("(--debug: could not switch the log configuration: " + e.getMessage() + ")");
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

  /** The tools around the jobs: the demo first, then these after the jobs in {@code --help}. */
  private static final List<Class<?>> TOOLS = List.of(LinkCommand.class, RiskScoreCommand.class,
      CrossCheckMeasuresCommand.class, CohortsCommand.class, ViewCommand.class, MeasureTestCommand.class, SchedulerCommand.class,
      RunCommand.class, RunsCommand.class, AuditCommand.class, BackfillCommand.class, SqlCommand.class, TablesCommand.class,
      SchemaCommand.class, ConfigCommand.class, FreshnessCommand.class);

  /**
   * The command tree: the tools jar's leading commands (the demo), every registered job ({@link JobRegistry}),
   * the tools, the tools jar's trailing commands (bench), then help.
   */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new PopHealthCli());
    List<CliExtension> extensions = java.util.ServiceLoader.load(CliExtension.class).stream()
        .map(java.util.ServiceLoader.Provider::get).toList();
    extensions.forEach(e -> e.leadingCommands().forEach(cli::addSubcommand));
    for (Job<?> job : JobRegistry.create()) {
      cli.addSubcommand(job);
    }
    for (JobRegistry.Group g : JobRegistry.groups()) {
      CommandLine group = new CommandLine(new JobGroupCommand());
      group.getCommandSpec().usageMessage().description(g.description());
      g.create().forEach(group::addSubcommand);
      cli.addSubcommand(g.name(), group);
    }
    for (Class<?> tool : TOOLS) {
      cli.addSubcommand(tool);
    }
    extensions.forEach(e -> e.trailingCommands().forEach(cli::addSubcommand));
    cli.addSubcommand(CommandLine.HelpCommand.class);
    return cli;
  }

  /** A group of jobs ({@link JobRegistry#groups()}): without a subcommand it prints its usage. */
  @Command(mixinStandardHelpOptions = true)
  static final class JobGroupCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  /** The global options (config, lakehouse, master) of this command line, for commands of the tools jar. */
  public GlobalOptions global() {
    return global;
  }

  /** Runs pipelines with this context: jobs are pophealth commands run in this JVM (same SparkSession). */
  public static org.pophealth.schedule.RunPipeline pipelines(JobContext ctx) {
    return pipelines(ctx, checks(ctx));
  }

  /** {@link #pipelines(JobContext)} sending its alerts and checking freshness through {@code checks}. */
  static org.pophealth.schedule.RunPipeline pipelines(JobContext ctx, org.pophealth.schedule.Checks checks) {
    return checks.wire(new org.pophealth.schedule.RunPipeline(ctx.lakehouse(), ctx.config().scheduler(),
        inProcess(ctx.globalArgs())).lease(ctx.config().lakehouse().lease(), ctx.configHash()));
  }

  /** The configuration's alerts, freshness rules and deadlines on the system clock. */
  static org.pophealth.schedule.Checks checks(JobContext ctx) {
    return org.pophealth.schedule.Checks.of(ctx.lakehouse(), ctx.config(), java.time.Clock.systemUTC());
  }

  /** Exit code of a run refused because another run holds the lakehouse (EX_TEMPFAIL: try again later). */
  public static final int BUSY = 75;

  /** Runs the CLI with the given streams and returns the exit code (used by tests). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      boolean debug = parsed.matchedOption("--debug") != null;
      Throwable root = ex;
      boolean userError = ex instanceof IllegalArgumentException
          || ex instanceof org.pophealth.ops.LakehouseLease.BusyException || ex instanceof ConfigLoader.ConfigException
          || ex instanceof java.io.FileNotFoundException;
      if (ex instanceof org.apache.spark.sql.AnalysisException) {
        userError = true;
      }
      // Delta conflicts carry their commit JSON, Spark its plan: one line here
      String msg = Messages.abbreviate(Messages.firstLine(ex), 500);
      cmd.getErr().println("error: " + msg);
      if (debug) {
        root.printStackTrace(cmd.getErr());
      } else if (!userError) {
        cmd.getErr().println("(run with --debug for the stack trace)");
      }
      if (ex instanceof org.pophealth.ops.LakehouseLease.BusyException) {
        return BUSY;
      }
      return userError ? 2 : 1;
    });
    return cli.execute(args);
  }
}
