package org.pophealth.ingest.fhir.bulk;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Passes bytes through and counts non-blank lines (NDJSON resources) and bytes. */
final class LineCountingOutputStream extends FilterOutputStream {
  private long lines;
  private long bytes;
  private boolean content;

  LineCountingOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    see((byte) b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    for (int i = off; i < off + len; i++) {
      see(b[i]);
    }
  }

  private void see(byte b) {
    bytes++;
    if (b == '\n') {
      if (content) {
        lines++;
      }
      content = false;
    } else if (b != ' ' && b != '\t' && b != '\r') {
      content = true;
    }
  }

  /** Non-blank lines, counting a last line without a newline. */
  long lines() {
    return lines + (content ? 1 : 0);
  }

  long bytes() {
    return bytes;
  }
}
