package org.pophealth.ingest.claims;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.ExpectedRows;
import org.pophealth.testing.TestResources;
import org.pophealth.testing.SharedSpark;

/**
 * The same delivery as the {@code claims/reversals} golden case, delivered as Parquet instead of CSV
 * (each file converted as it is, all columns text): the silver tables and events must come out exactly
 * as the hand-derived expected files say for CSV, with only the file names and the file kind changed.
 */
class ParquetClaimsTest {

  @Test
  void parquetDeliveryGivesTheSameClaimsAsCsv() throws Exception {
    Path golden = TestResources.dir("claims/reversals");
    Path delivery = Files.createTempDirectory("claims-parquet-");
    for (String table : List.of("medical_claim", "pharmacy_claim", "eligibility")) {
      SharedSpark.spark().read().option("header", true).csv(golden.resolve("input/" + table + ".csv").toString())
          .coalesce(1).write().parquet(delivery.resolve(table + ".parquet").toString());
    }
    Lakehouse lh = SharedSpark.newLakehouse();
    ClaimsIngestResult r = new IngestClaims(lh, "golden", delivery.toString()).execute();
    assertTrue(r.reconciled(), "read = loaded + quarantined");

    Path expectedDir = Files.createTempDirectory("claims-parquet-expected-");
    for (String table : List.of("silver.eligibility", "silver.medical_claim", "silver.pharmacy_claim",
        "silver.member_month", "silver.event", "ops.ingest_reconciliation")) {
      String text = Files.readString(golden.resolve("expected/" + table + ".ndjson"))
          .replace(".csv\"", ".parquet\"").replace("\"file_kind\": \"csv\"", "\"file_kind\": \"parquet\"");
      Path expected = Files.writeString(expectedDir.resolve(table + ".ndjson"), text);
      Dataset<Row> actual = lh.read(table);
      actual = table.startsWith("ops.") ? actual.filter(actual.col("run_id").equalTo(r.runId()))
          : actual.filter("source = 'golden'");
      ExpectedRows.assertTable(expected, actual, "parquet " + table);
    }
  }
}
