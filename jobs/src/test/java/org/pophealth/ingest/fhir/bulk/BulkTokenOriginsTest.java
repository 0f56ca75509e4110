package org.pophealth.ingest.fhir.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bearer token stays with the origins that may have it: {@link FakeBulkServer} (the FHIR server, one
 * origin) exports with {@code requiresAccessToken: true} while its files live on, or redirect to,
 * {@link FakeFileHost} (127.0.0.1 on another port: another origin). The token is a fixed "t".
 */
@Tag("integration")
class BulkTokenOriginsTest {
  private static final AccessTokens FIXED = new AccessTokens() {
    @Override
    public String token() {
      return "t";
    }

    @Override
    public void invalidate(String rejected) {}
  };

  private FakeBulkServer server;
  private FakeFileHost files;
  private Path dir;

  @BeforeEach
  void start() throws Exception {
    server = new FakeBulkServer();
    server.pollsBeforeDone = 0;
    server.requiresAccessToken = true;
    files = new FakeFileHost();
    dir = FakeBulkServer.tempDir();
  }

  @AfterEach
  void stop() {
    server.close();
    files.close();
    assertEquals(List.of(), server.assertionErrors, "fake server saw bad requests");
  }

  private BulkSettings settings(int parallel, List<String> tokenOrigins) {
    return new BulkSettings(server.base(), "system", List.of(), List.of(), List.of(), List.of(), null, false, null,
        dir, Duration.ofMillis(50), Duration.ofMillis(10), 3, parallel, true, true, null, tokenOrigins);
  }

  private RunBulkExport.Result run(BulkSettings s) throws Exception {
    return new RunBulkExport(new BulkHttp(s, FIXED)).execute();
  }

  /** The FHIR server's origin, e.g. http://127.0.0.1:40123 (its base url without /fhir). */
  private String fhirOrigin() {
    return server.base().substring(0, server.base().length() - "/fhir".length());
  }

  private long ndjsonFilesUnder(Path p) throws Exception {
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(f -> f.toString().endsWith(".ndjson")).count();
    }
  }

  @Test
  void manifestFileOnAnotherOriginFailsBeforeAnyDownload() throws Exception {
    server.fileHost = files.origin();
    BulkExportException e = assertThrows(BulkExportException.class, () -> run(settings(2, List.of())));
    // the manifest lists Patient then Observation: the first entry is the one named
    assertEquals("bulk manifest entry output[0] (Patient) is on " + files.origin() + " and the manifest says"
        + " requiresAccessToken, but the access token goes only to " + fhirOrigin() + " (the FHIR server); nothing"
        + " was downloaded. If that origin is the server's own file host, add it to the source's token_origins",
        e.getMessage());
    assertEquals(List.of(), files.requests, "the file host was never asked");
    assertEquals(0, ndjsonFilesUnder(dir), "nothing downloaded");
  }

  @Test
  void fileHostInTokenOriginsGetsTheToken() throws Exception {
    server.fileHost = files.origin();
    files.requiredToken = "t";
    RunBulkExport.Result r = run(settings(2, List.of(files.origin() + "/")));
    assertEquals(3 + 4, r.download().lines());
    assertEquals(List.of("Bearer t", "Bearer t"), files.authorizations());
    assertEquals(List.of(), server.requests("GET", "/fhir/files/"), "the files came from the file host only");
  }

  @Test
  void crossOriginRedirectIsFollowedWithoutTheToken() throws Exception {
    server.redirectFilesTo = files.origin();
    RunBulkExport.Result r = run(settings(2, List.of()));
    assertEquals(3 + 4, r.download().lines());
    assertEquals(FakeBulkServer.fixtureLines("full/Patient.ndjson"), Files.readAllLines(r.exportDir().resolve(
        r.download().files().stream().filter(f -> "Patient".equals(f.type())).findFirst().orElseThrow().localName())));
    assertEquals(Collections.nCopies(2, null), files.authorizations(), "never a token on the other origin");
    List<FakeBulkServer.Seen> first = server.requests("GET", "/fhir/files/");
    assertEquals(2, first.size());
    assertTrue(first.stream().allMatch(s -> "Bearer t".equals(s.authorization())), "the FHIR server's own hop has it");
  }

  @Test
  void crossOriginRedirectToAHostWantingTheTokenFailsNamingTheOrigin() {
    server.redirectFilesTo = files.origin();
    files.requiredToken = "t";
    BulkExportException e = assertThrows(BulkExportException.class, () -> run(settings(1, List.of())));
    // the failure reported is the first file's (Patient.1.ndjson), whatever the other download does
    assertEquals("download of Patient.1.ndjson failed: HTTP 401 from " + files.origin() + ", where a redirect led;"
        + " the access token is not sent there (only to " + fhirOrigin() + " (the FHIR server)); if that origin is"
        + " the server's own file host, add it to the source's token_origins", e.getMessage());
    assertEquals(401, e.status());
    assertTrue(files.authorizations().stream().allMatch(a -> a == null), "never a token on the other origin");
    assertEquals(1, files.requests.stream().filter(s -> s.path().endsWith("/Patient.ndjson")).count(),
        "a 401 where the token was withheld is not retried");
  }

  @Test
  void crossOriginRedirectToAnAllowedOriginCarriesTheToken() throws Exception {
    server.redirectFilesTo = files.origin();
    files.requiredToken = "t";
    RunBulkExport.Result r = run(settings(2, List.of(files.origin())));
    assertEquals(3 + 4, r.download().lines());
    assertEquals(List.of("Bearer t", "Bearer t"), files.authorizations());
  }

  @Test
  void statusUrlOnAnotherOriginIsRefused() {
    server.statusHost = files.origin();
    BulkExportException e = assertThrows(BulkExportException.class, () -> run(settings(2, List.of())));
    assertEquals("bulk status: refusing to send the access token to " + files.origin() + ": it goes only to "
        + fhirOrigin() + " (the FHIR server); if that origin is the server's own file host, add it to the source's"
        + " token_origins", e.getMessage());
    assertEquals(List.of(), files.requests);
    assertEquals(1, server.kickOffs.get());
  }

  @Test
  void redirectsAreBounded() {
    server.redirectFilesToSelf = true;
    BulkExportException e = assertThrows(BulkExportException.class, () -> run(settings(1, List.of())));
    assertEquals("download of Patient.1.ndjson: more than 5 redirects", e.getMessage());
    // the request, then five redirects followed; the sixth redirect is the error
    assertEquals(6, server.requests("GET", "/fhir/files/job1/full/Patient.ndjson").size());
  }

  @Test
  void emptyManifestUrlIsAnErrorNamingTheEntry() {
    server.requiresAccessToken = false;
    server.emptyUrlType = "Observation";
    BulkExportException e = assertThrows(BulkExportException.class,
        () -> new RunBulkExport(new BulkHttp(settings(2, List.of()), null)).execute());
    assertEquals("bulk manifest entry output[1] (Observation) has no url; nothing was downloaded", e.getMessage());
    assertTrue(server.fileDownloads.isEmpty(), "not even the Patient file");
  }

  @Test
  void withoutRequiresAccessTokenFilesOnAnotherOriginGetNoToken() throws Exception {
    server.requiresAccessToken = false;
    server.fileHost = files.origin();
    RunBulkExport.Result r = run(settings(2, List.of()));
    assertEquals(3 + 4, r.download().lines());
    assertEquals(Collections.nCopies(2, null), files.authorizations());
    assertFalse(server.requests("GET", "/fhir/status/").isEmpty());
    assertTrue(server.requests("GET", "/fhir/status/").stream().allMatch(s -> "Bearer t".equals(s.authorization())));
  }
}
