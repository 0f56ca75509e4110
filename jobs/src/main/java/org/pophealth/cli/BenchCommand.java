package org.pophealth.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.pophealth.bench.BenchIngest;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.demo.GenerateSyntheaPopulation;
import org.pophealth.lakehouse.Lakehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks; figures go to docs/BENCHMARKS.md.",
    subcommands = {BenchCommand.Ingest.class, BenchCommand.Measures.class})
final class BenchCommand implements Runnable {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "ingest", mixinStandardHelpOptions = true,
      description = {
        "NDJSON -> bronze + silver + events throughput on a Synthea population (generated once, cached),",
        "side by side with Pathling's encoders (au.csiro.pathling:encoders:7.2.0, own JVM) on the same files.",
        "Runs in a scratch lakehouse, never the configured one."})
  static final class Ingest implements Callable<Integer> {
    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Option(names = "--patients", defaultValue = "200", description = "Synthea patients (default ${DEFAULT-VALUE}).")
    int patients;

    @Option(names = "--seed", defaultValue = "7", description = "Synthea seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--years", defaultValue = "10", description = "Years of history (default ${DEFAULT-VALUE}).")
    int years;

    @Option(names = "--input", paramLabel = "DIR", description = "Use this NDJSON directory instead of Synthea.")
    Path input;

    @Option(names = "--no-peer", description = "Skip the Pathling side.")
    boolean noPeer;

    @Override
    public Integer call() throws Exception {
      CliContext ctx = new CliContext(bench.parent.global);
      PopHealthConfig config = ctx.config();
      Path dir = input;
      if (dir == null) {
        dir = new GenerateSyntheaPopulation(GenerateSyntheaPopulation.projectPath(config.demo().syntheaScript()),
            Path.of(config.demo().cacheDir()), patients, seed, years).execute();
      }
      Path scratchRoot = Files.createTempDirectory("pophealth-bench-");
      Lakehouse scratch = new Lakehouse(ctx.lakehouse().spark(), scratchRoot.toString());
      Path peer = noPeer ? null : GenerateSyntheaPopulation.projectPath("jobs/bench-peers/pathling/run.sh");
      BenchIngest.Result r = new BenchIngest(scratch, dir, peer, config.spark().master()).execute();
      PrintWriter out = spec.commandLine().getOut();
      int cores = Runtime.getRuntime().availableProcessors();
      out.printf("bench ingest: %s (%d files, %.1f MB), %d cores, %s, %s%n", dir, r.ingest().files(),
          r.ingest().bytes() / 1e6, cores, config.spark().master(), LocalDate.now());
      TextTable t = new TextTable("engine", "resources", "MB", "seconds", "resources/s", "MB/s");
      for (BenchIngest.Figures f : new BenchIngest.Figures[] {r.ours(), r.peer()}) {
        if (f != null) {
          t.row(f.engine(), f.resources(), String.format("%.1f", f.bytes() / 1e6), String.format("%.1f", f.seconds()),
              String.format("%.0f", f.resourcesPerSecond()), String.format("%.2f", f.mbPerSecond()));
        }
      }
      t.print(out);
      if (r.peer() != null) {
        out.printf("speed-up over Pathling encoders: %.2fx%n", r.ours().resourcesPerSecond() / r.peer().resourcesPerSecond());
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "measures", mixinStandardHelpOptions = true,
      description = {
        "Person-measure evaluations per second for the package's measures on a Synthea population",
        "(generated once, cached), ingested into a scratch lakehouse; one warm-up run, one measured run."})
  static final class Measures implements Callable<Integer> {
    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Option(names = "--patients", defaultValue = "200", description = "Synthea patients (default ${DEFAULT-VALUE}).")
    int patients;

    @Option(names = "--seed", defaultValue = "7", description = "Synthea seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--years", defaultValue = "10", description = "Years of history (default ${DEFAULT-VALUE}).")
    int years;

    @Option(names = "--input", paramLabel = "DIR", description = "Use this NDJSON directory instead of Synthea.")
    Path input;

    @Override
    public Integer call() throws Exception {
      CliContext ctx = new CliContext(bench.parent.global);
      PopHealthConfig config = ctx.config();
      Path dir = input;
      if (dir == null) {
        dir = new GenerateSyntheaPopulation(GenerateSyntheaPopulation.projectPath(config.demo().syntheaScript()),
            Path.of(config.demo().cacheDir()), patients, seed, years).execute();
      }
      Path scratchRoot = Files.createTempDirectory("pophealth-bench-measures-");
      Lakehouse scratch = new Lakehouse(ctx.lakehouse().spark(), scratchRoot.toString());
      var r = new org.pophealth.bench.BenchMeasures(scratch, dir, config.measures().packageDir(),
          config.measurementPeriod().start(), config.measurementPeriod().end()).execute();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench measures: %s, %d cores, %s, %s, period %s..%s%n", dir, Runtime.getRuntime().availableProcessors(),
          config.spark().master(), LocalDate.now(), config.measurementPeriod().start(), config.measurementPeriod().end());
      TextTable t = new TextTable("run", "persons", "evaluations", "evaluate_s", "evaluations/s", "job_s");
      for (var e : new org.pophealth.measures.EvaluateMeasures.Result[] {r.warm(), r.measured()}) {
        t.row(e == r.warm() ? "warm-up" : "measured", e.persons(), e.evaluations(),
            String.format("%.1f", e.evaluateSeconds()), String.format("%.0f", e.evaluationsPerSecond()),
            String.format("%.1f", e.seconds()));
      }
      t.print(out);
      out.flush();
      return 0;
    }
  }
}
