package org.pophealth.cohorts;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.pophealth.io.CsvLines;
import org.pophealth.io.DecodedLines;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code worklist import FILE}: the outreach outcomes a care team recorded (CSV, one attempt per line: cohort,
 * person_id, date, channel, outcome, optional next_contact_date, by, note) applied to the persons' current items in
 * {@code ops.worklist}. Every line is applied or rejected with a reason: rejected lines go to {@code ops.quarantine}
 * (stage {@code worklist-import}) with the raw line, so read = applied + rejected, always. An attempt already on the
 * item (same date, channel and outcome) is applied without being added again: importing a file twice adds nothing.
 * Attempts are applied per item in date order (then file order): reached and declined close the item, scheduled
 * schedules it, other outcomes make it attempted; the latest attempt gives the next contact date.
 */
public final class ImportOutreach {
  private static final Logger LOG = LoggerFactory.getLogger(ImportOutreach.class);
  static final String STAGE = "worklist-import";
  static final List<String> REQUIRED = List.of("cohort", "person_id", "date", "channel", "outcome");
  static final List<String> OPTIONAL = List.of("next_contact_date", "by", "note");
  /** Channels an attempt may use. */
  static final Set<String> CHANNELS = Set.of("phone", "sms", "email", "letter", "portal", "visit", "other");

  private final Lakehouse lakehouse;
  private final Path file;
  private final Set<String> cohorts;
  private final String user;

  /** {@code cohorts}: the names of the defined cohorts; {@code user}: who recorded attempts without a {@code by}. */
  public ImportOutreach(Lakehouse lakehouse, Path file, Set<String> cohorts, String user) {
    this.lakehouse = lakehouse;
    this.file = file;
    this.cohorts = Set.copyOf(cohorts);
    this.user = user;
  }

  /** A line that was not applied: its number, reason code and the reason (naming the column, never the value). */
  public record Rejected(long line, String reasonCode, String reason) {}

  /**
   * What the import did: lines read (header and blank lines not counted) = applied + rejected; of the applied,
   * attempts added and those already recorded by an earlier import; items changed and closed (reached, declined);
   * attempts added per outcome; rejected lines per reason code.
   */
  public record Result(String file, long read, long applied, long added, long alreadyRecorded, long rejected,
      long itemsUpdated, long itemsClosed, Map<String, Long> byOutcome, Map<String, Long> rejectedByReason,
      List<Rejected> rejects, double seconds) {
    public boolean reconciled() {
      return read == applied + rejected;
    }
  }

  /** One valid line, waiting for its item. */
  private record Line(long number, String cohort, String personId, WorklistItem.Attempt attempt) {}

  public Result execute() throws IOException {
    long t0 = System.nanoTime();
    byte[] bytes = read();
    String fileSha = LoadCohortDefinitions.sha256(bytes).substring(0, 12);
    String source = "import:" + fileSha;
    Map<String, Integer> header = null;
    List<Line> valid = new ArrayList<>();
    List<Rejected> rejects = new ArrayList<>();
    Map<Long, String> raws = new HashMap<>();
    Set<String> seen = new HashSet<>();
    long read = 0;
    // each line decoded strictly on its own: a line with bytes that are not UTF-8 is rejected, the others read
    try (DecodedLines in = new DecodedLines(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8)) {
      long number = 0;
      for (String raw = in.readLine(); raw != null; raw = in.readLine()) {
        number++;
        if (number == 1 && raw.startsWith("\uFEFF")) {
          raw = raw.substring(1);
        }
        if (raw.isBlank()) {
          continue;
        }
        if (header == null) {
          if (in.malformed()) {
            throw new IllegalArgumentException(file + ": the header is not UTF-8 text (save the file as CSV UTF-8)");
          }
          header = header(raw);
          continue;
        }
        read++;
        raws.put(number, raw);
        Object parsed = in.malformed()
            ? new Rejected(number, "bad-encoding", "not UTF-8 text at byte " + (in.malformedOffset() + 1)
                + " of the line (save the file as CSV UTF-8)")
            : parse(number, raw, header, seen);
        if (parsed instanceof Rejected r) {
          rejects.add(r);
        } else {
          valid.add((Line) parsed);
        }
      }
    }
    if (header == null) {
      throw new IllegalArgumentException(file + ": empty, expected a header line " + String.join(",", REQUIRED)
          + "[," + String.join(",", OPTIONAL) + "]");
    }
    // the current item of each (cohort, person) named by a valid line
    lakehouse.ensure(WorklistItem.TABLE);
    Map<String, WorklistItem> current = new HashMap<>();
    Set<String> named = valid.stream().map(Line::cohort).collect(Collectors.toSet());
    if (!named.isEmpty()) {
      for (Row r : lakehouse.read(WorklistItem.TABLE).filter(org.apache.spark.sql.functions.col("cohort")
          .isin(named.toArray())).collectAsList()) {
        WorklistItem i = WorklistItem.of(r);
        current.merge(i.key(), i, WorklistItem::later);
      }
    }
    long added = 0;
    long already = 0;
    long closed = 0;
    Map<String, Long> byOutcome = new TreeMap<>();
    List<Line> ordered = new ArrayList<>(valid);
    ordered.sort(Comparator.comparing((Line l) -> l.attempt().date()).thenComparingLong(Line::number));
    for (Line l : ordered) {
      WorklistItem item = current.get(l.cohort() + "|" + l.personId());
      if (item == null) {
        rejects.add(new Rejected(l.number(), "unknown-item", "no worklist item for this cohort and person_id (the"
            + " person was never on the cohort's published list)"));
      } else if (item.attempts.stream().anyMatch(a -> a.same(l.attempt()))) {
        already++;
      } else if (item.closed()) {
        rejects.add(new Rejected(l.number(), "item-closed", "the person's worklist item is closed (reached, declined"
            + " or left the list); attempts are recorded on open items"));
      } else {
        item.add(l.attempt(), source);
        added++;
        byOutcome.merge(l.attempt().outcome(), 1L, Long::sum);
        closed += item.closed() ? 1 : 0;
      }
    }
    List<WorklistItem> changed = current.values().stream().filter(i -> i.changed).toList();
    WorklistItem.save(lakehouse, changed, null);
    rejects.sort(Comparator.comparingLong(Rejected::line));
    quarantine(rejects, raws, fileSha);
    Map<String, Long> byReason = new TreeMap<>();
    rejects.forEach(r -> byReason.merge(r.reasonCode(), 1L, Long::sum));
    Result result = new Result(file.getFileName().toString(), read, added + already, added, already, rejects.size(),
        changed.size(), closed, byOutcome, byReason, List.copyOf(rejects), (System.nanoTime() - t0) / 1e9);
    LOG.info("worklist import: read {}, applied {} ({} added, {} already recorded), rejected {}", read,
        result.applied(), added, already, rejects.size());
    return result;
  }

  private byte[] read() throws IOException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new java.io.FileNotFoundException("outreach file not found: " + file);
    }
  }

  /** The header's column positions; a missing required or an unknown column refuses the whole file. */
  private Map<String, Integer> header(String raw) {
    List<String> cols = CsvLines.split(raw).stream().map(String::trim).toList();
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int j = 0; j < cols.size(); j++) {
      if (!REQUIRED.contains(cols.get(j)) && !OPTIONAL.contains(cols.get(j))) {
        throw new IllegalArgumentException(file + " line 1: unknown column '" + cols.get(j) + "' (columns: "
            + String.join(",", REQUIRED) + " and optionally " + String.join(",", OPTIONAL) + ")");
      }
      if (index.put(cols.get(j), j) != null) {
        throw new IllegalArgumentException(file + " line 1: column " + cols.get(j) + " named twice");
      }
    }
    for (String c : REQUIRED) {
      if (!index.containsKey(c)) {
        throw new IllegalArgumentException(file + " line 1: the header lacks column " + c + " (columns: "
            + String.join(",", REQUIRED) + " and optionally " + String.join(",", OPTIONAL) + ")");
      }
    }
    return index;
  }

  /** A valid {@link Line}, or the {@link Rejected} reason of the first check it fails. */
  private Object parse(long number, String raw, Map<String, Integer> header, Set<String> seen) {
    List<String> f;
    try {
      f = CsvLines.splitStrict(raw);
    } catch (IllegalArgumentException e) {
      return new Rejected(number, "malformed-row", "unterminated quote");
    }
    if (f.size() != header.size()) {
      return new Rejected(number, "malformed-row", f.size() + " fields, the header has " + header.size());
    }
    Map<String, String> v = new HashMap<>();
    header.forEach((k, j) -> v.put(k, f.get(j).trim()));
    for (String c : REQUIRED) {
      if (v.get(c).isEmpty()) {
        return new Rejected(number, "missing-required", c + " is empty");
      }
    }
    if (!cohorts.contains(v.get("cohort"))) {
      return new Rejected(number, "unknown-cohort", "cohort is not a defined cohort");
    }
    LocalDate date;
    LocalDate next = null;
    try {
      date = LocalDate.parse(v.get("date"));
    } catch (DateTimeParseException e) {
      return new Rejected(number, "bad-date", "date is not a date (YYYY-MM-DD)");
    }
    String nextText = v.getOrDefault("next_contact_date", "");
    if (!nextText.isEmpty()) {
      try {
        next = LocalDate.parse(nextText);
      } catch (DateTimeParseException e) {
        return new Rejected(number, "bad-date", "next_contact_date is not a date (YYYY-MM-DD)");
      }
      if (next.isBefore(date)) {
        return new Rejected(number, "bad-date", "next_contact_date is before the attempt's date");
      }
    }
    String outcome = v.get("outcome").toLowerCase(java.util.Locale.ROOT);
    if (!WorklistItem.OUTCOMES.contains(outcome)) {
      return new Rejected(number, "unknown-outcome", "outcome is not one of " + WorklistItem.OUTCOMES.stream().sorted()
          .toList());
    }
    String channel = v.get("channel").toLowerCase(java.util.Locale.ROOT);
    if (!CHANNELS.contains(channel)) {
      return new Rejected(number, "unknown-channel", "channel is not one of " + CHANNELS.stream().sorted().toList());
    }
    if (!seen.add(v.get("cohort") + "|" + v.get("person_id") + "|" + date + "|" + channel + "|" + outcome)) {
      return new Rejected(number, "duplicate-row", "the same cohort, person_id, date, channel and outcome as an"
          + " earlier line of the file");
    }
    String by = v.getOrDefault("by", "");
    String note = v.getOrDefault("note", "");
    return new Line(number, v.get("cohort"), v.get("person_id"), new WorklistItem.Attempt(date, channel, outcome,
        by.isEmpty() ? user : by, next, note.isEmpty() ? null : note));
  }

  /** Rejected lines into ops.quarantine (row key: stage, file content and line, so a re-import adds none). */
  private void quarantine(List<Rejected> rejects, Map<Long, String> raws, String fileSha) {
    if (rejects.isEmpty()) {
      return;
    }
    Timestamp at = Timestamp.from(Instant.now());
    String run = org.pophealth.ops.RunIds.next(STAGE, "worklist");
    List<Row> rows = new ArrayList<>();
    for (Rejected r : rejects) {
      String key = LoadCohortDefinitions.sha256((STAGE + "|" + fileSha + "|" + r.line())
          .getBytes(StandardCharsets.UTF_8));
      rows.add(RowFactory.create(key, "worklist", STAGE, r.reasonCode(), r.reason(), "worklist", null,
          raws.get(r.line()), at, file.getFileName().toString(), r.line(), run));
    }
    lakehouse.insertNew("ops.quarantine", lakehouse.spark().createDataFrame(rows,
        lakehouse.contract("ops.quarantine").schema()), "t.stage = '" + STAGE + "'");
  }
}
