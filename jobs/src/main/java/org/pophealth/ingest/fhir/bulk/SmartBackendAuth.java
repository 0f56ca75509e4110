package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.pophealth.config.PopHealthConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMART Backend Services: finds the token endpoint ({@code .well-known/smart-configuration}, unless
 * configured), gets a token with {@code client_credentials} and a signed JWT assertion, caches it
 * and refreshes it a minute before it expires (or at once after a 401). Tokens are never logged.
 */
public final class SmartBackendAuth implements AccessTokens {
  private static final Logger LOG = LoggerFactory.getLogger(SmartBackendAuth.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final String baseUrl;
  private final PopHealthConfig.Auth auth;
  private final Clock clock;
  private String tokenEndpoint;
  private PrivateKey key;
  private String token;
  private Instant refreshAt = Instant.MIN;
  private int fetched;

  public SmartBackendAuth(String baseUrl, PopHealthConfig.Auth auth) {
    this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build(), baseUrl, auth, Clock.systemUTC());
  }

  SmartBackendAuth(HttpClient client, String baseUrl, PopHealthConfig.Auth auth, Clock clock) {
    if (auth.clientId() == null || auth.privateKeyFile() == null) {
      throw new IllegalArgumentException("auth needs client_id and private_key_file");
    }
    this.client = client;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.auth = auth;
    this.clock = clock;
    this.tokenEndpoint = auth.tokenEndpoint();
  }

  /** Tokens fetched so far. */
  public synchronized int tokensFetched() {
    return fetched;
  }

  @Override
  public synchronized URI tokenEndpoint() {
    return tokenEndpoint == null ? null : URI.create(tokenEndpoint);
  }

  @Override
  public synchronized String token() {
    if (token == null || !clock.instant().isBefore(refreshAt)) {
      fetch();
    }
    return token;
  }

  @Override
  public synchronized void invalidate(String rejected) {
    if (rejected == null || rejected.equals(token)) {
      token = null;
    }
  }

  private void fetch() {
    try {
      if (tokenEndpoint == null) {
        tokenEndpoint = discover();
      }
      if (key == null) {
        key = readKey(Path.of(auth.privateKeyFile()));
      }
      String alg = auth.algorithm() == null ? "RS384" : auth.algorithm();
      String assertion = JwtAssertion.sign(alg, key, auth.keyId(), auth.clientId(), tokenEndpoint, clock.instant());
      String form = "grant_type=client_credentials"
          + "&scope=" + enc(auth.scope() == null ? "system/*.read" : auth.scope())
          + "&client_assertion_type=" + enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
          + "&client_assertion=" + enc(assertion);
      HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(tokenEndpoint))
          .timeout(Duration.ofMinutes(1))
          .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        JsonNode err = parse(r.body());
        String detail = err == null ? "" : ": " + err.path("error").asText("") + " "
            + err.path("error_description").asText("");
        throw new BulkExportException("token request failed: HTTP " + r.statusCode() + detail.stripTrailing(),
            r.statusCode());
      }
      JsonNode body = parse(r.body());
      if (body == null || !body.hasNonNull("access_token")) {
        throw new BulkExportException("token response has no access_token", r.statusCode());
      }
      long expiresIn = body.path("expires_in").asLong(300);
      token = body.get("access_token").asText();
      refreshAt = clock.instant().plusSeconds(Math.max(0, expiresIn - Math.min(60, expiresIn / 5)));
      fetched++;
      LOG.info("access token obtained (expires in {} s)", expiresIn);
    } catch (IOException e) {
      throw new BulkExportException("token request failed: " + e.getClass().getSimpleName(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BulkExportException("interrupted", e);
    }
  }

  private String discover() throws IOException, InterruptedException {
    HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(
            URI.create(baseUrl + "/.well-known/smart-configuration")).timeout(Duration.ofMinutes(1))
        .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    JsonNode n = r.statusCode() == 200 ? parse(r.body()) : null;
    if (n == null || !n.hasNonNull("token_endpoint")) {
      throw new BulkExportException("SMART discovery failed (HTTP " + r.statusCode()
          + "); set auth.token_endpoint", r.statusCode());
    }
    return URI.create(baseUrl + "/").resolve(n.get("token_endpoint").asText()).toString();
  }

  /** A PKCS#8 PEM ({@code BEGIN PRIVATE KEY}) RSA or EC key. */
  static PrivateKey readKey(Path file) throws IOException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new IllegalArgumentException("auth.private_key_file must be a PKCS#8 PEM (BEGIN PRIVATE KEY): " + file);
    }
    String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64));
    for (String alg : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next key type
      }
    }
    throw new IllegalArgumentException("auth.private_key_file holds neither an RSA nor an EC key: " + file);
  }

  private static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
