package org.pophealth.ingest.fhir.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The protocol of issue 24 against {@link FakeBulkServer}: POST kick-off with GET fallback, {@code _until},
 * {@code organizeOutputBy}, {@code allowPartialManifests} and manifest paging, the STU4 {@code outcome}
 * array, informational outcomes counted apart, the DELETE after a run, and the Group member read.
 */
@Tag("integration")
class BulkProtocolTest extends FakeBulkServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeEach
  void quick() {
    server.pollsBeforeDone = 0;
  }

  private BulkSettings settings(BulkSettings.Protocol p) {
    return new BulkSettings(server.base(), "system", List.of(), List.of(), List.of(), List.of(), null, false, null,
        dir, Duration.ofMillis(50), Duration.ofMillis(10), 3, 2, true, true, null).withProtocol(p);
  }

  private RunBulkExport.Result run(BulkSettings s) throws Exception {
    return new RunBulkExport(new BulkHttp(s, null)).execute();
  }

  @Test
  void kickOffIsAPostWithAParametersBodyByDefault() throws Exception {
    Instant since = Instant.parse("2025-01-02T03:04:05Z");
    Instant until = Instant.parse("2025-02-01T00:00:00Z");
    BulkSettings s = new BulkSettings(server.base(), "group:g-1", List.of("Patient", "Observation"),
        List.of("Observation?category=laboratory"), List.of(), List.of(), null, false, since, dir,
        Duration.ofMillis(50), Duration.ofMillis(10), 3, 2, true, true, null)
        .withProtocol(new BulkSettings.Protocol(null, until, "Patient", true, true));
    KickOffExport.Result r = new KickOffExport(new BulkHttp(s, null)).execute();
    assertEquals("POST", r.method());
    FakeBulkServer.Seen k = server.requests("POST", "/fhir/Group/g-1/$export").get(0);
    assertEquals("respond-async", k.prefer());
    assertEquals(Map.of(), k.query(), "everything in the body");
    JsonNode body = JSON.readTree(k.body());
    assertEquals("Parameters", body.path("resourceType").asText());
    Map<String, List<String>> p = server.kickOffParams.get(0);
    assertEquals(List.of("2025-01-02T03:04:05Z"), p.get("_since"));
    assertEquals(List.of("2025-02-01T00:00:00Z"), p.get("_until"));
    assertEquals(List.of("Patient,Observation"), p.get("_type"));
    assertEquals(List.of("Observation?category=laboratory"), p.get("_typeFilter"));
    assertEquals(List.of("Patient"), p.get("organizeOutputBy"));
    assertEquals(List.of("true"), p.get("allowPartialManifests"));
  }

  @Test
  void aServerRefusingPostGetsAGetAndTheDataArrives() throws Exception {
    server.postUnsupported = true;
    RunBulkExport.Result r = run(settings(BulkSettings.Protocol.DEFAULTS));
    assertEquals(1, server.requests("POST", "/fhir/$export").size(), "POST tried first");
    assertEquals(1, server.requests("GET", "/fhir/$export").size(), "then GET");
    assertEquals(3 + 4, r.download().lines(), "full/: 3 Patients, 4 Observations");

    server.postUnsupported = false;
    server.postUnsupported400 = true;
    RunBulkExport.complete(dir);
    RunBulkExport.Result again = run(settings(BulkSettings.Protocol.DEFAULTS));
    assertEquals(2, server.requests("GET", "/fhir/$export").size(), "a 400 not-supported falls back too");
    assertEquals(3 + 4, again.download().lines());
  }

  @Test
  void postWithPatientsHasNoGetFallback() {
    server.postUnsupported = true;
    BulkSettings s = settings(BulkSettings.Protocol.DEFAULTS).forExport(List.of(), List.of(),
        List.of("Patient/bp1"), null);
    BulkExportException e = assertThrows(BulkExportException.class,
        () -> new KickOffExport(new BulkHttp(s, null)).execute());
    assertEquals(405, e.status());
    assertEquals(0, server.requests("GET", "/fhir/$export").size(), "GET cannot name patients");
  }

  @Test
  void aPagedManifestIsFollowedToItsLastPage() throws Exception {
    server.manifestPageSize = 1;
    server.errorFile = true;
    RunBulkExport.Result r = run(settings(new BulkSettings.Protocol(null, null, null, true, true)));
    // three files (Patient, Observation, the error file), one per page; pages 2 and 3 answer 202 once
    assertEquals(3, r.manifestPages());
    assertEquals(3, r.manifest().all().size());
    assertEquals(3 + 4 + 1, r.download().lines());
    assertEquals(2, server.requests("GET", "/fhir/status/job1").stream()
        .filter(x -> x.query().containsKey("page") && x.query().get("page").get(0).equals("2")).count());
    JsonNode local = JSON.readTree(r.exportDir().resolve("manifest.json").toFile());
    assertEquals(2, local.path("output").size(), "the local manifest joins the pages");
    assertEquals(1, local.path("error").size());
    assertTrue(local.path("link").isMissingNode(), "and has no page links");
  }

  @Test
  void stu4OutcomeFilesAreReadAndInformationalOutcomesCountedApart() throws Exception {
    server.outcomeKey = true;
    server.mixedOutcomes = true;
    RunBulkExport.Result r = run(settings(BulkSettings.Protocol.DEFAULTS));
    assertEquals(1, r.manifest().error().size(), "`outcome` read as the error files");
    // outcomes.ndjson: one information, one warning, one error
    assertEquals(new CountErrorOutcomes.Result(1, 2), r.outcomes());
    assertEquals(3 + 4 + 3, r.download().lines());
  }

  @Test
  void organizeOutputByFilesAreDownloadedWhole() throws Exception {
    RunBulkExport.Result r = run(settings(new BulkSettings.Protocol(null, null, "Patient", false, true)));
    assertEquals(List.of("Patient"), server.kickOffParams.get(0).get("organizeOutputBy"));
    assertEquals(1, r.download().files().size());
    DownloadExportFiles.FileResult f = r.download().files().get(0);
    assertNull(f.type(), "an organized file has no single type");
    // 2 headers + Patient bp1 + Observation bo1 + Patient bp2
    assertEquals(5, f.lines());
    assertEquals(5, Files.readAllLines(r.exportDir().resolve(f.localName())).size());
  }

  @Test
  void releaseDeletesTheStatusUrlAndAFailureIsOnlyAWarning() throws Exception {
    BulkHttp http = new BulkHttp(settings(BulkSettings.Protocol.DEFAULTS), null);
    RunBulkExport.Result r = new RunBulkExport(http).execute();
    assertTrue(CancelExport.release(http, r.statusUrl()).execute().cancelled());
    assertEquals(1, server.requests("DELETE", "/fhir/status/job1").size());

    server.deleteFails = true;
    RunBulkExport.complete(dir);
    RunBulkExport.Result second = new RunBulkExport(http).execute();
    CancelExport.Result c = CancelExport.release(http, second.statusUrl()).execute();
    assertFalse(c.cancelled());
    assertEquals(500, c.status(), "reported, not thrown");
  }

  @Test
  void groupMembersAreReadAsRelativeReferencesWithoutInactiveOnes() {
    server.groupMembers = List.of("bp3", "bp1");
    server.inactiveMembers = List.of("bp2");
    List<String> m = new ReadGroupMembers(new BulkHttp(settings(BulkSettings.Protocol.DEFAULTS), null), "g1").execute();
    // bp3 is given as an absolute reference by the server
    assertEquals(List.of("Patient/bp1", "Patient/bp3"), m);
    assertEquals("Patient/7", ReadGroupMembers.relative("https://x.example/fhir/Patient/7/_history/2"));
    assertNull(ReadGroupMembers.relative("Group/7"));
  }

  @Test
  void typesAreGroupedByWatermark() {
    Instant t1 = Instant.parse("2025-01-01T00:00:00Z");
    List<TypeScope> scopes = TypeScope.of(List.of("Patient", "Observation", "Condition"),
        List.of("Observation?category=laboratory", "Observation?category=vital-signs"));
    assertEquals(new TypeScope("Observation", "Observation?category=laboratory | Observation?category=vital-signs"),
        scopes.get(1));
    // Patient has a mark, Observation only under another filter, Condition none
    BulkWatermarks.Marks marks = new BulkWatermarks.Marks(Map.of(new TypeScope("Patient", ""), t1,
        new TypeScope("Observation", "Observation?category=laboratory"), t1), null, java.util.Set.of("Patient",
        "Observation"));
    GroupTypesByWatermark.Result r = new GroupTypesByWatermark(scopes, marks, null).execute();
    assertEquals(List.of("Patient: since 2025-01-01T00:00:00Z",
        "Observation (Observation?category=laboratory | Observation?category=vital-signs): full (new type filter)",
        "Condition: full (new type)"), r.decisions().stream().map(GroupTypesByWatermark.Decision::describe).toList());
    assertEquals(2, r.groups().size());
    assertNull(r.groups().get(0).since(), "the full export first");
    assertEquals(List.of("Observation", "Condition"), r.groups().get(0).types());
    assertEquals(List.of("Observation?category=laboratory", "Observation?category=vital-signs"),
        r.groups().get(0).typeFilters());
    assertEquals(List.of("Patient"), r.groups().get(1).types());
    // no types configured: one scope for all the server offers
    assertEquals(List.of(new TypeScope("*", "")), TypeScope.of(List.of(), List.of()));
    GroupTypesByWatermark.Result first = new GroupTypesByWatermark(TypeScope.of(List.of(), List.of()),
        BulkWatermarks.Marks.NONE, null).execute();
    assertEquals("all types: full (first export)", first.decisions().get(0).describe());
    assertEquals(List.of(), first.groups().get(0).types(), "no _type: everything");
  }
}
