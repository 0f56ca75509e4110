package org.pophealth.tools.bench;

import org.pophealth.jobs.JobContext;
import org.pophealth.cli.PopHealthCli;
import org.pophealth.tools.generate.PopulationOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import org.pophealth.tools.bench.BenchBulk;
import org.pophealth.tools.bench.BenchDuplicates;
import org.pophealth.tools.bench.BenchIngest;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.tools.generate.GenerateSyntheaPopulation;
import org.pophealth.lakehouse.Lakehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import org.pophealth.io.TextTable;
import org.pophealth.identity.IdentitySummary;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks; figures go to docs/BENCHMARKS.md.",
    subcommands = {BenchCommand.Ingest.class, BenchCommand.Bulk.class, BenchCommand.Views.class, BenchCommand.Claims.class, BenchCommand.Identity.class, BenchCommand.Risk.class, BenchCommand.Gaps.class, BenchCommand.Duplicates.class, BenchCommand.Measures.class, BenchCommand.Cohorts.class, BenchCommand.Dashboard.class, BenchSchedulerCommand.class, BenchCommand.Pipeline.class, BenchCommand.Nightly.class})
public final class BenchCommand implements Runnable {
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

    @Mixin PopulationOptions population;

    @Option(names = "--no-peer", description = "Skip the Pathling side.")
    boolean noPeer;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = new JobContext(bench.parent.global());
      PopHealthConfig config = ctx.config();
      Path dir = population.directory(config);
      Lakehouse scratch = ctx.scratchLakehouse("bench");
      Path peer = noPeer ? null : org.pophealth.io.ProjectFiles.path("jobs/bench-peers/pathling/run.sh");
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

  @Command(name = "bulk", mixinStandardHelpOptions = true,
      description = {
        "Bulk Data export + download + ingest throughput: a local Bulk Data server (127.0.0.1) serves a",
        "Synthea population (generated once, cached); the client kicks off, polls, downloads in parallel",
        "and ingests into a scratch lakehouse, never the configured one."})
  static final class Bulk implements Callable<Integer> {
    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Mixin PopulationOptions population;

    @Option(names = "--parallel-downloads", defaultValue = "2",
        description = "Files downloaded at once (default ${DEFAULT-VALUE}).")
    int parallel;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = new JobContext(bench.parent.global());
      PopHealthConfig config = ctx.config();
      Path dir = population.directory(config);
      Lakehouse scratch = ctx.scratchLakehouse("bench-bulk");
      BenchBulk.Result r = new BenchBulk(scratch, dir.toAbsolutePath(), Files.createTempDirectory("pophealth-bench-bulk-downloads-"), parallel,
          config.ingest()).execute();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench bulk: %s (%d files, %.1f MB, %d resources), %d cores, %s, %d parallel downloads, %s%n", dir,
          r.files(), r.bytes() / 1e6, r.resources(), Runtime.getRuntime().availableProcessors(),
          config.spark().master(), parallel, LocalDate.now());
      TextTable t = new TextTable("phase", "seconds", "resources/s", "MB/s");
      t.row("export + download", String.format("%.1f", r.exportSeconds()),
          String.format("%.0f", r.resources() / r.exportSeconds()),
          String.format("%.1f", r.bytes() / 1e6 / r.exportSeconds()));
      t.row("ingest (bronze+silver+event)", String.format("%.1f", r.ingestSeconds()),
          String.format("%.0f", r.resources() / r.ingestSeconds()),
          String.format("%.1f", r.bytes() / 1e6 / r.ingestSeconds()));
      t.row("total", String.format("%.1f", r.totalSeconds()), String.format("%.0f", r.resources() / r.totalSeconds()),
          String.format("%.1f", r.bytes() / 1e6 / r.totalSeconds()));
      t.print(out);
      out.println(r.reconciled() ? "reconciled: read = loaded + quarantined" : "NOT reconciled");
      out.flush();
      return r.reconciled() ? 0 : 1;
    }
  }

  @Command(name = "views", mixinStandardHelpOptions = true,
      description = {
        "SQL on FHIR views against the silver build: ingest-fhir of a Synthea population (generated once,",
        "cached) into a scratch lakehouse, then build-views of the shipped views (or --views DIR) over the same",
        "bronze; resources per second of each, one after the other in one JVM. Never the configured lakehouse."})
  static final class Views implements Callable<Integer> {
    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Mixin PopulationOptions population;

    @Option(names = "--views", paramLabel = "DIR", description = "ViewDefinitions directory (default: the packaged measures/views/).")
    String viewsDir;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = new JobContext(bench.parent.global());
      PopHealthConfig config = ctx.config();
      Path dir = population.directory(config);
      Lakehouse scratch = ctx.scratchLakehouse("bench-views");
      BenchViews.Result r = new BenchViews(scratch, dir, viewsDir).execute();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench views: %s (%d resources), %d cores, %s, %s%n", dir, r.ingest().linesLoaded(),
          Runtime.getRuntime().availableProcessors(), config.spark().master(), LocalDate.now());
      TextTable t = new TextTable("view", "resource", "resources", "rows", "seconds", "resources/s");
      for (org.pophealth.views.BuildViews.ViewResult v : r.views().views()) {
        t.row(v.table(), v.resourceType(), v.resourcesRead(), v.rowsWritten(), String.format("%.1f", v.seconds()),
            v.resourcesRead() == 0 ? "-" : String.format("%.0f", v.resourcesRead() / v.seconds()));
      }
      t.print(out);
      TextTable s = new TextTable("stage", "resources", "seconds", "resources/s");
      s.row("silver build (ingest-fhir: bronze+silver+event)", r.ingest().linesLoaded(),
          String.format("%.1f", r.ingest().seconds()), String.format("%.0f", r.silverPerSecond()));
      s.row("views (" + r.views().views().size() + ", current versions from bronze)", r.views().resourcesRead(),
          String.format("%.1f", r.viewSeconds()), String.format("%.0f", r.viewsPerSecond()));
      s.print(out);
      out.printf("views/silver throughput: %.2f (target >= 0.50)%n", r.viewsPerSecond() / r.silverPerSecond());
      out.flush();
      return r.views().resourcesFailed() == 0 ? 0 : 1;
    }
  }

  @Command(name = "claims", mixinStandardHelpOptions = true,
      description = {
        "Claims ingest throughput: a seeded synthetic Tuva-layout delivery (medical_claim.csv with --lines",
        "lines, eligibility.csv) through validation, bronze, version resolution, silver and events, in a",
        "scratch lakehouse (never the configured one). Prints claim lines per second."})
  static final class Claims implements Callable<Integer> {
    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Option(names = "--lines", defaultValue = "1000000", description = "Medical claim lines (default ${DEFAULT-VALUE}).")
    int lines;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = new JobContext(bench.parent.global());
      PopHealthConfig config = ctx.config();
      Lakehouse scratch = ctx.scratchLakehouse("bench-claims");
      org.pophealth.tools.bench.BenchClaims.Result r =
          new org.pophealth.tools.bench.BenchClaims(scratch, Files.createTempDirectory("pophealth-bench-claims-delivery-"), lines).execute();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench claims: %d medical claim lines (%.1f MB CSV), %d cores, %s, %s%n", r.lines(), r.bytes() / 1e6,
          Runtime.getRuntime().availableProcessors(), config.spark().master(), LocalDate.now());
      TextTable t = new TextTable("lines", "loaded", "quarantined", "final_lines", "events", "seconds", "lines/s");
      t.row(r.lines(), r.ingest().rowsLoaded(), r.ingest().rowsQuarantined(), r.ingest().medicalClaimLines(),
          r.ingest().events(), String.format("%.1f", r.ingest().seconds()), String.format("%.0f", r.linesPerSecond()));
      t.print(out);
      out.flush();
      return 0;
    }
  }

  @Command(name = "identity", mixinStandardHelpOptions = true,
      description = {
        "Record linkage speed and accuracy on N seeded synthetic person records with known truth",
        "(typos, nicknames, day-month swaps, moves, missing and mistyped phones and SSNs), two sources,",
        "with the identity.* settings: time, comparisons, pairwise precision/recall. Writes no tables."})
  static final class Identity implements Callable<Integer> {
    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Option(names = "--records", defaultValue = "100000", description = "Records (default ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--seed", defaultValue = "7", description = "Generator seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--incremental", description = {"resolve-identity in a scratch lakehouse, then the next night",
        "(1%% new, 0.1%% changed, 0.01%% deleted records) linked incrementally and in full with the same model, side",
        "by side: times, ratio and identical person ids."})
    boolean incremental;

    @Override
    public Integer call() throws Exception {
      if (records < 2) {
        throw new IllegalArgumentException("--records must be at least 2");
      }
      JobContext ctx = new JobContext(bench.parent.global());
      PopHealthConfig config = ctx.config();
      if (incremental) {
        Lakehouse scratch = ctx.scratchLakehouse("bench-identity");
        org.pophealth.tools.bench.BenchIdentityIncremental.Result r = new org.pophealth.tools.bench
            .BenchIdentityIncremental(scratch, config.identity(), records, seed).execute();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("bench identity --incremental: %d records (seed %d), next night %d records, %d cores, %s, %s%n",
            r.records(), seed, r.nextRecords(), Runtime.getRuntime().availableProcessors(), config.spark().master(),
            LocalDate.now());
        TextTable t = new TextTable("run", "seconds", "new", "changed", "deleted", "persons re-clustered",
            "comparisons", "persons");
        t.row("first (model trained)", String.format("%.1f", r.trainedSeconds()), r.records(), 0, 0, "all", "", "");
        for (var x : List.of(r.incremental(), r.full())) {
          t.row(x == r.full() ? "next night, full (--full)" : "next night, incremental",
              String.format("%.1f", x == r.full() ? r.fullSeconds() : r.incrementalSeconds()), x.newRecords(),
              x.changedRecords(), x.deletedRecords(), x.affectedPersons(), x.comparisons(), x.persons());
        }
        t.print(out);
        out.printf("person ids identical: %d of %d records (%.4f%%)%n", r.sameIds(), r.comparedIds(),
            100.0 * r.sameIds() / Math.max(1, r.comparedIds()));
        out.printf("ratio incremental/full: %.3f%n", r.incrementalSeconds() / r.fullSeconds());
        out.flush();
        return 0;
      }
      org.pophealth.tools.bench.BenchIdentity.Result r = new org.pophealth.tools.bench.BenchIdentity(ctx.lakehouse().spark(),
          org.pophealth.identity.LinkageSettings.of(config.identity(), false), records, seed).execute();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench identity: %d records (seed %d), %d cores, %s, %s%n", r.records(), seed,
          Runtime.getRuntime().availableProcessors(), config.spark().master(), LocalDate.now());
      out.printf("generate %.1f s; link %.1f s (%.0f records/s); %d comparisons; %d clusters%n", r.generateSeconds(),
          r.linkSeconds(), r.records() / r.linkSeconds(), r.comparisons(), r.clusters());
      out.printf("pairwise precision %.4f, recall %.4f, F1 %.4f%n", r.precision(), r.recall(),
          2 * r.precision() * r.recall() / (r.precision() + r.recall()));
      IdentitySummary.rules(r.rules()).print(out);
      out.flush();
      return 0;
    }
  }

  @Command(name = "risk", mixinStandardHelpOptions = true,
      description = {
        "CMS-HCC file scoring (bin/pophealth risk-score) on synthetic members with Medicare-like diagnosis",
        "counts: time to read both files, score and write the output (file generation excluded)."})
  static final class Risk implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--members", defaultValue = "1000000", description = "Members (default ${DEFAULT-VALUE}).")
    int members;

    @Option(names = "--seed", defaultValue = "7", description = "Generator seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--payment-year", defaultValue = "2025",
        description = "Payment year (default ${DEFAULT-VALUE}: the V24+V28 blend, both models scored).")
    int paymentYear;

    @Option(names = "--model", defaultValue = "blend", description = "V24, V28 or blend (default ${DEFAULT-VALUE}).")
    String model;

    @Override
    public Integer call() throws Exception {
      org.pophealth.tools.bench.BenchRisk.Result r =
          new org.pophealth.tools.bench.BenchRisk(members, seed, paymentYear, model).execute();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench risk: %d members, %d diagnosis rows (%d rejected), PY%d %s, %d cores, %s%n", r.members(),
          r.diagnoses(), r.rejected(), paymentYear, model, Runtime.getRuntime().availableProcessors(), LocalDate.now());
      out.printf("generate %.1f s (excluded); read + score + write %.1f s = %.0f members/s; %.1f CPU s (load average"
          + " %.1f)%n", r.generateSeconds(), r.scoreSeconds(), r.membersPerSecond(), r.cpuSeconds(),
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      out.flush();
      return 0;
    }
  }

  @Command(name = "gaps", mixinStandardHelpOptions = true,
      description = {
        "find-hcc-gaps throughput: persons per second, recapture and suspect gaps, on synthetic PY2026 scores,",
        "PY2025 chronic HCCs and 2024-2025 labs, vitals, surveys and prescriptions. One cold run, one warm run",
        "(the figure). Runs in a scratch lakehouse, never the configured one."})
  static final class Gaps implements Callable<Integer> {
    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Option(names = "--persons", defaultValue = "200000", description = "Synthetic persons (default ${DEFAULT-VALUE}).")
    long persons;

    @Option(names = "--events", defaultValue = "2000000", description = "Synthetic events (default ${DEFAULT-VALUE}).")
    long events;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = new JobContext(bench.parent.global());
      Lakehouse scratch = ctx.scratchLakehouse("bench-gaps");
      BenchGaps.Result r = new BenchGaps(scratch, persons, events, 7).execute();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench gaps: %d persons, %d events, %d cores, %s, %s, load %.2f%n", r.persons(), r.events(),
          Runtime.getRuntime().availableProcessors(), ctx.config().spark().master(), LocalDate.now(),
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      TextTable t = new TextTable("run", "gaps", "recapture", "suspect", "open", "closed", "seconds", "persons/s");
      for (var x : java.util.List.of(java.util.Map.entry("cold", r.first()), java.util.Map.entry("warm", r.second()))) {
        var g = x.getValue();
        t.row(x.getKey(), g.gaps(), g.recapture(), g.suspect(), g.open(), g.closed(), String.format("%.1f", g.seconds()),
            String.format("%.0f", r.persons() / g.seconds()));
      }
      t.print(out);
      out.printf("generation %.1f s (not timed)%n", r.generateSeconds());
      return 0;
    }
  }

  @Command(name = "duplicates", mixinStandardHelpOptions = true,
      description = {
        "detect-duplicate-tests throughput: silver events scanned per second, on a synthetic silver.event",
        "(lab and imaging events, 25%% claims, modifiers, ED settings, diagnoses) or on a FHIR export",
        "ingested first (--input). Runs in a scratch lakehouse, never the configured one."})
  static final class Duplicates implements Callable<Integer> {
    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Option(names = "--events", defaultValue = "2000000", description = "Synthetic events (default ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--persons", defaultValue = "100000", description = "Synthetic persons (default ${DEFAULT-VALUE}).")
    long persons;

    @Option(names = "--input", paramLabel = "DIR", description = "Ingest this FHIR export (e.g. a cached Synthea population) instead.")
    Path input;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = new JobContext(bench.parent.global());
      Lakehouse scratch = ctx.scratchLakehouse("bench-dup");
      BenchDuplicates.Result r = new BenchDuplicates(scratch, events, persons, input).execute();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench duplicates: %s, %d cores, %s, %s%n", r.input(), Runtime.getRuntime().availableProcessors(),
          ctx.config().spark().master(), LocalDate.now());
      TextTable t = new TextTable("silver events", "records matched", "tests", "repeats", "prepare s", "detect s",
          "events/s");
      t.row(r.silverEvents(), r.detect().eventsMatched(), r.detect().tests(), r.detect().repeats(),
          String.format("%.1f", r.prepareSeconds()), String.format("%.1f", r.detect().seconds()),
          String.format("%.0f", r.eventsPerSecond()));
      t.print(out);
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

    @Mixin PopulationOptions population;

    @Option(names = "--reuse", paramLabel = "DIR",
        description = "Keep the ingested population in this lakehouse and reuse it on later runs (ingest is "
            + "not what this measures); default: a new scratch lakehouse.")
    Path lakehouseDir;

    @Option(names = "--runs", defaultValue = "3", description = "Measured runs after the warm-up (default ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = new JobContext(bench.parent.global());
      PopHealthConfig config = ctx.config();
      Path dir = population.directory(config);
      Lakehouse scratch = lakehouseDir == null ? ctx.scratchLakehouse("bench-measures")
          : new Lakehouse(ctx.lakehouse().spark(), lakehouseDir.toAbsolutePath().toString());
      var r = new org.pophealth.tools.bench.BenchMeasures(scratch, dir, config.measures().packageDir(),
          config.measurementPeriod().start(), config.measurementPeriod().end()).execute(runs);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench measures: %s, %d cores, %s, %s, period %s..%s%n", dir, Runtime.getRuntime().availableProcessors(),
          config.spark().master(), LocalDate.now(), config.measurementPeriod().start(), config.measurementPeriod().end());
      TextTable t = new TextTable("run", "persons", "evaluations", "evaluate_s", "evaluations/s", "job_s");
      java.util.List<org.pophealth.measures.EvaluateMeasures.Result> all = new java.util.ArrayList<>();
      all.add(r.warm());
      all.addAll(r.measured());
      for (int i = 0; i < all.size(); i++) {
        var e = all.get(i);
        t.row(i == 0 ? "warm-up" : "measured " + i, e.persons(), e.evaluations(),
            String.format("%.1f", e.evaluateSeconds()), String.format("%.0f", e.evaluationsPerSecond()),
            String.format("%.1f", e.seconds()));
      }
      t.print(out);
      out.flush();
      return 0;
    }
  }

  @Command(name = "cohorts", mixinStandardHelpOptions = true,
      description = {
        "build-cohorts (attribution included) and publish of the packaged cohorts on synthetic gold and",
        "silver rows for N persons (care gaps, risk tiers, primary-care and ED visits), then worklist import of",
        "an outcomes file for every fourth open item and a second publish, in a scratch lakehouse and publish",
        "directory, never the configured ones."})
  static final class Cohorts implements Callable<Integer> {
    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Option(names = "--persons", defaultValue = "100000", description = "Synthetic persons (default ${DEFAULT-VALUE}).")
    long persons;

    @Override
    public Integer call() throws Exception {
      if (persons < 1) {
        throw new IllegalArgumentException("--persons must be at least 1");
      }
      JobContext ctx = new JobContext(bench.parent.global());
      Lakehouse scratch = ctx.scratchLakehouse("bench-cohorts");
      var r = new org.pophealth.tools.bench.BenchCohorts(scratch, persons, scratch.root() + "/published").execute();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench cohorts: %d persons, %d silver events, %d cores, %s, %s%n", r.persons(), r.events(),
          Runtime.getRuntime().availableProcessors(), ctx.config().spark().master(), LocalDate.now());
      long listed = r.build().cohorts().stream().mapToLong(b -> b.listed()).sum();
      TextTable t = new TextTable("cohorts", "listed", "attributed", "generate s", "build s", "publish s",
          "persons/s (build+publish)");
      t.row(r.build().cohorts().size(), listed, r.build().attribution().persons(),
          String.format("%.1f", r.generateSeconds()), String.format("%.1f", r.build().seconds()),
          String.format("%.1f", r.publish().seconds()),
          String.format("%.0f", r.persons() / (r.build().seconds() + r.publish().seconds())));
      t.print(out);
      TextTable w = new TextTable("open worklist items", "outcome lines", "applied", "rejected", "import s",
          "republish s", "held back after");
      w.row(r.openItems(), r.imported().read(), r.imported().applied(), r.imported().rejected(),
          String.format("%.1f", r.imported().seconds()), String.format("%.1f", r.republish().seconds()),
          r.republish().published().stream().mapToLong(x -> x.worklist().heldBack()).sum());
      w.print(out);
      out.flush();
      return 0;
    }
  }

  @Command(name = "dashboard", mixinStandardHelpOptions = true,
      description = {
        "Collect and render the executive dashboard of the lakehouse (read only) into a temporary file,",
        "--repeat times; prints the collect and render seconds of each run (the first includes warm-up)."})
  static final class Dashboard implements Callable<Integer> {
    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Option(names = "--repeat", defaultValue = "3", description = "Runs (default ${DEFAULT-VALUE}).")
    int repeat;

    @Override
    public Integer call() throws Exception {
      if (repeat < 1) {
        throw new IllegalArgumentException("--repeat must be at least 1");
      }
      JobContext ctx = new JobContext(bench.parent.global());
      var dashboard = new org.pophealth.dashboard.PublishDashboard(ctx.lakehouse(),
          org.pophealth.dashboard.DashboardTargets.packaged(), ctx.config().measures().smallCellThreshold());
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pophealth-bench-dashboard-");
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench dashboard: %s, %d cores, %s, %s%n", ctx.lakehouse().root(),
          Runtime.getRuntime().availableProcessors(), ctx.config().spark().master(), LocalDate.now());
      TextTable t = new TextTable("run", "charts", "tables", "KiB", "collect s", "render s");
      for (int i = 1; i <= repeat; i++) {
        var r = dashboard.write(dir.resolve("index-" + i + ".html").toString(), "bench");
        t.row(i, r.charts(), r.tables(), r.bytes() / 1024, String.format("%.1f", r.collectSeconds()),
            String.format("%.2f", r.renderSeconds()));
      }
      t.print(out);
      out.flush();
      return 0;
    }
  }

  @Command(name = "pipeline", mixinStandardHelpOptions = true,
      description = {
        "The whole pipeline (every demo stage) on a Synthea population in a scratch lakehouse: seconds, peak",
        "heap and resident memory, and rows written per stage. Populations above --base patients are --base",
        "Synthea patients replicated with fresh ids and perturbed demographics (generated once, cached)."})
  static final class Pipeline implements Callable<Integer> {
    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Mixin org.pophealth.tools.generate.ScaledPopulationOptions population;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = new JobContext(bench.parent.global());
      PopHealthConfig config = ctx.config();
      Path dir = population.directory(config);
      Lakehouse scratch = ctx.scratchLakehouse("bench-pipeline");
      java.util.List<String> args = new java.util.ArrayList<>(jobArgs(bench, config));
      args.addAll(java.util.List.of("--lakehouse", scratch.root()));
      var r = new org.pophealth.tools.bench.BenchPipeline(scratch, config, dir, PopHealthCli.inProcess(args)).execute();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench pipeline: %s (%d resources, %.1f MB), %d cores, %s, max heap %d MB, %s%n", r.export(),
          r.inputResources(), r.inputBytes() / 1e6, Runtime.getRuntime().availableProcessors(),
          config.spark().master(), Runtime.getRuntime().maxMemory() >> 20, LocalDate.now());
      TextTable t = new TextTable("stage", "seconds", "peak heap MB", "peak RSS MB", "rows written (table: rows after)");
      for (var s : r.stages()) {
        t.row(s.name(), String.format("%.1f", s.seconds()), s.peakHeapMb(), s.peakRssMb(),
            s.rows().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(java.util.stream.Collectors.joining(", ")));
      }
      t.row("total", String.format("%.1f", r.seconds()),
          r.stages().stream().mapToLong(s -> s.peakHeapMb()).max().orElse(0),
          r.stages().stream().mapToLong(s -> s.peakRssMb()).max().orElse(0), "");
      t.print(out);
      out.println("stage output: " + r.log() + "; scratch lakehouse: " + scratch.root());
      out.flush();
      return 0;
    }
  }

  /** The global options the pipeline's jobs run with (config file, master), without {@code --lakehouse}. */
  static java.util.List<String> jobArgs(BenchCommand bench, PopHealthConfig config) {
    java.util.List<String> args = new java.util.ArrayList<>();
    if (bench.parent.global().config() != null) {
      args.addAll(java.util.List.of("--config", bench.parent.global().config().toString()));
    }
    args.addAll(java.util.List.of("--master", config.spark().master()));
    return java.util.List.copyOf(args);
  }

  @Command(name = "nightly", mixinStandardHelpOptions = true,
      description = {
        "The demo's pipeline on a population (night 1), then the next night's incremental EHR export (0.5%% of",
        "patients changed, 0.5%% added, 0.05%% deleted, at least one each) with the payer's claims re-delivery, run",
        "twice from the same state side by side: as the nightly run does, and as a full rebuild (--full where a",
        "job has it). Ends with `tables identical: yes|no` and `ratio incremental/full: R`."})
  static final class Nightly implements Callable<Integer> {
    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Mixin org.pophealth.tools.generate.ScaledPopulationOptions population;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = new JobContext(bench.parent.global());
      PopHealthConfig config = ctx.config();
      Path dir = population.directory(config);
      Path work = java.nio.file.Files.createTempDirectory("pophealth-bench-nightly-");
      java.util.List<String> args = jobArgs(bench, config);
      Path logFile = work.resolve("bench-nightly.log");
      BenchNightly.Result r;
      try (PrintWriter log = new PrintWriter(java.nio.file.Files.newBufferedWriter(logFile), true)) {
        r = new BenchNightly(ctx.lakehouse().spark(), work, config, dir, args, population.seed(), log).execute();
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("bench nightly: %s, %d patients; night: %d changed, %d added, %d deleted (%d resources, %d"
          + " tombstones); %d cores, %s, %s%n", dir, r.night().patients(), r.night().changed(), r.night().added(),
          r.night().deleted(), r.night().resources(), r.night().tombstones(),
          Runtime.getRuntime().availableProcessors(), config.spark().master(), LocalDate.now());
      TextTable t = new TextTable("job", "night 1 s", "next night s", "full rebuild s");
      for (String job : r.full().jobs().keySet()) {
        t.row(job, String.format("%.1f", r.first().jobs().getOrDefault(job, 0.0)),
            String.format("%.1f", r.nightly().jobs().getOrDefault(job, 0.0)),
            String.format("%.1f", r.full().jobs().get(job)));
      }
      t.row("total", String.format("%.1f", r.first().seconds()), String.format("%.1f", r.nightly().seconds()),
          String.format("%.1f", r.full().seconds()));
      t.print(out);
      out.println("stage output: " + logFile + "; lakehouses: " + work);
      out.printf("tables compared: %d (bronze, silver, gold)%n", r.tablesCompared());
      r.differing().forEach(d -> out.println("  differs: " + d));
      out.println("tables identical: " + (r.identical() ? "yes" : "no"));
      out.printf("ratio incremental/full: %.2f%n", r.ratio());
      out.flush();
      return r.identical() ? 0 : 1;
    }
  }
}
