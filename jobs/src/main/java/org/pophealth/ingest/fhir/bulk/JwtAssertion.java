package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * A SMART Backend Services client assertion: a JWT signed with RS384 (SHA384withRSA) or ES384
 * (SHA384withECDSA on P-384, the DER signature converted to the JOSE form R||S).
 */
final class JwtAssertion {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private JwtAssertion() {}

  static String sign(String algorithm, PrivateKey key, String keyId, String clientId, String audience, Instant now) {
    ObjectNode header = JSON.createObjectNode().put("alg", algorithm).put("typ", "JWT");
    if (keyId != null) {
      header.put("kid", keyId);
    }
    ObjectNode claims = JSON.createObjectNode()
        .put("iss", clientId).put("sub", clientId).put("aud", audience)
        .put("exp", now.getEpochSecond() + 300).put("jti", UUID.randomUUID().toString());
    String input = B64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    try {
      byte[] sig;
      if ("RS384".equals(algorithm)) {
        Signature s = Signature.getInstance("SHA384withRSA");
        s.initSign(key);
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        sig = s.sign();
      } else if ("ES384".equals(algorithm)) {
        Signature s = Signature.getInstance("SHA384withECDSA");
        s.initSign(key);
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        sig = derToJose(s.sign(), 48);
      } else {
        throw new IllegalArgumentException("auth.algorithm must be RS384 or ES384, not " + algorithm);
      }
      return input + "." + B64.encodeToString(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign the client assertion: " + e.getClass().getSimpleName(), e);
    }
  }

  /** DER {@code SEQUENCE { INTEGER r, INTEGER s }} → r||s, each left-padded to {@code size} bytes. */
  static byte[] derToJose(byte[] der, int size) {
    int i = 0;
    if (der[i++] != 0x30) {
      throw new IllegalArgumentException("not a DER ECDSA signature");
    }
    int seqLen = der[i++] & 0xff;
    if (seqLen == 0x81) {
      i++;
    } else if (seqLen > 0x80) {
      throw new IllegalArgumentException("unexpected DER length");
    }
    byte[] out = new byte[2 * size];
    for (int part = 0; part < 2; part++) {
      if (der[i++] != 0x02) {
        throw new IllegalArgumentException("not a DER INTEGER");
      }
      int len = der[i++] & 0xff;
      int start = i;
      int n = len;
      while (n > size && der[start] == 0) {
        start++;
        n--;
      }
      if (n > size) {
        throw new IllegalArgumentException("ECDSA integer too long");
      }
      System.arraycopy(der, start, out, part * size + size - n, n);
      i += len;
    }
    return out;
  }
}
