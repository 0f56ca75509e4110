package org.pophealth.ingest.fhir.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pophealth.config.ConfigLoader;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.testing.CliRunner;
import org.pophealth.testing.SharedSpark;
import org.junit.jupiter.api.Tag;

/** {@code ingest-fhir} with a bulk source from the config, {@code --url} and {@code --cancel}; the config keys. */
@Tag("integration")
class BulkCliTest {

  @Test
  void defaultsKeepDirectoryIngestAndBulkKeysParse() throws Exception {
    PopHealthConfig.Source ehr = ConfigLoader.defaults().sources().get("ehr");
    assertNull(ehr.baseUrl(), "no export unless base_url is set");
    assertNull(ehr.auth());
    Path cfg = Files.createTempFile("pophealth-bulk", ".yaml");
    Files.writeString(cfg, """
        sources:
          payer:
            kind: fhir-bulk
            base_url: https://fhir.example/r4
            level: group:g1
            types: [Patient, Coverage]
            poll_cap_seconds: 0.5
            token_origins: ["https://Files.fhir.example:443/"]
            auth:
              client_id: c1
              private_key_file: /secure/key.pem
              algorithm: ES384
        """);
    PopHealthConfig.Source payer = ConfigLoader.load(cfg).sources().get("payer");
    BulkSettings s = BulkSettings.of("payer", payer);
    assertEquals("https://fhir.example/r4/Group/g1/$export", s.kickOffUrl());
    assertEquals(List.of("Patient", "Coverage"), s.types());
    assertEquals(Duration.ofMillis(500), s.pollCap());
    assertEquals(5, s.maxRetries(), "unset keys of a new source take the client defaults");
    assertEquals(Path.of("./.cache/bulk/payer"), s.downloadDir());
    assertEquals("ES384", s.auth().algorithm());
    assertEquals(List.of("https://files.fhir.example"), s.tokenOrigins(), "kept as origins");
    assertEquals(List.of(), ehr.tokenOrigins(), "documented default: none besides the server and token endpoint");
    assertEquals(List.of(), BulkSettings.of("x", new PopHealthConfig.Source("fhir-bulk", null, "https://a.example",
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null))
        .tokenOrigins(), "a new source without the key");
  }

  @Test
  void countMismatchIsNotReconciledAndFailsUnlessStrictCountsIsOff() throws Exception {
    SharedSpark.spark();
    String lakehouse = Files.createTempDirectory("pophealth-bulk-counts-lh").toString();
    Path strictDownload = FakeBulkServer.tempDir();
    Path looseDownload = FakeBulkServer.tempDir();
    try (FakeBulkServer server = new FakeBulkServer()) {
      server.pollsBeforeDone = 0;
      server.patientCount = 5L; // the Patient fixture has 3 lines
      Path cfg = Files.createTempFile("pophealth-bulk-counts", ".yaml");
      String common = "    kind: fhir-bulk\n    base_url: " + server.base() + "\n    poll_cap_seconds: 0.05\n"
          + "    initial_backoff_millis: 10\n";
      Files.writeString(cfg, "sources:\n  strict:\n" + common + "    download_dir: " + strictDownload + "\n"
          + "  loose:\n" + common + "    download_dir: " + looseDownload + "\n    strict_counts: false\n");

      CliRunner.Result strict = CliRunner.run("--config", cfg.toString(), "--lakehouse", lakehouse, "ingest-fhir",
          "--source", "strict", "--type", "Patient");
      assertEquals(1, strict.exitCode(), strict.out() + strict.err());
      assertTrue(strict.err().startsWith("error: NOT reconciled: Patient.1.ndjson (output Patient) manifest count 5,"
          + " 3 lines downloaded (also when downloaded again). What arrived is ingested (run ingest-fhir-strict-"),
          strict.err());
      assertTrue(strict.err().contains(": read 3 = loaded 3 + quarantined 0), but the watermark stays unset, so the"
          + " next run exports this window again. Set strict_counts: false for source strict to accept such exports.\n"),
          strict.err());
      assertEquals(2, strict.err().lines().count(), "the error line and the --debug hint: " + strict.err());

      CliRunner.Result loose = CliRunner.run("--config", cfg.toString(), "--lakehouse", lakehouse, "ingest-fhir",
          "--source", "loose", "--type", "Patient");
      assertEquals(0, loose.exitCode(), loose.err());
      assertTrue(loose.out().contains("bulk export: full, 1 files, 3 lines downloaded (1 count mismatches)"), loose.out());
      assertTrue(loose.out().contains("read 3 = loaded 3 + quarantined 0 (NOT reconciled with the manifest: output"
          + " Patient count 5, read 3);"), loose.out());
      assertTrue(loose.out().contains("NOT reconciled: Patient.1.ndjson (output Patient) manifest count 5, 3 lines"
          + " downloaded; accepted because strict_counts is false for source loose: the watermark moved to"
          + " 2025-03-01T10:00:00Z"), loose.out());
      assertFalse(loose.out().contains("(reconciled)"), loose.out());
    }
  }

  @Test
  void ingestFhirExportsFromAConfiguredSource() throws Exception {
    SharedSpark.spark();
    String lakehouse = Files.createTempDirectory("pophealth-bulk-cli-lh").toString();
    Path download = FakeBulkServer.tempDir();
    try (FakeBulkServer server = new FakeBulkServer()) {
      Path cfg = Files.createTempFile("pophealth-bulk", ".yaml");
      Files.writeString(cfg, "sources:\n  clinic:\n    kind: fhir-bulk\n    base_url: " + server.base() + "\n"
          + "    download_dir: " + download + "\n    poll_cap_seconds: 0.05\n    initial_backoff_millis: 10\n");
      CliRunner.Result r = CliRunner.run("--config", cfg.toString(), "--lakehouse", lakehouse, "ingest-fhir",
          "--source", "clinic", "--type", "Patient");
      assertEquals(0, r.exitCode(), r.err());
      assertTrue(r.out().contains("bulk export: full, 1 files, 3 lines downloaded (0 count mismatches)"), r.out());
      assertTrue(r.out().startsWith("Patient: full (first export)\n"), r.out());
      assertTrue(r.out().contains("error files: 0 errors, 0 informational; status URL released"), r.out());
      assertEquals(List.of("Patient"), server.kickOffParams.get(0).get("_type"));
      // read the Delta table directly: the shared session's catalog may name another test's lakehouse
      assertEquals(3, new org.pophealth.lakehouse.Lakehouse(SharedSpark.spark(), lakehouse).read("silver.patient")
          .filter("source = 'clinic'").count());

      CliRunner.Result none = CliRunner.run("--config", cfg.toString(), "--lakehouse", lakehouse, "ingest-fhir",
          "--source", "clinic", "--cancel");
      assertEquals(0, none.exitCode(), none.err());
      assertTrue(none.out().contains("no export in flight"), none.out());
      assertEquals(1, server.deletes.get(), "only the release of the finished export (delete_after_download)");
    }
  }
}
