package org.pophealth.ingest.fhir.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.pophealth.io.Backoff;
import org.junit.jupiter.api.Test;
import org.pophealth.ingest.fhir.ExportFile;
import org.pophealth.ingest.fhir.ExportPlan;
import org.pophealth.ingest.fhir.ReadExportDirectory;
import org.junit.jupiter.api.Tag;

/** The bulk client against {@link FakeBulkServer}: kick-off, polling, downloads, quirks, resume, cancel. */
@Tag("integration")
class BulkClientTest extends FakeBulkServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BulkSettings settings(String level, List<String> types, Instant since, List<String> patients) {
    return new BulkSettings(server.base(), level, types, List.of(), List.of(), patients, null, false, since, dir,
        Duration.ofMillis(50), Duration.ofMillis(10), 3, 2, true, true, null);
  }

  private BulkSettings settings() {
    return settings("system", List.of(), null, List.of());
  }

  @Test
  void getKickOffSendsEveryParameterAndTheAsyncHeaders() {
    BulkSettings s = new BulkSettings(server.base(), "group:g-1", List.of("Patient", "Observation"),
        List.of("Observation?category=laboratory"), List.of("id", "code"), List.of(), "application/fhir+ndjson", true,
        Instant.parse("2025-01-02T03:04:05Z"), dir, Duration.ofMillis(50), Duration.ofMillis(10), 3, 2, true, true, null)
        .withProtocol(new BulkSettings.Protocol("get", null, null, false, true));
    KickOffExport.Result r = new KickOffExport(new BulkHttp(s, null)).execute();
    assertEquals("GET", r.method(), "kick_off_method: get");
    assertTrue(r.statusUrl().startsWith(server.base() + "/status/"), r.statusUrl());
    FakeBulkServer.Seen k = server.requests("GET", "/fhir/Group/g-1/$export").get(0);
    assertEquals("application/fhir+json", k.accept());
    assertEquals("respond-async", k.prefer());
    assertEquals(List.of("Patient,Observation"), k.query().get("_type"));
    assertEquals(List.of("2025-01-02T03:04:05Z"), k.query().get("_since"));
    assertEquals(List.of("Observation?category=laboratory"), k.query().get("_typeFilter"));
    assertEquals(List.of("id,code"), k.query().get("_elements"));
    assertEquals(List.of("application/fhir+ndjson"), k.query().get("_outputFormat"));
    assertEquals(List.of("LatestProvenanceResources"), k.query().get("includeAssociatedData"));
  }

  @Test
  void levelsMapToTheirEndpoints() {
    new KickOffExport(new BulkHttp(settings("system", List.of(), null, List.of()), null)).execute();
    new KickOffExport(new BulkHttp(settings("patient", List.of(), null, List.of()), null)).execute();
    assertEquals(1, server.requests("POST", "/fhir/$export").size());
    assertEquals(1, server.requests("POST", "/fhir/Patient/$export").size());
    assertThrows(IllegalArgumentException.class, () -> settings("everything", List.of(), null, List.of()));
  }

  @Test
  void postKickOffCarriesPatientsInParameters() throws Exception {
    new KickOffExport(new BulkHttp(settings("patient", List.of("Observation"), null,
        List.of("Patient/bp1", "Patient/bp2")), null)).execute();
    FakeBulkServer.Seen k = server.requests("POST", "/fhir/Patient/$export").get(0);
    assertEquals("respond-async", k.prefer());
    JsonNode p = JSON.readTree(k.body());
    assertEquals("Parameters", p.path("resourceType").asText());
    List<String> refs = new java.util.ArrayList<>();
    for (JsonNode param : p.path("parameter")) {
      if (param.path("name").asText().equals("patient")) {
        refs.add(param.path("valueReference").path("reference").asText());
      }
    }
    assertEquals(List.of("Patient/bp1", "Patient/bp2"), refs);
  }

  @Test
  void fullExportLandsInADirectoryThatIngestFhirReads() throws Exception {
    server.errorFile = true;
    RunBulkExport.Result r = new RunBulkExport(new BulkHttp(settings(), null)).execute();
    assertEquals(Instant.parse(server.transactionTime), r.manifest().transactionTime());
    assertEquals(3, r.polls(), "two 202s then the manifest");
    // the downloaded files are the fixtures, byte for line
    Map<String, List<String>> byType = new java.util.HashMap<>();
    for (DownloadExportFiles.FileResult f : r.download().files()) {
      byType.put(f.kind() + "|" + f.type(), Files.readAllLines(r.exportDir().resolve(f.localName())));
    }
    assertEquals(FakeBulkServer.fixtureLines("full/Patient.ndjson"), byType.get("output|Patient"));
    assertEquals(FakeBulkServer.fixtureLines("full/Observation.ndjson"), byType.get("output|Observation"));
    assertEquals(FakeBulkServer.fixtureLines("error.ndjson"), byType.get("error|OperationOutcome"));
    assertEquals(3 + 4 + 1, r.download().lines());
    assertEquals(0, r.download().mismatches());
    // the existing directory reader sees the manifest and every file
    ExportPlan plan = new ReadExportDirectory(r.exportDir().toString(), new Configuration()).execute();
    assertTrue(plan.hasManifest());
    assertEquals(Instant.parse(server.transactionTime), plan.exportTime());
    assertEquals(List.of(), plan.ignoredFiles());
    assertEquals(3, plan.files().size());
    for (ExportFile f : plan.files()) {
      assertTrue(f.size() > 0, f.relPath() + " is present");
    }
    assertEquals(3L, plan.files().stream().filter(f -> "Patient".equals(f.resourceType())).findFirst().get()
        .expectedCount());
    // no bearer token was configured, so none was sent; state is kept until the ingest completes
    assertTrue(server.requests.stream().allMatch(s -> s.authorization() == null));
    assertNotNull(BulkExportState.load(dir));
    RunBulkExport.complete(dir);
    assertNull(BulkExportState.load(dir));
  }

  @Test
  void retryAfterAsHttpDateIsHonoured() throws Exception {
    server.retryAfterHttpDate = true;
    server.pollsBeforeDone = 1;
    BulkSettings s = new BulkSettings(server.base(), "system", List.of(), List.of(), List.of(), List.of(), null,
        false, null, dir, Duration.ofSeconds(3), Duration.ofMillis(10), 3, 2, true, true, null);
    PollExportStatus.Result r = new PollExportStatus(new BulkHttp(s, null),
        new KickOffExport(new BulkHttp(s, null)).execute().statusUrl()).execute();
    // the date is 1 s ahead at second precision: the wait is 0-1 s, far above the 10 ms back-off
    assertEquals(2, r.polls());
    assertTrue(r.waitedMillis() <= 1000, "waited " + r.waitedMillis());
    assertEquals(Duration.ofSeconds(30),
        Backoff.retryAfter("Sun, 22 Nov 2026 05:00:30 GMT", Instant.parse("2026-11-22T05:00:00Z")));
    assertEquals(Duration.ofSeconds(120), Backoff.retryAfter("120", Instant.now()));
    assertEquals(Duration.ZERO, Backoff.retryAfter("Sun, 22 Nov 2026 04:00:00 GMT", Instant.parse("2026-11-22T05:00:00Z")));
    assertNull(Backoff.retryAfter("soon", Instant.now()));
  }

  @Test
  void backoffWithoutRetryAfterGrowsWithJitterAndIsCapped() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));
    for (int attempt = 0; attempt < 3; attempt++) {
      long step = 100L << attempt;
      long d = b.delay(null, attempt, Instant.now()).toMillis();
      assertTrue(d >= step / 2 && d <= step, "attempt " + attempt + ": " + d);
    }
    assertEquals(1000, b.delay(null, 10, Instant.now()).toMillis());
  }

  @Test
  void throttlingAndTransientErrorsAreRetried() throws Exception {
    server.transientKickOffs = 1;
    server.throttlePolls = 1;
    server.transient500Polls = 1;
    RunBulkExport.Result r = new RunBulkExport(new BulkHttp(settings(), null)).execute();
    assertEquals(3, r.retries(), "one 503 kick-off, one 429, one 500");
    assertEquals(2, server.kickOffs.get());
    assertEquals(7, r.download().lines());
  }

  @Test
  void retriesAreBounded() {
    server.transient500Polls = 100;
    BulkHttp http = new BulkHttp(settings(), null);
    String status = new KickOffExport(http).execute().statusUrl();
    BulkExportException e = assertThrows(BulkExportException.class, () -> new PollExportStatus(http, status).execute());
    assertEquals(500, e.status());
    assertTrue(e.getMessage().contains("database hiccup"), e.getMessage());
    assertEquals(100 - 4, server.transient500Polls, "max_retries 3: four attempts");
  }

  @Test
  void clientErrorStopsWithTheOperationOutcomeDiagnostics() {
    server.kickOffError = "Resource type Foo is not supported";
    BulkExportException e = assertThrows(BulkExportException.class,
        () -> new KickOffExport(new BulkHttp(settings(), null)).execute());
    assertEquals(400, e.status());
    assertTrue(e.getMessage().endsWith("Resource type Foo is not supported"), e.getMessage());
    assertEquals(1, server.kickOffs.get(), "a 4xx is not retried");
  }

  @Test
  void expiredJobStopsTheExport() {
    BulkHttp http = new BulkHttp(settings(), null);
    String status = new KickOffExport(http).execute().statusUrl();
    server.expired = true;
    BulkExportException e = assertThrows(BulkExportException.class, () -> new PollExportStatus(http, status).execute());
    assertEquals(404, e.status());
    assertTrue(e.getMessage().contains("has expired"), e.getMessage());
  }

  @Test
  void truncatedFileIsRecordedAsACountMismatch() throws Exception {
    server.truncatePatients = true;
    RunBulkExport.Result r = new RunBulkExport(new BulkHttp(settings(), null)).execute();
    assertEquals(1, r.download().mismatches());
    DownloadExportFiles.FileResult p = r.download().files().stream()
        .filter(f -> "Patient".equals(f.type())).findFirst().orElseThrow();
    assertEquals(3L, p.expected());
    assertEquals(2, p.lines());
    assertTrue(p.countMismatch());
    assertEquals(2, server.fileDownloads.get("full/Patient.ndjson").get(), "a short file is downloaded twice");
    assertEquals(1, server.fileDownloads.get("full/Observation.ndjson").get());
  }

  @Test
  void gzipAnswersAreDecompressedOnTheWay() throws Exception {
    server.gzip = true;
    RunBulkExport.Result r = new RunBulkExport(new BulkHttp(settings(), null)).execute();
    DownloadExportFiles.FileResult o = r.download().files().stream()
        .filter(f -> "Observation".equals(f.type())).findFirst().orElseThrow();
    assertEquals(FakeBulkServer.fixtureLines("full/Observation.ndjson"),
        Files.readAllLines(r.exportDir().resolve(o.localName())));
  }

  @Test
  void incrementalExportBringsTheDeletedFile() throws Exception {
    RunBulkExport.Result r = new RunBulkExport(new BulkHttp(
        settings("system", List.of(), Instant.parse("2025-03-01T10:00:00Z"), List.of()), null)).execute();
    assertEquals(1, r.manifest().deleted().size());
    JsonNode local = JSON.readTree(r.exportDir().resolve("manifest.json").toFile());
    assertEquals(1, local.path("deleted").size());
    String name = local.path("deleted").get(0).path("url").asText();
    assertEquals(FakeBulkServer.fixtureLines("since/deleted.ndjson"), Files.readAllLines(r.exportDir().resolve(name)));
    assertEquals(FakeBulkServer.fixtureLines("since/Patient.ndjson").size(),
        local.path("output").get(0).path("count").asInt());
  }

  @Test
  void hapiQuirksAreHandled() throws Exception {
    server.hapi = true;
    server.requiresAccessToken = true;
    // HAPI refuses a kick-off without Prefer: respond-async
    HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(server.base() + "/Patient/$export")).header("Accept", "application/fhir+json").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, raw.statusCode());
    long t0 = System.nanoTime();
    AccessTokens fixed = new AccessTokens() {
      @Override
      public String token() {
        return "static-token";
      }

      @Override
      public void invalidate(String rejected) {}
    };
    RunBulkExport.Result r = new RunBulkExport(new BulkHttp(
        settings("patient", List.of(), Instant.parse("2025-03-01T10:00:00Z"), List.of()), fixed)).execute();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 10_000, "Retry-After: 120 capped by poll_cap (took " + ms + " ms)");
    assertTrue(r.manifest().requiresAccessToken());
    assertEquals(List.of(), r.manifest().deleted(), "no deleted key in HAPI's manifest");
    // Patient level ignores _since on HAPI: the full fixtures come back, decoded (not base64 Binary)
    for (DownloadExportFiles.FileResult f : r.download().files()) {
      assertEquals(FakeBulkServer.fixtureLines("full/" + f.type() + ".ndjson"),
          Files.readAllLines(r.exportDir().resolve(f.localName())));
    }
    List<FakeBulkServer.Seen> files = server.requests("GET", "/fhir/Binary/");
    assertEquals(2, files.size());
    assertTrue(files.stream().allMatch(s -> "application/fhir+ndjson".equals(s.accept())));
    assertTrue(files.stream().allMatch(s -> "Bearer static-token".equals(s.authorization())),
        "requiresAccessToken: true → bearer token on file requests");
  }

  @Test
  void base64BinaryAnswerIsDecodedWhenTheServerIgnoresAccept() throws Exception {
    server.hapi = true;
    RunBulkExport.Result first = new RunBulkExport(new BulkHttp(settings(), null)).execute();
    // fetch one file again without the ndjson Accept header: the server answers a Binary
    String url = first.manifest().output().get(0).url();
    HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertTrue(raw.body().startsWith("{\"resourceType\":\"Binary\""));
    // and the client's JSON path decodes exactly that shape
    Path out = dir.resolve("binary.ndjson");
    try (var os = new LineCountingOutputStream(Files.newOutputStream(out))) {
      var m = DownloadExportFiles.class.getDeclaredMethod("copyFhirJson", java.io.InputStream.class,
          java.io.OutputStream.class);
      m.setAccessible(true);
      m.invoke(null, new java.io.BufferedInputStream(new java.io.ByteArrayInputStream(raw.body().getBytes())), os);
      os.flush();
      assertEquals(FakeBulkServer.fixtureLines("full/" + first.manifest().output().get(0).type() + ".ndjson").size(),
          os.lines());
    }
  }

  @Test
  void bearerTokenOnlyOnFilesWhenRequired() throws Exception {
    AccessTokens fixed = new AccessTokens() {
      @Override
      public String token() {
        return "t";
      }

      @Override
      public void invalidate(String rejected) {}
    };
    new RunBulkExport(new BulkHttp(settings(), fixed)).execute();
    assertTrue(server.requests("GET", "/fhir/status/").stream().allMatch(s -> "Bearer t".equals(s.authorization())));
    List<FakeBulkServer.Seen> files = server.requests("GET", "/fhir/files/");
    assertEquals(2, files.size());
    assertTrue(files.stream().allMatch(s -> s.authorization() == null), "requiresAccessToken false → no token");
  }

  @Test
  void killedRunResumesWithoutANewKickOff() throws Exception {
    server.failFileOnce = "full/Patient.ndjson";
    BulkSettings s = new BulkSettings(server.base(), "system", List.of(), List.of(), List.of(), List.of(), null,
        false, null, dir, Duration.ofMillis(50), Duration.ofMillis(10), 3, 1, true, true, null);
    assertThrows(BulkExportException.class, () -> new RunBulkExport(new BulkHttp(s, null)).execute());
    BulkExportState state = BulkExportState.load(dir);
    assertNotNull(state, "state survives the failed run");
    assertNotNull(state.data().manifest());
    RunBulkExport.Result r = new RunBulkExport(new BulkHttp(s, null)).execute();
    assertTrue(r.resumed());
    assertEquals(1, server.kickOffs.get(), "no second kick-off");
    assertEquals(0, r.polls(), "manifest kept from the first run");
    assertEquals(1, server.fileDownloads.get("full/Patient.ndjson").get());
    assertEquals(7, r.download().lines());
  }

  @Test
  void runKilledWhilePollingResumesPolling() throws Exception {
    BulkSettings s = settings();
    BulkHttp http = new BulkHttp(s, null);
    String status = new KickOffExport(http).execute().statusUrl();
    // what a run killed during polling leaves behind (written and read back through the file)
    BulkExportState.create(dir, new BulkExportState.Data(s.baseUrl(), status, s.kickOffUrl(),
        dir.resolve("export-x").toString(), null, null, null));
    RunBulkExport.Result r = new RunBulkExport(http).execute();
    assertTrue(r.resumed());
    assertEquals(1, server.kickOffs.get(), "no new kick-off");
    assertEquals(dir.resolve("export-x"), r.exportDir());
    assertEquals(7, r.download().lines());
  }

  @Test
  void resumedExportThatExpiredStartsAgain() throws Exception {
    BulkSettings s = settings();
    BulkHttp http = new BulkHttp(s, null);
    String status = new KickOffExport(http).execute().statusUrl();
    BulkExportState.create(dir, new BulkExportState.Data(s.baseUrl(), status.replace("job1", "job-gone"),
        s.kickOffUrl(), dir.resolve("old").toString(), null, null, null));
    RunBulkExport.Result r = new RunBulkExport(http).execute();
    assertFalse(r.resumed());
    assertEquals(2, server.kickOffs.get(), "a new kick-off after the 404");
    assertEquals(7, r.download().lines());
    // an export started by this run that expires is an error, not a loop
    server.expired = true;
    RunBulkExport.complete(dir);
    BulkExportException e = assertThrows(BulkExportException.class, () -> new RunBulkExport(http).execute());
    assertEquals(404, e.status());
    assertEquals(3, server.kickOffs.get());
  }

  @Test
  void cancelDeletesTheStatusUrl() throws Exception {
    server.expired = false;
    server.pollsBeforeDone = 1000;
    BulkSettings s = new BulkSettings(server.base(), "system", List.of(), List.of(), List.of(), List.of(), null,
        false, null, dir, Duration.ofMillis(20), Duration.ofMillis(10), 0, 1, true, true, null);
    BulkHttp http = new BulkHttp(s, null);
    Thread run = new Thread(() -> {
      try {
        new RunBulkExport(http).execute();
      } catch (Exception ignored) {
        // the cancelled job answers 404
      }
    });
    run.start();
    for (int i = 0; i < 200 && BulkExportState.load(dir) == null; i++) {
      Thread.sleep(10);
    }
    CancelExport.Result c = RunBulkExport.cancel(http);
    run.join(10_000);
    assertFalse(run.isAlive(), "polling stops once the job is gone");
    assertTrue(c.cancelled());
    assertEquals(1, server.deletes.get());
    assertEquals(1, server.requests("DELETE", "/fhir/status/job1").size());
    assertNull(BulkExportState.load(dir));
  }
}
