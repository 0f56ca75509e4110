package org.pophealth.ingest.fhir.bulk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.pophealth.config.PopHealthConfig;
import org.junit.jupiter.api.Tag;

/** SMART Backend Services against {@link FakeBulkServer}, which verifies the JWT with the JDK on its own. */
@Tag("integration")
class BulkAuthTest extends FakeBulkServerTest {
  @Override
  protected boolean badRequestsExpected() {
    return true; // the server's verdict on each assertion is what these tests check
  }

  private PopHealthConfig.Auth keyFor(String alg) throws Exception {
    KeyPair kp;
    if (alg.equals("RS384")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      kp = g.generateKeyPair();
    } else {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp384r1"));
      kp = g.generateKeyPair();
    }
    Path pem = dir.resolve("key.pem");
    Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(kp.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
    server.clientKey = kp.getPublic();
    server.clientAlg = alg;
    return new PopHealthConfig.Auth("test-client", null, pem.toString(), "kid-1", alg, "system/*.read");
  }

  private BulkSettings settings(PopHealthConfig.Auth auth) {
    return new BulkSettings(server.base(), "system", List.of(), List.of(), List.of(), List.of(), null, false, null,
        dir, Duration.ofMillis(50), Duration.ofMillis(10), 3, 2, true, true, auth);
  }

  @ParameterizedTest
  @ValueSource(strings = {"RS384", "ES384"})
  void exportWithSignedAssertionAndTokenRefreshOn401(String alg) throws Exception {
    PopHealthConfig.Auth auth = keyFor(alg);
    server.requireToken = true;
    server.requiresAccessToken = true;
    server.unauthorizedFileOnce = 1; // the token "expires" mid-export
    SmartBackendAuth tokens = new SmartBackendAuth(server.base(), auth);
    RunBulkExport.Result r = new RunBulkExport(new BulkHttp(settings(auth), tokens)).execute();
    assertEquals(List.of(), server.assertionErrors, "the server accepted every assertion");
    assertEquals(7, r.download().lines());
    assertEquals(2, server.tokensIssued.get(), "one token, one refresh after the 401");
    assertEquals(2, tokens.tokensFetched());
    assertEquals(1, server.requests("GET", "/fhir/.well-known/smart-configuration").size(), "discovery once");
    assertTrue(server.requests("GET", "/fhir/status/").stream().allMatch(s -> s.authorization() != null));
  }

  @Test
  void tokenIsCachedUntilNearExpiry() throws Exception {
    PopHealthConfig.Auth auth = keyFor("ES384");
    SmartBackendAuth tokens = new SmartBackendAuth(server.base(), auth);
    String t1 = tokens.token();
    String t2 = tokens.token();
    assertEquals(t1, t2);
    assertEquals(1, server.tokensIssued.get());
    tokens.invalidate("not-the-current-token");
    assertEquals(t1, tokens.token(), "a stale rejection keeps the current token");
    tokens.invalidate(t1);
    assertEquals("tok-2", tokens.token());
  }

  @Test
  void rejectedClientIsAnError() throws Exception {
    PopHealthConfig.Auth auth = keyFor("RS384");
    server.clientId = "someone-else";
    BulkExportException e = assertThrows(BulkExportException.class,
        () -> new SmartBackendAuth(server.base(), auth).token());
    assertTrue(e.getMessage().contains("invalid_client"), e.getMessage());
    server.assertionErrors.clear();
  }

  @Test
  void derSignatureBecomesFixedWidthRConcatS() {
    // r = 0x00ff.. (needs a sign byte in DER), s = 0x01 (short): both padded to 48 bytes
    byte[] r = new byte[48];
    r[0] = (byte) 0xff;
    r[47] = 7;
    byte[] rDer = new BigInteger(1, r).toByteArray(); // 49 bytes with the leading 0
    byte[] der = new byte[2 + 2 + rDer.length + 3];
    int i = 0;
    der[i++] = 0x30;
    der[i++] = (byte) (2 + rDer.length + 3);
    der[i++] = 0x02;
    der[i++] = (byte) rDer.length;
    System.arraycopy(rDer, 0, der, i, rDer.length);
    i += rDer.length;
    der[i++] = 0x02;
    der[i++] = 1;
    der[i] = 1;
    byte[] jose = JwtAssertion.derToJose(der, 48);
    assertEquals(96, jose.length);
    byte[] expected = new byte[96];
    System.arraycopy(r, 0, expected, 0, 48);
    expected[95] = 1;
    assertArrayEquals(expected, jose);
  }
}
