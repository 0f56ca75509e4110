package org.pophealth.ingest.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pophealth.io.DecodedLines;

/**
 * A CSV file read in chunks (boundaries from one scan, each chunk by its own reader, as the claims ingest
 * reads a large file on every core) gives exactly the records one reader of the whole file gives: numbers,
 * raw text, fields and errors, whatever the chunk size, with quoted newlines, doubled quotes, blank lines,
 * CRLF and lone CR line ends, invalid bytes and an unclosed quote at the end.
 */
class CsvChunksTest {
  private static final Charset UTF8 = StandardCharsets.UTF_8;

  private static List<String> whole(byte[] file, Charset cs) {
    CsvRecords r = new CsvRecords(new DecodedLines(new ByteArrayInputStream(file), cs), ClaimTable.MEDICAL, "f.csv",
        "run");
    List<String> out = new ArrayList<>();
    r.forEachRemaining(c -> out.add(show(c)));
    return out;
  }

  private static List<String> chunked(byte[] file, Charset cs, long chunkBytes, int[] chunks) {
    List<long[]> cuts = CsvRecords.boundaries(new DecodedLines(new ByteArrayInputStream(file), cs), chunkBytes);
    List<String> out = new ArrayList<>();
    long start = 0;
    long first = 1;
    List<long[]> all = new ArrayList<>(cuts);
    all.add(new long[] {Long.MAX_VALUE, -1});
    for (long[] cut : all) {
      DecodedLines header = new DecodedLines(new ByteArrayInputStream(file), cs);
      DecodedLines data = new DecodedLines(new ByteArrayInputStream(file, (int) start, file.length - (int) start), cs);
      long limit = cut[0] == Long.MAX_VALUE ? Long.MAX_VALUE : cut[0] - start;
      CsvRecords r = start == 0 ? CsvRecords.chunk(header, header, ClaimTable.MEDICAL, "f.csv", "run", 1, limit)
          : CsvRecords.chunk(header, data, ClaimTable.MEDICAL, "f.csv", "run", first, limit);
      r.forEachRemaining(c -> out.add(show(c)));
      start = cut[0];
      first = cut[1];
    }
    chunks[0] = all.size();
    return out;
  }

  private static String show(ClaimRecord c) {
    return c.line() + "|" + c.raw() + "|" + c.fields() + "|" + c.parseCode() + "|" + c.parseError();
  }

  private static void sameAtEverySize(byte[] file, Charset cs) {
    List<String> expected = whole(file, cs);
    assertTrue(expected.size() > 3, "fixture has records");
    int[] n = new int[1];
    int most = 0;
    for (long size = 1; size <= file.length + 1; size++) {
      assertEquals(expected, chunked(file, cs, size, n), "chunk size " + size);
      most = Math.max(most, n[0]);
    }
    assertTrue(most > expected.size() / 2, "small chunk sizes do split the file: " + most + " chunks");
  }

  @Test
  void quotedNewlinesBlankLinesAndLineEnds() {
    String csv = "claim_id,claim_line_number,hcpcs_code\r\n"
        + "C1,1,99213\r\n"
        + "\r\n"
        + "\"C2\",\"1\",\"99\n214\"\n"
        + "C3,1,\"a \"\"quoted\"\" ,\r\n value\"\r"
        + "   \n"
        + "\"\"\n"
        + "C4,1\n"
        + "C5,1,80053\n"
        + "C6,2,\"x\"\"\n\n\"\n"
        + "C7,1,85025";
    sameAtEverySize(csv.getBytes(UTF8), UTF8);
  }

  @Test
  void invalidBytesAndAnUnclosedQuoteAtTheEnd() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write("claim_id,claim_line_number,hcpcs_code\nC1,1,99213\nC2,1,".getBytes(UTF8));
    b.write(new byte[] {(byte) 0xC3, (byte) 0x28});
    b.write("\nC3,1,80053\nC4,1,\"85025\nC5,1,99214\n".getBytes(UTF8));
    sameAtEverySize(b.toByteArray(), UTF8);
  }

  @Test
  void aHeaderWithInvalidBytesMakesEveryChunksRecordsBadEncoding() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write("claim_id,claim_line_number,hcpcs_".getBytes(UTF8));
    b.write(0xFF);
    b.write("\nC1,1,99213\nC2,1,99214\nC3,1,80053\nC4,1,85025\n".getBytes(UTF8));
    byte[] file = b.toByteArray();
    sameAtEverySize(file, UTF8);
    assertTrue(whole(file, UTF8).stream().allMatch(s -> s.contains("|bad-encoding|")));
  }

  @Test
  void latin1() {
    String csv = "claim_id,claim_line_number,rendering_name\nC1,1,\"Müller\nJosé\"\nC2,1,Ørsted\nC3,1,x\nC4,1,y\n";
    sameAtEverySize(csv.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1);
  }
}
