package org.pophealth.ingest.fhir.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;

/**
 * Kick-off to silver: full then incremental exports driven by the per-type watermarks of ops.bulk_watermark,
 * a new type's history, an export that brings nothing, the old per-source watermark, and a group whose
 * new member's history is backfilled.
 */
@Tag("integration")
class BulkEndToEndTest {
  private static final Instant T1 = Instant.parse("2025-03-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2025-04-01T10:00:00Z");

  private Lakehouse lh;
  private Path dir;
  private FakeBulkServer server;

  @BeforeEach
  void start() throws Exception {
    lh = SharedSpark.newLakehouse();
    dir = FakeBulkServer.tempDir();
    server = new FakeBulkServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private BulkSettings settings(String level, List<String> types) {
    return new BulkSettings(server.base(), level, types, List.of(), List.of(), List.of(), null, false, null, dir,
        Duration.ofMillis(50), Duration.ofMillis(10), 3, 2, true, true, null);
  }

  @Test
  void fullThenIncrementalExportReachSilver() throws Exception {
    server.errorFile = true;
    BulkSettings s = settings("system", List.of("Patient", "Observation"));

    IngestBulkExport.Result first = new IngestBulkExport(lh, "bulk", s, null).execute();
    assertNull(first.since(), "no watermark yet: a full export");
    assertTrue(first.ingest().reconciled());
    assertEquals(List.of("bp1", "bp2", "bp3"), ids(lh, "silver.patient"));
    assertEquals(List.of("bo1", "bo2", "bo3", "bo4"), ids(lh, "silver.observation"));
    // the error file's OperationOutcome line is accounted for (quarantined as operation-outcome)
    assertEquals(3 + 4 + 1, first.ingest().linesRead());
    assertEquals(Map.of(new TypeScope("Patient", ""), T1, new TypeScope("Observation", ""), T1), marks(lh));
    assertEquals(1, server.requests("POST", "/fhir/$export").size(), "POST kick-off by default");
    assertNull(server.kickOffParams.get(0).get("_since"));
    assertNull(BulkExportState.load(dir), "state cleared after the ingest");
    assertEquals(1, server.deletes.get(), "the status URL is released after the watermark is stored");
    assertEquals(Boolean.TRUE, first.exports().get(0).released());

    server.errorFile = false;
    server.transactionTime = T2.toString();
    IngestBulkExport.Result second = new IngestBulkExport(lh, "bulk", s, null).execute();
    assertEquals(T1, second.since());
    assertEquals(1, second.exports().size(), "both types share their watermark: one export");
    assertEquals(List.of(T1.toString()), server.kickOffParams.get(1).get("_since"));
    // since/: bp1 renamed, bp3 deleted
    assertEquals(List.of("bp1", "bp2"), ids(lh, "silver.patient"));
    Row bp1 = lh.read("silver.patient").filter("source = 'bulk' AND id = 'bp1'").select("family_name").first();
    assertEquals("Renamed", bp1.getString(0));
    assertEquals(Map.of(new TypeScope("Patient", ""), T2, new TypeScope("Observation", ""), T2), marks(lh));
    assertEquals(2, lh.read("ops.bulk_watermark").count(), "one row per type");

    // a file still short of its manifest count after a second download: ingested, run fails, watermark kept
    server.truncatePatients = true;
    server.transactionTime = "2025-05-01T10:00:00Z";
    BulkExportException e = org.junit.jupiter.api.Assertions.assertThrows(BulkExportException.class,
        () -> new IngestBulkExport(lh, "bulk", s, null).execute());
    // since/Patient.ndjson has 1 line; truncated, none arrives
    assertTrue(e.getMessage().startsWith("NOT reconciled: Patient.1.ndjson (output Patient) manifest count 1,"
        + " 0 lines downloaded (also when downloaded again)."), e.getMessage());
    assertTrue(e.getMessage().contains("the watermark stays at 2025-04-01T10:00:00Z, so the next run exports this"
        + " window again"), e.getMessage());
    assertEquals(Map.of(new TypeScope("Patient", ""), T2, new TypeScope("Observation", ""), T2), marks(lh),
        "watermarks not moved");
    assertNull(BulkExportState.load(dir), "nothing left to resume: the next run starts a new export");
  }

  @Test
  void aNewTypeGetsItsHistoryAndAnEmptyIncrementReportsNothingAdded() throws Exception {
    server.pollsBeforeDone = 0;
    new IngestBulkExport(lh, "bulk", settings("system", List.of("Patient", "Observation")), null)
        .execute();

    server.transactionTime = T2.toString();
    BulkSettings three = settings("system", List.of("Patient", "Observation", "Condition"));
    IngestBulkExport.Result second = new IngestBulkExport(lh, "bulk", three, null).execute();
    // Condition has no watermark: an export of its own without _since, before the others' increment
    assertEquals(2, second.exports().size());
    assertEquals(List.of("Condition"), server.kickOffParams.get(1).get("_type"));
    assertNull(server.kickOffParams.get(1).get("_since"));
    assertEquals(List.of("Patient,Observation"), server.kickOffParams.get(2).get("_type"));
    assertEquals(List.of(T1.toString()), server.kickOffParams.get(2).get("_since"));
    assertEquals(List.of("bc1", "bc2"), ids(lh, "silver.condition"), "the new type's history arrived");
    assertEquals(Map.of(new TypeScope("Patient", ""), T2, new TypeScope("Observation", ""), T2,
        new TypeScope("Condition", ""), T2), marks(lh));
    String console = console(second);
    assertTrue(console.contains("Patient: since 2025-03-01T10:00:00Z\n"), console);
    assertTrue(console.contains("Observation: since 2025-03-01T10:00:00Z\n"), console);
    assertTrue(console.contains("Condition: full (new type)\n"), console);
    // this run: Condition 2 lines, since/ Patient 1 line and the deleted Bundle: 4 lines read, by two ingests
    assertEquals(2 + 1 + 1, second.ingest().linesRead());

    // nothing changed since; _until before the transactionTime bounds the watermark
    server.noChanges = true;
    server.transactionTime = "2025-05-01T10:00:00Z";
    Instant until = Instant.parse("2025-04-15T00:00:00Z");
    IngestBulkExport.Result third = new IngestBulkExport(lh, "bulk",
        three.withProtocol(new BulkSettings.Protocol("post", until, null, false, true)), null).execute();
    assertEquals(1, third.exports().size(), "all three types share the watermark now");
    assertEquals(List.of(until.toString()), server.kickOffParams.get(3).get("_until"));
    assertEquals(0, third.ingest().files());
    assertEquals(0, third.ingest().linesRead());
    assertEquals(0, third.ingest().bronzeRowsAdded(), "no file: no row added by this run");
    assertNull(third.exports().get(0).ingest());
    String quiet = console(third);
    assertTrue(quiet.contains("no files: nothing to ingest (bronze rows added 0)"), quiet);
    assertEquals(Map.of(new TypeScope("Patient", ""), until, new TypeScope("Observation", ""), until,
        new TypeScope("Condition", ""), until), marks(lh), "the watermark is _until, not the transactionTime");
  }

  @Test
  void thePerSourceWatermarkOfTheEarlierLayoutIsHonouredThenReplaced() throws Exception {
    server.pollsBeforeDone = 0;
    // ops.bulk_watermark as the earlier version wrote it: no resource_type / type_filter columns
    StructType full = lh.contract(BulkWatermarks.TABLE).schema();
    StructType old = new StructType(Arrays.stream(full.fields())
        .filter(f -> !f.name().equals("resource_type") && !f.name().equals("type_filter")).toArray(StructField[]::new));
    Row legacy = RowFactory.create("bulk", server.base(), "system", Timestamp.from(T1), null, "old-run", 2, 7L,
        Timestamp.from(T1));
    lh.spark().createDataFrame(List.of(legacy), old).write().format("delta").save(lh.path(BulkWatermarks.TABLE));

    server.transactionTime = T2.toString();
    IngestBulkExport.Result r = new IngestBulkExport(lh, "bulk",
        settings("system", List.of("Patient", "Observation")), null).execute();
    assertEquals(List.of(T1.toString()), server.kickOffParams.get(0).get("_since"));
    assertTrue(console(r).contains("Patient: since 2025-03-01T10:00:00Z (per-source watermark of the earlier"
        + " layout)\n"), console(r));
    BulkWatermarks.Marks after = new BulkWatermarks(lh).read("bulk", "system");
    assertNull(after.legacy(), "replaced by per-type rows");
    assertEquals(Map.of(new TypeScope("Patient", ""), T2, new TypeScope("Observation", ""), T2), after.byScope());
  }

  @Test
  void aNewGroupMemberHasItsHistoryBackfilledAndARemovedOneIsRecorded() throws Exception {
    server.pollsBeforeDone = 0;
    server.groupMembers = List.of("bp1", "bp3");
    server.inactiveMembers = List.of("bp2");
    BulkSettings s = settings("group:g1", List.of("Patient", "Observation"));
    IngestBulkExport.Result first = new IngestBulkExport(lh, "bulk", s, null).execute();
    assertTrue(first.members().firstRun());
    assertEquals(List.of("Patient/bp1", "Patient/bp3"), first.members().current(), "inactive bp2 left out");
    assertEquals(List.of("bp1", "bp3"), ids(lh, "silver.patient"));
    assertEquals(List.of("bo1", "bo4"), ids(lh, "silver.observation"));

    // bp2 joins, bp3 leaves
    server.groupMembers = List.of("bp1", "bp2");
    server.inactiveMembers = List.of();
    server.transactionTime = T2.toString();
    IngestBulkExport.Result second = new IngestBulkExport(lh, "bulk", s, null).execute();
    assertEquals(List.of("Patient/bp2"), second.members().added());
    assertEquals(List.of("Patient/bp3"), second.members().removed());
    assertEquals(1, second.backfilled());
    // the group's increment (since T1), then the backfill: POST naming bp2, without _since
    assertEquals(List.of(T1.toString()), server.kickOffParams.get(1).get("_since"));
    Map<String, List<String>> backfill = server.kickOffParams.get(2);
    assertEquals(List.of("Patient/bp2"), backfill.get("patient"));
    assertNull(backfill.get("_since"));
    assertEquals(3, server.requests("POST", "/fhir/Group/g1/$export").size());
    // bp2's history arrived (Patient bp2, Observations bo2 and bo3); bp3's data stays
    assertEquals(List.of("bp1", "bp2", "bp3"), ids(lh, "silver.patient"));
    assertEquals(List.of("bo1", "bo2", "bo3", "bo4"), ids(lh, "silver.observation"));
    String console = console(second);
    assertTrue(console.contains("group members: 2; 1 new members backfilled; 1 removed (their data stays)"), console);
    // the backfill moves no watermark: the rows are the increment's (asked since T1)
    for (Row w : lh.read(BulkWatermarks.TABLE).collectAsList()) {
      assertEquals(T1, w.getTimestamp(w.fieldIndex("since")).toInstant());
    }
    Map<String, Row> members = new java.util.HashMap<>();
    for (Row m : lh.read(BulkGroupMembers.TABLE).collectAsList()) {
      members.put(m.getString(m.fieldIndex("patient_ref")), m);
    }
    assertEquals(java.util.Set.of("Patient/bp1", "Patient/bp2", "Patient/bp3"), members.keySet());
    assertTrue(members.get("Patient/bp1").isNullAt(members.get("Patient/bp1").fieldIndex("removed_at")));
    assertFalse(members.get("Patient/bp3").isNullAt(members.get("Patient/bp3").fieldIndex("removed_at")));
    assertFalse(members.get("Patient/bp2").isNullAt(members.get("Patient/bp2").fieldIndex("backfilled_at")));
  }

  private static String console(IngestBulkExport.Result r) {
    StringWriter w = new StringWriter();
    BulkRunSummary.print(r, "bulk", new PrintWriter(w));
    return w.toString();
  }

  private static List<String> ids(Lakehouse lh, String table) {
    return lh.read(table).filter("source = 'bulk'").select("id").orderBy("id").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList();
  }

  private static Map<TypeScope, Instant> marks(Lakehouse lh) {
    return new BulkWatermarks(lh).read("bulk", "system").byScope();
  }
}
