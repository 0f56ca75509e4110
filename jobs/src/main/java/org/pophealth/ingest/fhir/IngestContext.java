package org.pophealth.ingest.fhir;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.util.HexFormat;

/** Constants of one ingest run shipped to every task. */
public record IngestContext(
    String source, Timestamp exportTime, String runId, int maxRawChars, SerializableHadoopConf hadoop)
    implements Serializable {

  /** Deterministic key of an arrived line: same export, file and line → same key. */
  public String rowKey(String file, long line, int entry) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      String k = source + '\u0001' + exportTime.getTime() + '\u0001' + file + '\u0001' + line + '\u0001' + entry;
      return HexFormat.of().formatHex(md.digest(k.getBytes(StandardCharsets.UTF_8)), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
