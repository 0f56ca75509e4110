package org.pophealth.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pophealth.config.ConfigLoader;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.config.SchedulerConfig;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.ops.alerts.AlertEvent;
import org.pophealth.ops.alerts.CheckFreshness;
import org.pophealth.testing.SharedSpark;

/**
 * Alerts end to end: a real HTTP server on 127.0.0.1 receives the webhook's POSTs (its secret header read
 * from a file), a command notifier gets the event on standard input. A job that fails for good after its
 * retries gives one final-failure event and one per dependent it skipped, never one per attempt; a source
 * that becomes stale gives one event however often it is checked while stale, and another when it is stale
 * again after fresh data (the clock is the test's); a pipeline past its deadline one; a failing notifier is
 * recorded and never fails the pipeline; ops.alert keeps a restarted runner from sending an event again.
 */
@Tag("integration")
class AlertsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private HttpServer server;
  private final List<JsonNode> received = Collections.synchronizedList(new ArrayList<>());
  private final List<String> auth = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger status = new AtomicInteger(204);

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", ex -> {
      try (InputStream in = ex.getRequestBody()) {
        byte[] body = in.readAllBytes();
        if (status.get() / 100 == 2) {
          received.add(JSON.readTree(body));
          auth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
        }
        ex.sendResponseHeaders(status.get(), -1);
      } finally {
        ex.close();
      }
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private String hookUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  private static PopHealthConfig.Alerts webhook(String url, Path secretFile, int retries) {
    return new PopHealthConfig.Alerts(url, "Authorization", null, secretFile == null ? null : secretFile.toString(),
        5, retries, 0.01, List.of(), 10);
  }

  private static PopHealthConfig.Alerts command(List<String> argv) {
    return new PopHealthConfig.Alerts(null, "Authorization", null, null, 5, 0, 0.01, argv, 10);
  }

  private static PopHealthConfig config(SchedulerConfig scheduler, PopHealthConfig.Alerts alerts,
      List<PopHealthConfig.FreshnessRule> rules) {
    return ConfigLoader.defaults().withScheduler(scheduler).withAlerts(alerts, rules);
  }

  /** Jobs whose command starts with "fail" exit 1 with a two-line error (a message and a stack frame). */
  private static final RunPipeline.Launcher FAKE = (args, out, err) -> {
    if (args.get(0).equals("fail")) {
      err.print("boom: the delivery is missing\n\tat org.example.Job.run(Job.java:42)\n");
      return 1;
    }
    return 0;
  };

  /** broken (2 retries) ← downstream; sibling unrelated. */
  private static SchedulerConfig failingPipeline() {
    List<SchedulerConfig.Job> jobs = List.of(
        new SchedulerConfig.Job("broken", List.of("fail"), null, 2, 0.0),
        new SchedulerConfig.Job("downstream", List.of("ok"), List.of("broken"), 0, 0.0),
        new SchedulerConfig.Job("sibling", List.of("ok"), null, 0, 0.0));
    return new SchedulerConfig("memory", null, null, null, null, null, 1, 60, 0, 0.0,
        List.of(new SchedulerConfig.Pipeline("nightly", "0 0 2 * * ?", "UTC", jobs)));
  }

  private static RunPipeline.Result run(Lakehouse lh, Checks checks, SchedulerConfig sc) {
    return checks.wire(new RunPipeline(lh, sc, FAKE)).execute("nightly", "manual", LocalDate.of(2025, 1, 1),
        LocalDate.of(2025, 12, 31));
  }

  private static List<String> alertRows(Lakehouse lh) {
    return lh.read("ops.alert").orderBy("at", "event_id").collectAsList().stream()
        .map(r -> r.<String>getAs("kind") + " " + r.<String>getAs("job") + " " + r.<String>getAs("notifier") + " "
            + r.<String>getAs("status") + " " + r.<Integer>getAs("attempts")
            + (r.getAs("detail") == null ? "" : " " + r.getAs("detail")))
        .toList();
  }

  @Test
  void aJobFailingForGoodAlertsOnceAndEachSkippedDependentOnce() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    Path secret = Files.createTempDirectory("alert-secret-").resolve("auth");
    Files.writeString(secret, "Bearer s3cret\n");
    SchedulerConfig sc = failingPipeline();
    TestClock clock = new TestClock(Instant.parse("2026-03-02T02:00:00Z"));
    Checks checks = Checks.of(lh, config(sc, webhook(hookUrl(), secret, 2), List.of()), clock);

    RunPipeline.Result r = run(lh, checks, sc);

    Map<String, String> statuses = r.jobs().stream().collect(Collectors.toMap(RunPipeline.JobResult::job,
        RunPipeline.JobResult::status));
    assertEquals(Map.of("broken", "failed", "downstream", "skipped", "sibling", "succeeded"), statuses);
    assertEquals(3, lh.read("ops.job_run").filter("job = 'broken'").count(), "three attempts were made");
    assertEquals(2, received.size(), "one final failure and one skipped dependent, not one per attempt: " + received);

    JsonNode failed = received.get(0);
    assertEquals("job-failed", failed.get("kind").asText());
    assertEquals("nightly", failed.get("pipeline").asText());
    assertEquals("broken", failed.get("job").asText());
    assertEquals(3, failed.get("attempt").asInt(), "the last attempt: 1 + 2 retries");
    assertEquals("exit 1: boom: the delivery is missing", failed.get("error").asText(), "first line only");
    assertEquals(r.runId(), failed.get("run_id").asText());
    assertEquals("2026-03-02T02:00:00Z", failed.get("time").asText(), "the runner's clock");
    assertEquals(lh.root(), failed.get("lakehouse").asText());
    assertEquals("job-failed:" + r.runId() + ":broken", failed.get("event_id").asText());

    JsonNode skipped = received.get(1);
    assertEquals("job-skipped", skipped.get("kind").asText());
    assertEquals("downstream", skipped.get("job").asText());
    assertEquals("skipped: broken failed", skipped.get("error").asText());
    assertEquals(r.runId(), skipped.get("run_id").asText());
    assertTrue(skipped.get("attempt").isNull());

    assertEquals(List.of("Bearer s3cret", "Bearer s3cret"), auth, "the secret header, read from its file");
    assertEquals(List.of("job-failed broken webhook sent 1", "job-skipped downstream webhook sent 1"), alertRows(lh));

    // a restarted runner (new notifiers, same lakehouse) finds the events in ops.alert: nothing is sent again
    Checks restarted = Checks.of(lh, config(sc, webhook(hookUrl(), secret, 2), List.of()), clock);
    assertFalse(restarted.alerts().send(AlertEvent.jobFailed("nightly", "broken", 3, "exit 1: boom", r.runId(),
        clock.instant(), lh.root())));
    assertEquals(2, received.size());

    // a second run is a new run: its failure is a new event
    run(lh, restarted, sc);
    assertEquals(4, received.size());
  }

  @Test
  void aStaleSourceAlertsOnceWhenItBecomesStaleAndAgainAfterFreshData() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    lh.ensure("gold.risk_score"); // its only commit: now (real time)
    Instant b = Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.SECONDS);
    ingest(lh, "ehr", b.minus(Duration.ofHours(24)), "succeeded");
    ingest(lh, "ehr", b.minus(Duration.ofHours(2)), "failed"); // a failed run is no new data
    List<PopHealthConfig.FreshnessRule> rules = List.of(new PopHealthConfig.FreshnessRule("ehr", null, 48),
        new PopHealthConfig.FreshnessRule("payer", null, 24),
        new PopHealthConfig.FreshnessRule(null, "gold.risk_score", 1));
    SchedulerConfig sc = failingPipeline();
    TestClock clock = new TestClock(b);
    Checks checks = Checks.of(lh, config(sc, webhook(hookUrl(), null, 0), rules), clock);

    // B: ehr 24 h old (limit 48): fresh; payer never ingested: one alert; the table committed < 1 s ago: fresh
    List<CheckFreshness.Result> c1 = checks.freshness().check("schedule");
    assertEquals(List.of("source:ehr fresh 24.0", "source:payer never null", "table:gold.risk_score fresh"),
        summary(c1));
    assertEquals(List.of("source:payer"), subjects());
    assertEquals("never", c1.get(1).status());

    // B+25h: ehr 49 h old: stale, one alert; the table 25 h old (limit 1): stale, one alert; payer: sent already
    clock.now = b.plus(Duration.ofHours(25));
    checks.freshness().check("schedule");
    assertEquals(List.of("source:payer", "source:ehr", "table:gold.risk_score"), subjects());
    JsonNode ehr = received.get(1);
    assertEquals("stale", ehr.get("kind").asText());
    assertEquals(b.minus(Duration.ofHours(24)).toString(), ehr.get("last_at").asText());
    assertEquals(49.0, ehr.get("age_hours").asDouble(), 1e-9);
    assertEquals(48.0, ehr.get("max_age_hours").asDouble(), 1e-9);

    // B+30h, still stale: nothing more; a restarted scheduler (new Checks) checking again: nothing more
    clock.now = b.plus(Duration.ofHours(30));
    checks.freshness().check("schedule");
    Checks.of(lh, config(sc, webhook(hookUrl(), null, 0), rules), clock).scheduled();
    assertEquals(3, received.size());

    // ehr ingests at B+31h: fresh at B+32h, nothing sent
    ingest(lh, "ehr", b.plus(Duration.ofHours(31)), "succeeded");
    clock.now = b.plus(Duration.ofHours(32));
    assertEquals("source:ehr fresh 1.0", summary(checks.freshness().check("cli")).get(0));
    assertEquals(3, received.size());

    // stale again at B+31h+49h: a new episode, one more alert
    clock.now = b.plus(Duration.ofHours(80));
    checks.freshness().check("schedule");
    assertEquals(List.of("source:payer", "source:ehr", "table:gold.risk_score", "source:ehr"), subjects());
    assertEquals(b.plus(Duration.ofHours(31)).toString(), received.get(3).get("last_at").asText());

    // every check is recorded: 6 checks (the restarted one included) of 3 rules
    assertEquals(18, lh.read("ops.freshness_check").count());
    Row last = lh.read("ops.freshness_check").filter("rule = 'source:ehr'").orderBy(
        org.apache.spark.sql.functions.col("checked_at").desc()).first();
    assertEquals("stale", last.getAs("status"));
    assertEquals(49.0, last.<Double>getAs("age_hours"), 1e-9);
    assertEquals(Timestamp.from(b.plus(Duration.ofHours(80))), last.getAs("checked_at"));
  }

  @Test
  void aCommandGetsTheEventOnStdinAndAFailingNotifierNeverFailsThePipeline() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    Path file = Files.createTempDirectory("alert-cmd-").resolve("events.jsonl");
    SchedulerConfig sc = failingPipeline();
    TestClock clock = new TestClock(Instant.parse("2026-03-02T02:00:00Z"));
    Checks checks = Checks.of(lh, config(sc, command(List.of("sh", "-c", "cat >> \"$0\"; echo >> \"$0\"",
        file.toString())), List.of()), clock);
    RunPipeline.Result r = run(lh, checks, sc);

    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertEquals(2, lines.size(), "one document per event: " + lines);
    JsonNode failed = JSON.readTree(lines.get(0));
    assertEquals("job-failed", failed.get("kind").asText());
    assertEquals("broken", failed.get("job").asText());
    assertEquals(3, failed.get("attempt").asInt());
    assertEquals("exit 1: boom: the delivery is missing", failed.get("error").asText());
    assertEquals(r.runId(), failed.get("run_id").asText());
    assertEquals("2026-03-02T02:00:00Z", failed.get("time").asText());
    assertEquals(lh.root(), failed.get("lakehouse").asText());
    assertEquals("downstream", JSON.readTree(lines.get(1)).get("job").asText());

    // both notifiers failing: a command exiting 3 and a webhook answering 500 (1 retry): recorded, run unchanged
    Lakehouse other = SharedSpark.newLakehouse();
    status.set(500);
    PopHealthConfig.Alerts both = new PopHealthConfig.Alerts(hookUrl(), "Authorization", null, null, 5, 1, 0.01,
        List.of("sh", "-c", "exit 3"), 10);
    RunPipeline.Result r2 = run(other, Checks.of(other, config(sc, both, List.of()), clock), sc);
    assertEquals(r.jobs().stream().map(RunPipeline.JobResult::status).toList(),
        r2.jobs().stream().map(RunPipeline.JobResult::status).toList(), "notifiers do not change the run");
    assertEquals(List.of("job-failed broken command failed 1 exit 3", "job-failed broken webhook failed 2 HTTP 500",
        "job-skipped downstream command failed 1 exit 3", "job-skipped downstream webhook failed 2 HTTP 500"),
        alertRows(other).stream().sorted().toList());
  }

  @Test
  void aPipelinePastItsDeadlineAlertsOncePerFireTime() {
    Lakehouse lh = SharedSpark.newLakehouse();
    List<SchedulerConfig.Job> jobs = List.of(new SchedulerConfig.Job("a", List.of("ok"), null, 0, 0.0),
        new SchedulerConfig.Job("b", List.of("ok"), List.of("a"), 0, 0.0));
    SchedulerConfig sc = new SchedulerConfig("memory", null, null, null, null, null, 1, 60, 0, 0.0,
        List.of(new SchedulerConfig.Pipeline("nightly", "0 0 2 * * ?", "UTC", jobs, 60)));
    // fired 2026-03-02T02:00, deadline 03:00: at 03:30 no run has finished
    TestClock clock = new TestClock(Instant.parse("2026-03-02T03:30:00Z"));
    Checks checks = Checks.of(lh, config(sc, webhook(hookUrl(), null, 0), List.of()), clock);
    assertEquals(1, checks.deadlines().check().size());
    assertEquals("deadline-missed:nightly:2026-03-02T02:00:00Z", received.get(0).get("event_id").asText());
    assertEquals("nightly", received.get(0).get("pipeline").asText());
    assertNull(received.get(0).get("job").textValue());
    clock.now = Instant.parse("2026-03-02T09:00:00Z");
    assertEquals(0, checks.deadlines().check().size(), "the same fire time: not again");

    // the next night both jobs succeed by 02:40: no alert at 03:30
    jobRun(lh, "n3", "a", "succeeded", "2026-03-03T02:00:01Z", "2026-03-03T02:20:00Z");
    jobRun(lh, "n3", "b", "succeeded", "2026-03-03T02:20:01Z", "2026-03-03T02:40:00Z");
    clock.now = Instant.parse("2026-03-03T03:30:00Z");
    assertEquals(0, checks.deadlines().check().size());
    // the night after, b finishes at 03:05, after the deadline
    jobRun(lh, "n4", "a", "succeeded", "2026-03-04T02:00:01Z", "2026-03-04T02:20:00Z");
    jobRun(lh, "n4", "b", "succeeded", "2026-03-04T02:20:01Z", "2026-03-04T03:05:00Z");
    clock.now = Instant.parse("2026-03-04T03:10:00Z");
    assertEquals(1, checks.deadlines().check().size());
    assertEquals(2, received.size());
  }

  @Test
  void theSchedulerRunsTheChecksOnItsCron() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    SchedulerConfig sc = new SchedulerConfig("memory", null, null, null, null, null, 1, 60, 0, 0.0,
        List.of(new SchedulerConfig.Pipeline("yearly", "0 0 3 1 1 ?", "UTC",
            List.of(new SchedulerConfig.Job("a", List.of("ok"), null, 0, 0.0)))), "0/1 * * * * ?");
    Checks checks = Checks.of(lh, config(sc, webhook(hookUrl(), null, 0),
        List.of(new PopHealthConfig.FreshnessRule("payer", null, 24))), Clock.systemUTC());
    try (PipelineScheduler s = new PipelineScheduler(sc, (p, t) -> null, checks::scheduled)) {
      s.start();
      long deadline = System.currentTimeMillis() + 120_000;
      while (!lh.exists("ops.freshness_check") || lh.read("ops.freshness_check").count() < 2) {
        assertTrue(System.currentTimeMillis() < deadline, "no two scheduled checks within 120 s");
        Thread.sleep(500);
      }
    }
    assertEquals(List.of("schedule"), lh.read("ops.freshness_check").select("trigger").distinct().collectAsList()
        .stream().map(x -> x.getString(0)).toList());
    assertEquals(List.of("source:payer"), subjects(), "checked at least twice, never ingested: one alert");
  }

  private List<String> subjects() {
    return received.stream().map(n -> n.get("subject").asText()).toList();
  }

  private static List<String> summary(List<CheckFreshness.Result> results) {
    return results.stream().map(x -> x.subject() + " " + x.status()
        + (x.rule().source() == null ? "" : " " + x.ageHours())).toList();
  }

  private static void ingest(Lakehouse lh, String source, Instant finished, String status) {
    Timestamp t = Timestamp.from(finished);
    Row row = RowFactory.create("run-" + finished.toEpochMilli(), "ingest-fhir", source, "/in", t, t, t, status, 1,
        10L, 10L, 0L, 10L, 10L, null, null, null);
    lh.append("ops.ingest_run", lh.spark().createDataFrame(List.of(row), lh.contract("ops.ingest_run").schema()));
  }

  private static void jobRun(Lakehouse lh, String run, String job, String status, String started, String ended) {
    Row row = RowFactory.create(run, "nightly", job, "ok", "cron", 1, status, Timestamp.from(Instant.parse(started)),
        Timestamp.from(Instant.parse(ended)), null, null, 0L, null);
    lh.append("ops.job_run", lh.spark().createDataFrame(List.of(row), lh.contract("ops.job_run").schema()));
  }
}
