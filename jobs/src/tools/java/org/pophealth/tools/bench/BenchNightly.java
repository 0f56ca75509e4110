package org.pophealth.tools.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.io.FileUtils;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.config.SchedulerConfig;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.lakehouse.TableContract;
import org.pophealth.schedule.RunPipeline;
import org.pophealth.tools.demo.DemoPipeline;
import org.pophealth.tools.generate.GenerateNightlyExport;

/**
 * {@code bench nightly}: the demo's pipeline on a population (night 1), then the next night's incremental EHR export
 * ({@link GenerateNightlyExport}: patients changed, added and deleted) with the payer's re-delivery of its claims,
 * run twice from the same state, side by side in one JVM: as the nightly run does (each stage in its usual mode)
 * and as a full rebuild (each stage that has a full mode with {@code --full}), each in its own copy of the
 * lakehouse. Compares every bronze, silver and gold table of the two (order-free row fingerprints, run-dependent
 * columns left out) and reports both times and their ratio.
 */
public final class BenchNightly {
  /** Jobs with a full mode, and its flag; a job not named here always recomputes everything. */
  static final Map<String, String> FULL_FLAGS = Map.of("ingest-fhir", "--full", "resolve-identity", "--full",
      "evaluate-measures", "--full");
  /**
   * Columns whose values differ by run: those the demo's snapshot leaves out, and a cohort's publication id (a
   * hash of its inputs' Delta versions, which differ when a full mode commits other versions than the nightly).
   */
  static final Set<String> RUN_DEPENDENT = Set.of("ingest_run_id", "resolve_run_id", "run_id", "computed_at",
      "evaluated_at", "decided_at", "occurred_at", "delivery_time", "export_time", "row_key", "publication");

  private final SparkSession spark;
  private final Path work;
  private final PopHealthConfig config;
  private final Path export;
  private final List<String> globalArgs;
  private final long seed;
  private final PrintWriter log;

  /**
   * @param work folder for the night's export and the two lakehouses (emptied first)
   * @param globalArgs the CLI's global options but {@code --lakehouse} (config, master)
   */
  public BenchNightly(SparkSession spark, Path work, PopHealthConfig config, Path export, List<String> globalArgs,
      long seed, PrintWriter log) {
    this.spark = spark;
    this.work = work;
    this.config = config;
    this.export = export;
    this.globalArgs = List.copyOf(globalArgs);
    this.seed = seed;
    this.log = log;
  }

  /** One pipeline run: each job's seconds in order. */
  public record Run(Map<String, Double> jobs) {
    public double seconds() {
      return jobs.values().stream().mapToDouble(Double::doubleValue).sum();
    }
  }

  /** @param differing tables whose rows differ between the nightly run and the full rebuild (with row counts) */
  public record Result(GenerateNightlyExport.Result night, Run first, Run nightly, Run full, int tablesCompared,
      List<String> differing) {
    public boolean identical() {
      return differing.isEmpty();
    }

    public double ratio() {
      return nightly.seconds() / full.seconds();
    }
  }

  public Result execute() throws Exception {
    Path nightlyRoot = work.resolve("lakehouse");
    Path fullRoot = work.resolve("lakehouse-full");
    FileUtils.deleteQuietly(nightlyRoot.toFile());
    FileUtils.deleteQuietly(fullRoot.toFile());
    Files.createDirectories(work);
    GenerateNightlyExport.Result night =
        new GenerateNightlyExport(export, work.resolve("seed-" + seed), seed).execute();
    log.printf("night: %d patients; %d changed, %d added, %d deleted; %d resources and %d tombstones in %s%n",
        night.patients(), night.changed(), night.added(), night.deleted(), night.resources(), night.tombstones(),
        night.night());

    Map<String, String> first = DemoPipeline.prepare(config, export, log);
    Map<String, String> next = new HashMap<>(DemoPipeline.prepare(config, night.after(), log));
    // the EHR sends only what changed; the payer re-delivers its whole claims history (built from the after-population)
    next.put("ehr_export", night.night().toString());

    Run firstRun = run(nightlyRoot, first, false);
    FileUtils.copyDirectory(nightlyRoot.toFile(), fullRoot.toFile());
    Run nightly = run(nightlyRoot, next, false);
    Run full = run(fullRoot, next, true);

    Lakehouse a = new Lakehouse(spark, nightlyRoot.toString());
    Lakehouse b = new Lakehouse(spark, fullRoot.toString());
    List<String> differing = new ArrayList<>();
    int compared = 0;
    for (TableContract c : a.contracts().all()) {
      if (c.zone().equals("ops") || !(a.exists(c.name()) || b.exists(c.name()))) {
        continue;
      }
      compared++;
      Row fa = a.exists(c.name()) ? fingerprint(a.read(c.name())) : null;
      Row fb = b.exists(c.name()) ? fingerprint(b.read(c.name())) : null;
      if (fa == null || fb == null || !fa.equals(fb)) {
        differing.add(c.name() + " (rows " + (fa == null ? "none" : fa.get(0)) + " / " + (fb == null ? "none"
            : fb.get(0)) + ")");
      }
    }
    return new Result(night, firstRun, nightly, full, compared, List.copyOf(differing));
  }

  /** Row count and two order-free sums of row hashes, without the run-dependent columns. */
  static Row fingerprint(Dataset<Row> rows) {
    List<Column> kept = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      if (!RUN_DEPENDENT.contains(f.name())) {
        kept.add(col("`" + f.name() + "`"));
      }
    }
    Column json = to_json(struct(kept.toArray(new Column[0])));
    return rows.select(json.as("j")).agg(count(lit(1)), sum(xxhash64(col("j"))),
        sum(xxhash64(col("j"), lit("salt")))).first();
  }

  private Run run(Path root, Map<String, String> variables, boolean full) {
    List<String> args = new ArrayList<>(globalArgs);
    args.addAll(List.of("--lakehouse", root.toString()));
    Lakehouse lakehouse = new Lakehouse(spark, root.toString());
    Map<String, Double> jobs = new LinkedHashMap<>();
    long[] t0 = new long[1];
    RunPipeline runner = new RunPipeline(lakehouse, config.scheduler(),
        org.pophealth.cli.PopHealthCli.inProcess(args)).output(log).listener(new RunPipeline.Listener() {
          @Override
          public void started(String job) {
            t0[0] = System.nanoTime();
          }

          @Override
          public void finished(String job, RunPipeline.JobResult result, Map<String, Long> written) {
            jobs.put(job, (System.nanoTime() - t0[0]) / 1e9);
          }
        });
    RunPipeline.Result r = runner.execute(pipeline(full), DemoPipeline.NAME, variables);
    if (!r.succeeded()) {
      throw new IllegalStateException("bench nightly: " + r.jobs().stream()
          .filter(j -> !j.status().equals(RunPipeline.SUCCEEDED)).findFirst().map(j -> j.job() + " " + j.status()
              + (j.error() == null ? "" : ": " + j.error())).orElse("failed") + " (lakehouse " + root + ")");
    }
    return new Run(java.util.Collections.unmodifiableMap(jobs));
  }

  /** The demo's pipeline; for the full rebuild each job that has a full mode runs in it. */
  private SchedulerConfig.Pipeline pipeline(boolean full) {
    SchedulerConfig.Pipeline p = DemoPipeline.pipeline(config);
    if (!full) {
      return p;
    }
    List<SchedulerConfig.Job> jobs = new ArrayList<>();
    for (SchedulerConfig.Job j : p.jobs()) {
      String flag = FULL_FLAGS.get(j.command().get(0));
      List<String> command = new ArrayList<>(j.command());
      if (flag != null) {
        command.add(flag);
      }
      jobs.add(new SchedulerConfig.Job(j.name(), List.copyOf(command), j.after(), j.retries(), j.backoffSeconds(),
          j.enabled()));
    }
    return new SchedulerConfig.Pipeline(p.name(), p.cron(), p.timeZone(), List.copyOf(jobs), p.deadlineMinutes());
  }
}
