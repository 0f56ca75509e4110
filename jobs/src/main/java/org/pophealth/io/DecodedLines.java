package org.pophealth.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Text lines of a byte stream, each decoded strictly: bytes that are not valid in the charset are never
 * turned into U+FFFD without a word. Lines end at {@code \n}, {@code \r\n} or a lone {@code \r}, as with
 * {@link java.io.BufferedReader#readLine()}. After {@link #readLine()}, {@link #malformed()} tells whether the
 * line's bytes were invalid; such a line is returned with each invalid byte written as {@code \xNN} (so a
 * quarantined line shows exactly which bytes were wrong) and {@link #malformedOffset()} is the 0-based byte
 * offset of the first of them. Only ASCII-compatible charsets are accepted (line ends are found as bytes).
 */
public final class DecodedLines implements Closeable {
  private final InputStream in;
  private final Charset charset;
  private final boolean utf8;
  private final CharsetDecoder decoder;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int end;
  /** Bytes of the stream before buf[0]. */
  private long base;
  private byte[] line = new byte[1 << 12];
  private int length;
  private boolean skipLf;
  private boolean eof;
  private boolean malformed;
  private int malformedOffset = -1;

  /** Lines of {@code in} in {@code charset}; see {@link #requireAsciiCompatible(Charset, String)}. */
  public DecodedLines(InputStream in, Charset charset) {
    requireAsciiCompatible(charset, "charset");
    this.in = in;
    this.charset = charset;
    this.utf8 = StandardCharsets.UTF_8.equals(charset);
    this.decoder = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /**
   * The charset named {@code name}, checked to be one this reader can split into lines (ASCII-compatible:
   * UTF-8, ISO-8859-1, windows-1252, ...); an unknown or unsuitable name is an IllegalArgumentException
   * whose message starts with {@code what}.
   */
  public static Charset charset(String name, String what) {
    Charset c;
    try {
      c = Charset.forName(name.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(what + ": unknown charset '" + name + "'");
    }
    requireAsciiCompatible(c, what);
    return c;
  }

  private static void requireAsciiCompatible(Charset c, String what) {
    String probe = "\n\r,\"{}:az09";
    if (!c.canEncode() || !Arrays.equals(probe.getBytes(c), probe.getBytes(StandardCharsets.US_ASCII))) {
      throw new IllegalArgumentException(what + ": charset " + c.name()
          + " is not ASCII-compatible (use UTF-8, ISO-8859-1, windows-1252 or another single-byte charset)");
    }
  }

  /** The next line without its terminator, or null at the end of the stream. */
  public String readLine() throws IOException {
    length = 0;
    malformed = false;
    malformedOffset = -1;
    boolean any = false;
    while (true) {
      if (pos >= end) {
        if (eof || !fill()) {
          return any ? decode() : null;
        }
      }
      if (skipLf) {
        skipLf = false;
        if (buf[pos] == '\n') {
          pos++;
          continue;
        }
      }
      int start = pos;
      while (pos < end && buf[pos] != '\n' && buf[pos] != '\r') {
        pos++;
      }
      append(start, pos - start);
      any = true;
      if (pos < end) {
        skipLf = buf[pos] == '\r';
        pos++;
        return decode();
      }
    }
  }

  /**
   * Bytes of the stream consumed so far: the end of the last line returned, with its terminator (of a
   * {@code \r\n}, the {@code \n} may still be pending; the next line read is then empty).
   */
  public long position() {
    return base + pos;
  }

  /** Whether the last line read had bytes that are not valid in the charset. */
  public boolean malformed() {
    return malformed;
  }

  /** Byte offset (0-based, within the line) of the last line's first invalid byte; -1 when it had none. */
  public int malformedOffset() {
    return malformedOffset;
  }

  /** The charset lines are decoded with. */
  public Charset charset() {
    return charset;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      eof = true;
      return false;
    }
    base += end;
    pos = 0;
    end = n;
    return true;
  }

  private void append(int from, int n) {
    if (length + n > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, length + n));
    }
    System.arraycopy(buf, from, line, length, n);
    length += n;
  }

  private String decode() {
    if (utf8) {
      // fast path: the JDK decoder replaces every invalid sequence with U+FFFD, so a line without one is valid
      String s = new String(line, 0, length, StandardCharsets.UTF_8);
      if (s.indexOf('\uFFFD') < 0) {
        return s;
      }
    }
    return strict();
  }

  /** Decodes the line reporting errors: invalid bytes become {@code \xNN} and mark the line malformed. */
  private String strict() {
    decoder.reset();
    ByteBuffer bytes = ByteBuffer.wrap(line, 0, length);
    CharBuffer out = CharBuffer.allocate(Math.max(16, length * 4));
    StringBuilder text = new StringBuilder(length + 16);
    while (true) {
      CoderResult r = decoder.decode(bytes, out, true);
      if (r.isError()) {
        flush(out, text);
        if (malformedOffset < 0) {
          malformedOffset = bytes.position();
        }
        malformed = true;
        for (int i = 0; i < r.length(); i++) {
          text.append("\\x").append(String.format(Locale.ROOT, "%02X", bytes.get() & 0xFF));
        }
      } else if (r.isOverflow()) {
        flush(out, text);
      } else {
        decoder.flush(out);
        flush(out, text);
        return text.toString();
      }
    }
  }

  private static void flush(CharBuffer out, StringBuilder text) {
    out.flip();
    text.append(out);
    out.clear();
  }
}
