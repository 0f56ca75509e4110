package org.pophealth.ingest.claims;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import org.pophealth.io.DecodedLines;

/**
 * RFC 4180 CSV records of one file as {@link ClaimRecord}s: the first record is the header (names
 * lower-cased and trimmed), quoted fields may hold commas, doubled quotes and newlines. A record with
 * a different number of fields than the header, or an unclosed quote, becomes a record with a
 * {@code parseError}. Line numbers count data records (1 = first record after the header).
 *
 * <p>Bytes are decoded strictly in the file's charset ({@link DecodedLines}): a record with bytes that are
 * not valid in it is a {@code bad-encoding} record (quarantined, its raw text showing each invalid byte as
 * {@code \xNN}), never a row with U+FFFD in a name; when the header itself is not valid, every record is.
 */
public final class CsvRecords implements Iterator<ClaimRecord> {
  private DecodedLines in;
  private final ClaimTable table;
  private final String file;
  private final String runId;
  private final List<String> header;
  private long line;
  /** Records are read until {@link DecodedLines#position()} of the data stream reaches this. */
  private final long limit;
  /** Boundary scan only: records carry no fields. */
  private final boolean scan;
  private ClaimRecord next;
  private boolean eof;
  /** Byte offset of the first invalid byte of the record just read (-1: valid), and of the header. */
  private int badByte = -1;
  private final int headerBadByte;

  public CsvRecords(DecodedLines in, ClaimTable table, String file, String runId) {
    this(in, in, table, file, runId, 1, Long.MAX_VALUE, false);
  }

  /**
   * The records of one chunk of a file ({@link #boundaries}): the header is read from {@code headerIn} (the
   * file from its start; closed after the header), the records from {@code data}, a stream of the same file
   * positioned at a record boundary, numbered from {@code firstLine}, until {@code data} has consumed
   * {@code limit} bytes (the next boundary).
   */
  public static CsvRecords chunk(DecodedLines headerIn, DecodedLines data, ClaimTable table, String file,
      String runId, long firstLine, long limit) {
    return new CsvRecords(headerIn, data, table, file, runId, firstLine, limit, false);
  }

  /**
   * Record boundaries of a CSV file for reading it in chunks: {byte offset, number of the first record there}
   * every {@code chunkBytes} bytes or more, always at the end of a record as this class reads records (quoted
   * newlines, blank lines and unclosed quotes included), so chunks read with {@link #chunk} give exactly the
   * records, numbers and errors one reader of the whole file gives. Closes {@code in}.
   */
  public static List<long[]> boundaries(DecodedLines in, long chunkBytes) {
    CsvRecords recs = new CsvRecords(in, in, null, null, null, 1, Long.MAX_VALUE, true);
    List<long[]> out = new ArrayList<>();
    long last = 0;
    while (recs.hasNext()) {
      recs.next();
      long at = in.position();
      if (at - last >= chunkBytes) {
        out.add(new long[] {at, recs.line + 1});
        last = at;
      }
    }
    return out;
  }

  private CsvRecords(DecodedLines headerIn, DecodedLines data, ClaimTable table, String file, String runId,
      long firstLine, long limit, boolean scan) {
    this.in = headerIn;
    this.table = table;
    this.file = file;
    this.runId = runId;
    this.limit = limit;
    this.scan = scan;
    String[] raw = new String[1];
    List<String> h = readRecord(raw);
    this.headerBadByte = badByte;
    if (data != headerIn) {
      try {
        headerIn.close();
      } catch (IOException ignored) {
        // read side only
      }
      this.in = data;
    }
    this.line = firstLine - 1;
    this.header = new ArrayList<>();
    if (h != null) {
      for (String s : h) {
        String name = s.trim().toLowerCase(Locale.ROOT);
        if (name.startsWith("\uFEFF")) {
          name = name.substring(1);
        }
        header.add(name);
      }
    }
  }

  public List<String> header() {
    return header;
  }

  @Override
  public boolean hasNext() {
    if (next == null && !eof) {
      next = advance();
    }
    return next != null;
  }

  @Override
  public ClaimRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    ClaimRecord r = next;
    next = null;
    return r;
  }

  private ClaimRecord advance() {
    while (true) {
      String[] raw = new String[1];
      List<String> values;
      String error = null;
      try {
        values = in.position() >= limit ? null : readRecord(raw);
      } catch (UnclosedQuote e) {
        values = List.of();
        error = "unclosed quote: the record runs to the end of the file";
      }
      if (values == null) {
        eof = true;
        try {
          in.close();
        } catch (IOException ignored) {
          // read side only
        }
        return null;
      }
      if (error == null && values.size() == 1 && values.get(0).isBlank()) {
        continue; // blank line
      }
      line++;
      String code = null;
      if (headerBadByte >= 0 || badByte >= 0) {
        code = "bad-encoding";
        error = (headerBadByte >= 0 ? "header" : "record") + " is not valid " + in.charset().name()
            + " (first invalid byte at byte " + (headerBadByte >= 0 ? headerBadByte : badByte) + " of its line)";
      } else if (error == null && values.size() != header.size()) {
        error = "record has " + values.size() + " fields, header has " + header.size();
      }
      if (scan) {
        return ClaimRecord.SCANNED;
      }
      Map<String, String> fields = new LinkedHashMap<>();
      if (error == null) {
        for (int i = 0; i < header.size(); i++) {
          String v = values.get(i).trim();
          if (!v.isEmpty()) {
            fields.put(header.get(i), v);
          }
        }
      }
      return new ClaimRecord(table, "csv", file, line, raw[0], fields, error,
          error == null ? null : code == null ? "malformed-row" : code, runId);
    }
  }

  private void noteEncoding() {
    if (in.malformed() && badByte < 0) {
      badByte = in.malformedOffset();
    }
  }

  private static final class UnclosedQuote extends RuntimeException {
    UnclosedQuote() {
      super(null, null, false, false);
    }
  }

  /**
   * One record (possibly several physical lines), or null at end of input; raw[0] gets its text, and
   * {@link #badByte} the offset of the first invalid byte in its first invalid line (-1 when all are valid).
   */
  private List<String> readRecord(String[] raw) {
    badByte = -1;
    try {
      String first = in.readLine();
      if (first == null) {
        return null;
      }
      noteEncoding();
      StringBuilder text = new StringBuilder(first);
      List<String> out = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      String cur = first;
      int i = 0;
      while (true) {
        if (i >= cur.length()) {
          if (quoted) {
            String more = in.readLine();
            if (more == null) {
              raw[0] = text.toString();
              throw new UnclosedQuote();
            }
            noteEncoding();
            field.append('\n');
            text.append('\n').append(more);
            cur = more;
            i = 0;
            continue;
          }
          out.add(field.toString());
          raw[0] = text.toString();
          return out;
        }
        char c = cur.charAt(i);
        if (quoted) {
          if (c == '"') {
            if (i + 1 < cur.length() && cur.charAt(i + 1) == '"') {
              field.append('"');
              i += 2;
              continue;
            }
            quoted = false;
          } else {
            field.append(c);
          }
        } else if (c == '"' && field.toString().isBlank()) {
          field.setLength(0);
          quoted = true;
        } else if (c == ',') {
          out.add(field.toString());
          field.setLength(0);
        } else {
          field.append(c);
        }
        i++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
