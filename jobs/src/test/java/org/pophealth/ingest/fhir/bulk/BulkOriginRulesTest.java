package org.pophealth.ingest.fhir.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules behind where the token goes, without a server: origins ({@link TokenOrigins}), redirect
 * hops ({@link Redirect}) and the manifest check ({@link ManifestUrls}).
 */
class BulkOriginRulesTest {

  /** Tokens from a token endpoint on its own origin. */
  private static AccessTokens issuedBy(String endpoint) {
    return new AccessTokens() {
      @Override
      public String token() {
        return "t";
      }

      @Override
      public void invalidate(String rejected) {}

      @Override
      public URI tokenEndpoint() {
        return endpoint == null ? null : URI.create(endpoint);
      }
    };
  }

  @Test
  void originIsSchemeHostAndPortWithDefaultPortsLeftOut() {
    assertEquals("https://ehr.example", TokenOrigins.of(URI.create("https://EHR.example/fhir/r4?x=1")));
    assertEquals("https://ehr.example", TokenOrigins.of(URI.create("https://ehr.example:443/fhir")));
    assertEquals("https://ehr.example:8443", TokenOrigins.of(URI.create("https://ehr.example:8443/fhir")));
    assertEquals("http://127.0.0.1:8080", TokenOrigins.of(URI.create("HTTP://127.0.0.1:8080/")));
    assertNull(TokenOrigins.of(URI.create("ftp://ehr.example/x")));
    assertNull(TokenOrigins.of(URI.create("files/Patient.ndjson")));
  }

  @Test
  void tokenGoesToTheFhirServerTheTokenEndpointAndConfiguredOriginsOnly() {
    TokenOrigins o = new TokenOrigins("https://ehr.example/fhir", List.of("https://files.ehr.example/"),
        issuedBy("https://auth.ehr.example/oauth2/token"));
    assertTrue(o.allows(URI.create("https://ehr.example/other/path")), "same origin, any path");
    assertTrue(o.allows(URI.create("https://auth.ehr.example/anything")), "the token endpoint's origin");
    assertTrue(o.allows(URI.create("https://files.ehr.example:443/job/1.ndjson")), "configured");
    assertFalse(o.allows(URI.create("http://ehr.example/fhir")), "another scheme is another origin");
    assertFalse(o.allows(URI.create("https://ehr.example:8443/fhir")), "another port is another origin");
    assertFalse(o.allows(URI.create("https://ehr.example.evil.test/fhir")));
    assertEquals("https://ehr.example (the FHIR server), https://auth.ehr.example (the token endpoint),"
        + " https://files.ehr.example", o.describe());
    TokenOrigins noAuth = new TokenOrigins("https://ehr.example/fhir", List.of(), null);
    assertFalse(noAuth.allows(URI.create("https://auth.ehr.example/x")));
    TokenOrigins unknownEndpoint = new TokenOrigins("https://ehr.example/fhir", List.of(), issuedBy(null));
    assertFalse(unknownEndpoint.allows(URI.create("https://auth.ehr.example/x")));
  }

  @Test
  void tokenOriginsEntriesMustBeOrigins() {
    assertEquals(List.of("https://files.example", "http://10.0.0.5:9000"),
        TokenOrigins.normalize(List.of(" https://FILES.example:443/ ", "http://10.0.0.5:9000")));
    for (String bad : List.of("files.example", "https://files.example/exports", "ftp://files.example",
        "https://files.example?x=1", "https://user@files.example", "")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TokenOrigins.normalize(List.of(bad)), bad);
      assertEquals("token_origins entry '" + bad + "' is not an origin: write scheme://host[:port] with http or"
          + " https, no path", e.getMessage());
    }
    assertEquals(List.of(), TokenOrigins.normalize(null));
  }

  @Test
  void redirectHopsFollowBrowserRules() {
    URI from = URI.create("https://ehr.example/fhir/files/1");
    assertEquals(new Redirect(URI.create("https://ehr.example/fhir/blob/1"), "GET"),
        Redirect.of("x", from, "GET", 302, "../blob/1"), "relative location");
    assertEquals(new Redirect(URI.create("https://store.example/b?sig=1"), "GET"),
        Redirect.of("x", from, "POST", 303, "https://store.example/b?sig=1"), "303: GET");
    assertEquals("GET", Redirect.of("x", from, "POST", 302, "/a").method(), "302 after POST: GET");
    assertEquals("POST", Redirect.of("x", from, "POST", 307, "/a").method(), "307 keeps the method");
    assertEquals("DELETE", Redirect.of("x", from, "DELETE", 308, "/a").method(), "308 keeps the method");
    assertEquals("HEAD", Redirect.of("x", from, "HEAD", 303, "/a").method());
    BulkExportException down = assertThrows(BulkExportException.class,
        () -> Redirect.of("bulk status", from, "GET", 301, "http://ehr.example/fhir/files/1"));
    assertEquals("bulk status: refusing a redirect from https down to http://ehr.example", down.getMessage());
    BulkExportException ftp = assertThrows(BulkExportException.class,
        () -> Redirect.of("bulk status", from, "GET", 302, "ftp://ehr.example/x"));
    assertEquals("bulk status: HTTP 302 redirects to something other than an http(s) url", ftp.getMessage());
    BulkExportException bad = assertThrows(BulkExportException.class,
        () -> Redirect.of("bulk status", from, "GET", 302, "http://[bad"));
    assertEquals("bulk status: HTTP 302 redirects to an unreadable Location", bad.getMessage());
    assertTrue(Redirect.isRedirect(307));
    assertFalse(Redirect.isRedirect(304), "not modified is not a redirect");
  }

  private static BulkManifest manifest(boolean requiresToken, BulkManifest.Entry... output) {
    return new BulkManifest(Instant.parse("2025-03-01T10:00:00Z"), null, requiresToken, List.of(output),
        List.of(new BulkManifest.Entry("deleted", "Bundle", "https://ehr.example/files/d.ndjson", null)), List.of());
  }

  @Test
  void manifestUrlsAreCheckedEntryByEntry() {
    TokenOrigins o = new TokenOrigins("https://ehr.example/fhir", List.of(), null);
    BulkManifest ok = manifest(true, new BulkManifest.Entry("output", "Patient", "https://ehr.example/f/p.ndjson", 3L));
    assertEquals(List.of(URI.create("https://ehr.example/f/p.ndjson"), URI.create("https://ehr.example/files/d.ndjson")),
        ManifestUrls.check(ok, o::allows, o::describe));

    BulkManifest relative = manifest(false, new BulkManifest.Entry("output", "Patient", "https://ehr.example/p", 1L),
        new BulkManifest.Entry("output", "Observation", "files/Observation.ndjson", 1L));
    assertEquals("bulk manifest entry output[1] (Observation) has a url that is not an absolute http or https url;"
        + " nothing was downloaded",
        assertThrows(BulkExportException.class, () -> ManifestUrls.check(relative, null, o::describe)).getMessage());

    // a type that is not a resource type name is left out of the message
    BulkManifest blank = manifest(false, new BulkManifest.Entry("output", "Pat\nient", " ", null));
    assertEquals("bulk manifest entry output[0] has no url; nothing was downloaded",
        assertThrows(BulkExportException.class, () -> ManifestUrls.check(blank, null, o::describe)).getMessage());

    BulkManifest foreign = manifest(true,
        new BulkManifest.Entry("output", "Patient", "https://cdn.example/p.ndjson?patient=123", 1L));
    assertEquals("bulk manifest entry output[0] (Patient) is on https://cdn.example and the manifest says"
        + " requiresAccessToken, but the access token goes only to https://ehr.example (the FHIR server); nothing"
        + " was downloaded. If that origin is the server's own file host, add it to the source's token_origins",
        assertThrows(BulkExportException.class, () -> ManifestUrls.check(foreign, o::allows, o::describe))
            .getMessage());
    // without a token to protect (requiresAccessToken false, or no auth), any http(s) origin is fine
    assertEquals(2, ManifestUrls.check(foreign, null, o::describe).size());
  }
}
