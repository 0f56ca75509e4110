package org.pophealth.ingest.claims;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * RFC 4180 CSV records of one file as {@link ClaimRecord}s: the first record is the header (names
 * lower-cased and trimmed), quoted fields may hold commas, doubled quotes and newlines. A record with
 * a different number of fields than the header, or an unclosed quote, becomes a record with a
 * {@code parseError}. Line numbers count data records (1 = first record after the header).
 */
public final class CsvRecords implements Iterator<ClaimRecord> {
  private final BufferedReader in;
  private final ClaimTable table;
  private final String file;
  private final String runId;
  private final List<String> header;
  private long line;
  private ClaimRecord next;
  private boolean eof;

  public CsvRecords(BufferedReader in, ClaimTable table, String file, String runId) {
    this.in = in;
    this.table = table;
    this.file = file;
    this.runId = runId;
    String[] raw = new String[1];
    List<String> h = readRecord(raw);
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
        values = readRecord(raw);
      } catch (UnclosedQuote e) {
        values = List.of();
        error = "unclosed quote: the record runs to the end of the file";
      }
      if (values == null) {
        eof = true;
        return null;
      }
      if (error == null && values.size() == 1 && values.get(0).isBlank()) {
        continue; // blank line
      }
      line++;
      if (error == null && values.size() != header.size()) {
        error = "record has " + values.size() + " fields, header has " + header.size();
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
      return new ClaimRecord(table, "csv", file, line, raw[0], fields, error, runId);
    }
  }

  private static final class UnclosedQuote extends RuntimeException {
    UnclosedQuote() {
      super(null, null, false, false);
    }
  }

  /** One record (possibly several physical lines), or null at end of input; raw[0] gets its text. */
  private List<String> readRecord(String[] raw) {
    try {
      String first = in.readLine();
      if (first == null) {
        return null;
      }
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
