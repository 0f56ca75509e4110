package org.pophealth.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pophealth.cli.PopHealthCli;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.CliRunner;
import org.pophealth.testing.SharedSpark;
import org.pophealth.testing.TableSnapshot;

/**
 * One writer per lakehouse, and no half-done job: two ingests started together into one lakehouse give the
 * tables of one ingest plus one clear refusal (exit 75, recorded as refused); a job that fails after some of
 * its commits leaves every table as it found it (Delta RESTORE), recorded with what was rolled back.
 */
@Tag("integration")
class LakehouseWritersTest {
  private static Path fixture() throws Exception {
    return Path.of(LakehouseWritersTest.class.getResource("/ingest/basic/input").toURI());
  }

  @Test
  void concurrentIngestsGiveOneIngestAndOneRefusal() throws Exception {
    Lakehouse clean = SharedSpark.newLakehouse();
    assertEquals(0, CliRunner.run("--lakehouse", clean.root(), "ingest-fhir", "--dir", fixture().toString()).exitCode());

    Lakehouse lh = SharedSpark.newLakehouse();
    Path lease = Path.of(lh.root(), "_lease");
    CompletableFuture<CliRunner.Result> first = CompletableFuture.supplyAsync(() -> {
      try {
        return CliRunner.run("--lakehouse", lh.root(), "ingest-fhir", "--dir", fixture().toString());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    for (int i = 0; i < 600 && !Files.exists(lease) && !first.isDone(); i++) {
      Thread.sleep(50);
    }
    assertTrue(Files.exists(lease), "the first ingest holds the lease while it runs");
    CliRunner.Result second = CliRunner.run("--lakehouse", lh.root(), "ingest-fhir", "--dir", fixture().toString());
    CliRunner.Result one = first.get(10, TimeUnit.MINUTES);

    assertEquals(0, one.exitCode(), one.err());
    assertEquals(PopHealthCli.BUSY, second.exitCode(), second.out() + second.err());
    assertTrue(second.err().startsWith("error: another run holds the lakehouse since "), second.err());
    assertEquals(1, second.err().strip().lines().count(), "one line: " + second.err());
    assertFalse(Files.exists(lease), "the lease is released when the run ends");

    Map<String, List<String>> a = snapshot(clean);
    Map<String, List<String>> b = snapshot(lh);
    assertEquals(a.keySet(), b.keySet());
    for (String t : a.keySet()) {
      assertEquals(a.get(t), b.get(t), "concurrent ingests differ from one ingest in " + t);
    }
    List<Row> attempts = lh.read(JobAttempts.TABLE).orderBy("started_at").collectAsList();
    assertEquals(List.of("refused", "succeeded"),
        attempts.stream().map(r -> r.<String>getAs("status")).sorted().toList());
    Row ok = attempts.stream().filter(r -> r.getAs("status").equals("succeeded")).findFirst().orElseThrow();
    assertEquals(9, ok.getList(ok.fieldIndex("input_files")).size(), "the nine NDJSON files, hashed");
    assertEquals(System.getProperty("user.name"), ok.getAs("os_user"));
    assertEquals(64, ok.<String>getAs("config_hash").length());
  }

  @Test
  void aJobThatFailsMidwayLeavesEveryTableAsItFoundIt() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    assertEquals(0, CliRunner.run("--lakehouse", lh.root(), "ingest-fhir", "--dir", fixture().toString()).exitCode());
    Map<String, List<String>> before = snapshot(lh);
    Map<String, Long> versions = JobAttempts.versions(lh);

    // silver.event replaced by a table of another shape: the second ingest commits bronze and silver first,
    // then cannot write its events
    String event = lh.path("silver.event");
    try (var walk = Files.walk(Path.of(event))) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    SharedSpark.spark().createDataFrame(List.of(org.apache.spark.sql.RowFactory.create("x")),
        new StructType().add("unexpected", DataTypes.StringType)).write().format("delta").save(event);
    Path changed = Files.createTempDirectory("changed-export-");
    for (Path f : Files.list(fixture()).toList()) {
      Files.copy(f, changed.resolve(f.getFileName()));
    }
    Files.writeString(changed.resolve("Condition.ndjson"), Files.readString(changed.resolve("Condition.ndjson"))
        .replace("\"code\":\"active\"", "\"code\":\"resolved\""));
    Map<String, Long> beforeFailure = JobAttempts.versions(lh);

    CliRunner.Result r = CliRunner.run("--lakehouse", lh.root(), "ingest-fhir", "--dir", changed.toString());
    assertTrue(r.exitCode() != 0, r.out());
    assertTrue(r.err().startsWith("error: "), r.err());

    Map<String, Long> after = JobAttempts.versions(lh);
    Row failed = lh.read(JobAttempts.TABLE).filter("status = 'failed'").head();
    Map<String, Object> rolledBack = failed.getJavaMap(failed.fieldIndex("rolled_back"));
    assertFalse(rolledBack.isEmpty(), "the failed ingest had committed something, rolled back: " + failed);
    for (Map.Entry<String, Object> e : rolledBack.entrySet()) {
      assertEquals(beforeFailure.getOrDefault(e.getKey(), 0L), e.getValue(), e.getKey() + " restored to its version before");
      assertTrue(after.get(e.getKey()) > beforeFailure.get(e.getKey()), e.getKey() + ": a RESTORE commit");
    }
    Map<String, List<String>> now = snapshot(lh);
    for (String t : before.keySet()) {
      if (!t.equals("silver.event")) {
        assertEquals(before.get(t), now.get(t), t + " is as the failed job found it");
      }
    }
    assertTrue(versions.size() > 5, "the first ingest wrote the tables: " + versions);
  }

  private static Map<String, List<String>> snapshot(Lakehouse lh) {
    return TableSnapshot.of(lh, c -> c.zone().equals("bronze") || c.zone().equals("silver"),
        n -> n.endsWith("run_id") || n.endsWith("_at") || n.equals("export_time") || n.equals("file"));
  }
}
