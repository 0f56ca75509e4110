package org.pophealth.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pophealth.cli.PopHealthCli;
import org.pophealth.config.ConfigLoader;
import org.pophealth.config.SchedulerConfig;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.LocalPostgres;
import org.pophealth.testing.SharedSpark;
import org.quartz.TriggerKey;
import org.junit.jupiter.api.Tag;

/**
 * Pipelines of real pophealth commands (run in this JVM on the shared session): dependency order,
 * retry then success, a failure stopping its dependents but not a sibling branch, the run history in
 * ops.job_run; and the Quartz scheduler on its JDBC job store, embedded H2 and a real PostgreSQL
 * server: a cron trigger fires, and after a restart the stored trigger is still there and fires again.
 */
@Tag("integration")
class SchedulerTest {

  private static RunPipeline.Launcher cli(Lakehouse lh) {
    return PopHealthCli.inProcess(List.of("--lakehouse", lh.root(), "--master", "local[2]"));
  }

  private static SchedulerConfig config(String store, String h2, String url, List<SchedulerConfig.Pipeline> pipelines) {
    return new SchedulerConfig(store, h2, url, url == null ? null : "postgres", null, null, 1, 1, 0, 1.0, pipelines);
  }

  private static SchedulerConfig.Job job(String name, List<String> command, List<String> after, int retries) {
    return new SchedulerConfig.Job(name, command, after, retries, 1.0);
  }

  @Test
  void dependencyOrderRetryThenSuccessAndAFailureStopsOnlyItsDependents() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    lh.ensure("gold.identity_decision");
    Path drop = Files.createTempDirectory("drop-").resolve("delivery.yaml");
    List<SchedulerConfig.Job> jobs = List.of(
        // the delivery (a file the job checks) has not landed at the first attempt: it arrives while the job waits
        job("arrive", List.of("config", "--config", drop.toString()), null, 2),
        // a reviewer's decision through the SQL console's maintenance mode (it records itself in ops.sql_query)
        job("decide", List.of("sql", "--admin", "INSERT INTO gold.identity_decision VALUES "
            + "('ehr','p1','payer','m1','cannot-link','test',current_timestamp(),'twins')"), List.of("arrive"), 0),
        job("broken", List.of("ingest-fhir", "--source", "no-such-source"), List.of("arrive"), 0),
        job("downstream", List.of("schema"), List.of("broken"), 0),
        job("sibling", List.of("schema"), List.of("decide"), 0));
    SchedulerConfig cfg = config("memory", null, null, List.of(new SchedulerConfig.Pipeline("p", "0 0 2 * * ?", null, jobs)));
    RunPipeline.Launcher real = cli(lh);
    RunPipeline.Launcher delivery = (args, out, err) -> {
      int code = real.run(args, out, err);
      if (args.contains(drop.toString()) && !Files.exists(drop)) {
        try {
          Files.writeString(drop, "# delivered: the defaults\n");
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      return code;
    };
    RunPipeline.Result r = new RunPipeline(lh, cfg, delivery).execute("p", "manual", LocalDate.of(2025, 1, 1),
        LocalDate.of(2025, 12, 31));

    Map<String, String> status = r.jobs().stream().collect(Collectors.toMap(RunPipeline.JobResult::job,
        RunPipeline.JobResult::status));
    assertEquals(Map.of("arrive", "succeeded", "decide", "succeeded", "broken", "failed", "downstream", "skipped",
        "sibling", "succeeded"), status);
    assertEquals(2, r.jobs().get(0).attempts(), "arrive failed once, then succeeded");

    List<Row> runs = lh.read("ops.job_run").filter("run_id = '" + r.runId() + "'").orderBy("started_at", "attempt")
        .collectAsList();
    List<String> attempts = runs.stream().map(x -> x.<String>getAs("job") + "#" + x.<Integer>getAs("attempt") + ":"
        + x.<String>getAs("status")).toList();
    assertEquals(List.of("arrive#1:retrying", "arrive#2:succeeded", "decide#1:succeeded", "broken#1:failed",
        "downstream#1:skipped", "sibling#1:succeeded"), attempts, "dependency order, retries and skips as recorded");
    Row decide = runs.get(2);
    scala.collection.Map<String, Object> written = decide.getAs("versions_written");
    assertTrue(written.contains("gold.identity_decision"), "the insert moved gold.identity_decision: " + written);
    assertTrue(!written.contains("ops.sql_query"), "audit logs are not what a job wrote: " + written);
    assertEquals(1L, (long) decide.<Long>getAs("rows_written"), "the inserted row");
    scala.collection.Map<String, Object> read = decide.getAs("versions_read");
    assertEquals(0L, read.get("gold.identity_decision").get(), "the table was at version 0 when decide started");
    assertTrue(runs.get(3).<String>getAs("error").contains("unknown source 'no-such-source'"), runs.get(3).toString());
  }

  @ParameterizedTest(name = "job store {0}")
  @ValueSource(strings = {"h2", "postgres"})
  void cronFiresAndTriggersSurviveARestart(String store) throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    Path dir = Files.createTempDirectory("quartz-");
    LocalPostgres pg = store.equals("postgres") ? LocalPostgres.start() : null;
    try {
      SchedulerConfig cfg = config(store, dir.resolve("quartz").toString(), pg == null ? null : pg.jdbcUrl(),
          List.of(new SchedulerConfig.Pipeline("every2s", "0/2 * * * * ?", "UTC",
              List.of(job("schema", List.of("schema"), null, 0)))));
      RunPipeline runner = new RunPipeline(lh, cfg, cli(lh));
      PipelineJob.Runner run = (p, t) -> runner.execute(p, t, LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31));
      try (PipelineScheduler s = new PipelineScheduler(cfg, run)) {
        s.start();
        awaitRuns(lh, 1);
      }
      long before = cronRuns(lh);
      // a new scheduler on the same store, before reconciling: the trigger is read back from the database
      try (PipelineScheduler again = new PipelineScheduler(cfg, run)) {
        assertNotNull(again.quartz().getTrigger(TriggerKey.triggerKey("every2s", PipelineScheduler.GROUP)),
            "the cron trigger is persisted in the " + store + " job store");
        again.start();
        awaitRuns(lh, before + 1);
      }
    } finally {
      if (pg != null) {
        pg.close();
      }
    }
  }

  private static long cronRuns(Lakehouse lh) {
    return lh.exists("ops.job_run") ? lh.read("ops.job_run").filter("trigger IN ('cron', 'recovery') AND status = 'succeeded'")
        .count() : 0;
  }

  private static void awaitRuns(Lakehouse lh, long n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (cronRuns(lh) < n) {
      assertTrue(System.currentTimeMillis() < deadline, "no cron run within 60 s");
      Thread.sleep(500);
    }
  }

  @Test
  void backfillRunsEachPeriodOldestFirstAndRunsListsThem() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    Path config = Files.createTempDirectory("backfill-").resolve("pophealth.yaml");
    Files.writeString(config, """
        scheduler:
          job_store: memory
          default_retries: 0
          pipelines:
            - name: yearly
              cron: "0 0 3 1 1 ?"
              jobs:
                - {name: period, command: [sql, "SELECT '${period}' AS year, '${period_start}' AS s, '${period_end}' AS e"]}
        """);
    org.pophealth.testing.CliRunner.Result r = org.pophealth.testing.CliRunner.run("--config", config.toString(),
        "--lakehouse", lh.root(), "--master", "local[2]", "backfill", "yearly", "--from", "2022-06-30", "--to", "2024");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    List<String> runs = lh.read("ops.job_run").orderBy("started_at").collectAsList().stream()
        .map(x -> x.<String>getAs("trigger") + " " + x.<String>getAs("command")).toList();
    assertEquals(List.of(
        "backfill:2022 sql SELECT '2022' AS year, '2022-01-01' AS s, '2022-12-31' AS e",
        "backfill:2023 sql SELECT '2023' AS year, '2023-01-01' AS s, '2023-12-31' AS e",
        "backfill:2024 sql SELECT '2024' AS year, '2024-01-01' AS s, '2024-12-31' AS e"), runs);
    org.pophealth.testing.CliRunner.Result listed = org.pophealth.testing.CliRunner.run("--config", config.toString(),
        "--lakehouse", lh.root(), "--master", "local[2]", "runs", "--pipeline", "yearly");
    assertEquals(0, listed.exitCode(), listed.err());
    assertEquals(3, listed.out().lines().filter(l -> l.contains("backfill:20") && l.contains("succeeded")).count(),
        listed.out());
    org.pophealth.testing.CliRunner.Result bad = org.pophealth.testing.CliRunner.run("--config", config.toString(),
        "--lakehouse", lh.root(), "backfill", "yearly", "--from", "2024", "--to", "2022");
    assertEquals(2, bad.exitCode());
    assertTrue(bad.err().contains("--to (2022) is before --from (2024)"), bad.err());
  }

  @Test
  void badPipelinesAreRefusedWithAClearMessage() {
    SchedulerConfig.Pipeline cycle = new SchedulerConfig.Pipeline("c", "0 0 2 * * ?", null, List.of(
        job("a", List.of("schema"), List.of("b"), 0), job("b", List.of("schema"), List.of("a"), 0)));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> PipelinePlan.of(cycle));
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    SchedulerConfig.Pipeline unknown = new SchedulerConfig.Pipeline("u", "0 0 2 * * ?", null, List.of(
        job("a", List.of("schema"), List.of("nope"), 0)));
    e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> PipelinePlan.of(unknown));
    assertTrue(e.getMessage().contains("'nope', which is not a job of this pipeline"), e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ConfigLoader.defaults().scheduler().pipeline("missing"));
    assertTrue(e.getMessage().contains("no pipeline 'missing'"), e.getMessage());
  }
}
