package org.pophealth.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Strict line decoding: line ends as BufferedReader, invalid bytes reported and shown as \xNN. */
class DecodedLinesTest {
  private static List<String> lines(byte[] bytes, Charset cs) throws IOException {
    DecodedLines in = new DecodedLines(new ByteArrayInputStream(bytes), cs);
    List<String> out = new ArrayList<>();
    for (String l = in.readLine(); l != null; l = in.readLine()) {
      out.add(l);
    }
    return out;
  }

  @Test
  void lineEndsAreThoseOfBufferedReader() throws IOException {
    assertEquals(List.of("a", "b", "", "c", "d"),
        lines("a\nb\r\n\rc\rd".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    assertEquals(List.of("a"), lines("a\n".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    assertEquals(List.of(), lines(new byte[0], StandardCharsets.UTF_8));
    assertEquals(List.of(""), lines("\n".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
  }

  @Test
  void longLinesAndLineEndsAcrossTheBuffer() throws IOException {
    byte[] a = new byte[(1 << 16) - 1];
    Arrays.fill(a, (byte) 'x');
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(a);
    b.write('\r'); // last byte of the first buffer; its \n starts the next one
    b.write('\n');
    byte[] big = new byte[200_000];
    Arrays.fill(big, (byte) 'y');
    b.write(big);
    List<String> l = lines(b.toByteArray(), StandardCharsets.UTF_8);
    assertEquals(2, l.size());
    assertEquals(a.length, l.get(0).length());
    assertEquals(big.length, l.get(1).length());
  }

  @Test
  void invalidUtf8IsReportedNotReplaced() throws IOException {
    byte[] bytes = {'o', 'k', '\n', 'M', (byte) 0xFC, 'l', 'l', 'e', 'r', '\n', 'M', (byte) 0xC3, (byte) 0xBC, '\n'};
    DecodedLines in = new DecodedLines(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8);
    assertEquals("ok", in.readLine());
    assertFalse(in.malformed());
    assertEquals(-1, in.malformedOffset());
    assertEquals("M\\xFCller", in.readLine());
    assertTrue(in.malformed());
    assertEquals(1, in.malformedOffset());
    assertEquals("M\u00fc", in.readLine());
    assertFalse(in.malformed());
    assertNull(in.readLine());
  }

  @Test
  void aReplacementCharacterWrittenInValidUtf8IsText() throws IOException {
    DecodedLines in = new DecodedLines(new ByteArrayInputStream("a\uFFFDb".getBytes(StandardCharsets.UTF_8)),
        StandardCharsets.UTF_8);
    assertEquals("a\uFFFDb", in.readLine());
    assertFalse(in.malformed());
  }

  @Test
  void truncatedSequenceAtTheEndOfALine() throws IOException {
    DecodedLines in = new DecodedLines(new ByteArrayInputStream(new byte[] {'a', (byte) 0xE2, (byte) 0x82}),
        StandardCharsets.UTF_8);
    String l = in.readLine();
    assertTrue(in.malformed());
    assertTrue(l.startsWith("a\\xE2"), l);
  }

  @Test
  void latin1DecodesEveryByteAndWindows1252ReportsItsHoles() throws IOException {
    byte[] bytes = {'M', (byte) 0xFC, 'l', 'l', 'e', 'r'};
    DecodedLines latin1 = new DecodedLines(new ByteArrayInputStream(bytes), StandardCharsets.ISO_8859_1);
    assertEquals("M\u00fcller", latin1.readLine());
    assertFalse(latin1.malformed());
    DecodedLines cp1252 = new DecodedLines(new ByteArrayInputStream(new byte[] {'a', (byte) 0x81}),
        Charset.forName("windows-1252"));
    assertEquals("a\\x81", cp1252.readLine());
    assertTrue(cp1252.malformed());
  }

  @Test
  void onlyKnownAsciiCompatibleCharsets() {
    assertEquals(StandardCharsets.ISO_8859_1, DecodedLines.charset("ISO-8859-1", "sources.p.charset"));
    assertEquals(StandardCharsets.UTF_8, DecodedLines.charset("utf8", "sources.p.charset"));
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> DecodedLines.charset("latin-9000", "sources.p.charset"));
    assertEquals("sources.p.charset: unknown charset 'latin-9000'", unknown.getMessage());
    IllegalArgumentException utf16 = assertThrows(IllegalArgumentException.class,
        () -> DecodedLines.charset("UTF-16", "sources.p.charset"));
    assertTrue(utf16.getMessage().startsWith("sources.p.charset: charset UTF-16 is not ASCII-compatible"),
        utf16.getMessage());
  }
}
