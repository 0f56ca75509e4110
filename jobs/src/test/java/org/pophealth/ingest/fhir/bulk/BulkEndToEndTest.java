package org.pophealth.ingest.fhir.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;
import org.junit.jupiter.api.Tag;

/** Kick-off to silver: a full export, then an incremental one driven by ops.bulk_watermark. */
@Tag("integration")
class BulkEndToEndTest {

  @Test
  void fullThenIncrementalExportReachSilver() throws Exception {
    Lakehouse lh = SharedSpark.newLakehouse();
    Path dir = FakeBulkServer.tempDir();
    try (FakeBulkServer server = new FakeBulkServer()) {
      server.errorFile = true;
      BulkSettings s = new BulkSettings(server.base(), "system", List.of("Patient", "Observation"), List.of(),
          List.of(), List.of(), null, false, null, dir, Duration.ofMillis(50), Duration.ofMillis(10), 3, 2, true, true,
          null);

      IngestBulkExport.Result first = new IngestBulkExport(lh, "bulk", s, null).execute();
      assertNull(first.since(), "no watermark yet: a full export");
      assertTrue(first.ingest().reconciled());
      assertEquals(List.of("bp1", "bp2", "bp3"), ids(lh, "silver.patient"));
      assertEquals(List.of("bo1", "bo2", "bo3", "bo4"), ids(lh, "silver.observation"));
      // the error file's OperationOutcome line is accounted for (quarantined as operation-outcome)
      assertEquals(3 + 4 + 1, first.ingest().linesRead());
      assertEquals(Instant.parse("2025-03-01T10:00:00Z"), watermark(lh));
      assertNull(server.requests("GET", "/fhir/$export").get(0).query().get("_since"));
      assertNull(BulkExportState.load(dir), "state cleared after the ingest");

      server.errorFile = false;
      server.transactionTime = "2025-04-01T10:00:00Z";
      IngestBulkExport.Result second = new IngestBulkExport(lh, "bulk", s, null).execute();
      assertEquals(Instant.parse("2025-03-01T10:00:00Z"), second.since());
      assertEquals(List.of("2025-03-01T10:00:00Z"), server.requests("GET", "/fhir/$export").get(1).query().get("_since"));
      // since/: bp1 renamed, bp3 deleted
      assertEquals(List.of("bp1", "bp2"), ids(lh, "silver.patient"));
      Row bp1 = lh.read("silver.patient").filter("source = 'bulk' AND id = 'bp1'").select("family_name").first();
      assertEquals("Renamed", bp1.getString(0));
      assertEquals(Instant.parse("2025-04-01T10:00:00Z"), watermark(lh));
      assertEquals(1, lh.read("ops.bulk_watermark").count(), "one row per source");

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
      assertEquals(Instant.parse("2025-04-01T10:00:00Z"), watermark(lh), "watermark not moved");
      assertNull(BulkExportState.load(dir), "nothing left to resume: the next run starts a new export");
    }
  }

  private static List<String> ids(Lakehouse lh, String table) {
    return lh.read(table).filter("source = 'bulk'").select("id").orderBy("id").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList();
  }

  private static Instant watermark(Lakehouse lh) {
    return new BulkWatermarks(lh).read("bulk");
  }
}
