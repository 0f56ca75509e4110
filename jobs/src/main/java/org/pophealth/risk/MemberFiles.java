package org.pophealth.risk;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.pophealth.io.CsvLines;

/**
 * The two files every analysts' scorer reads (CMS-HCC {@link ScoreRiskFiles}, HHS-HCC {@link ScoreHhsFiles}): the
 * members file, row by row through the scorer's own parser, and the diagnoses file ({@code member_id,icd10}). A row
 * that cannot be used goes to the rejects file with the file, line and reason, and is counted.
 */
final class MemberFiles {
  private MemberFiles() {}

  /**
   * One members row to a member: IllegalArgumentException rejects the row; {@code keepButReject} writes a reject for
   * the row (reason) and keeps the member (e.g. an ESRD status that cannot be used).
   *
   * @param idx indexes of the required columns, {@code opt} of the optional ones (-1: absent)
   */
  interface RowParser<M> {
    M parse(String id, List<String> fields, int[] idx, int[] opt, Consumer<String> keepButReject);
  }

  /** @param optional indexes of the optional columns in the header (-1: absent) */
  record Read(long rows, long rejected, int[] optional) {}

  /** One data line of a CSV file: its line number (the header is line 1), its text and its fields. */
  private interface RowHandler {
    void row(long line, String text, List<String> fields) throws IOException;
  }

  /** Hands the header line to {@code header}, then every non-blank line to {@code row}; returns the lines handed. */
  private static long eachRow(Path file, Consumer<String> header, Function<String, List<String>> split, RowHandler row)
      throws IOException {
    long rows = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      header.accept(in.readLine());
      long line = 1;
      for (String l = in.readLine(); l != null; l = in.readLine()) {
        line++;
        if (!l.isBlank()) {
          rows++;
          row.row(line, l, split.apply(l));
        }
      }
    }
    return rows;
  }

  /** Reads the members file into {@code byId} (file order), rejecting empty and duplicate ids. */
  static <M> Read members(BufferedWriter rej, Path file, List<String> required, List<String> optional,
      RowParser<M> parser, Map<String, M> byId) throws IOException {
    int[][] cols = new int[2][];
    long[] rejected = {0};
    long rows = eachRow(file, head -> {
      cols[0] = ScoreRiskFiles.header(head, required, file);
      cols[1] = ScoreRiskFiles.optional(head, optional);
    }, CsvLines::split, (line, l, f) -> {
      String id = ScoreRiskFiles.field(f, cols[0][0]);
      List<String> soft = new ArrayList<>(1);
      String problem = null;
      M m = null;
      try {
        if (id.isEmpty()) {
          throw new IllegalArgumentException("member_id is empty");
        }
        m = parser.parse(id, f, cols[0], cols[1], soft::add);
        if (byId.containsKey(id)) {
          problem = "duplicate member_id";
        }
      } catch (IllegalArgumentException e) {
        problem = e.getMessage();
      }
      if (problem != null) {
        ScoreRiskFiles.reject(rej, file, line, id, l, problem);
        rejected[0]++;
        return;
      }
      for (String reason : soft) {
        ScoreRiskFiles.reject(rej, file, line, id, l, reason);
        rejected[0]++;
      }
      byId.put(id, m);
    });
    return new Read(rows, rejected[0], cols[1]);
  }

  /**
   * Reads the diagnoses file ({@code member_id,icd10}, dots optional) into {@code dx} for the members of
   * {@code byId}, one shared {@link Diagnosis} per distinct code; malformed codes and unknown members are rejected.
   */
  static Read diagnoses(BufferedWriter rej, Path file, Map<String, ?> byId, Map<String, List<Diagnosis>> dx)
      throws IOException {
    Map<String, Diagnosis> canonical = new HashMap<>(); // one Diagnosis per distinct code (no event ids here)
    return codes(rej, file, ScoreRiskFiles.DX_COLUMNS, byId, raw -> {
      String code = Icd10.normalize(raw);
      return Icd10.valid(code) ? code : null;
    }, "invalid-icd10: not an ICD-10-CM code",
        (id, code) -> dx.computeIfAbsent(id, k -> new ArrayList<>(8)).add(canonical.computeIfAbsent(code, Diagnosis::of)));
  }

  /**
   * Reads a code file ({@code columns}: member id, then code) for the members of {@code byId}: a code that
   * {@code normalize} turns into null is rejected with {@code invalid}, a code of a member not in {@code byId} as
   * unknown-member; every other (member id, normalized code) goes to {@code sink}.
   */
  static Read codes(BufferedWriter rej, Path file, List<String> columns, Map<String, ?> byId,
      UnaryOperator<String> normalize, String invalid, BiConsumer<String, String> sink) throws IOException {
    int[][] idx = new int[1][];
    long[] rejected = {0};
    // two plain fields (the common case): split at the comma without the CSV parser
    Function<String, List<String>> split = l -> {
      int comma = l.indexOf(',');
      return comma > 0 && l.indexOf('"') < 0 && idx[0][0] == 0 && idx[0][1] == 1 && l.indexOf(',', comma + 1) < 0
          ? List.of(l.substring(0, comma), l.substring(comma + 1)) : CsvLines.split(l);
    };
    long rows = eachRow(file, head -> idx[0] = ScoreRiskFiles.header(head, columns, file), split, (line, l, f) -> {
      String id = ScoreRiskFiles.field(f, idx[0][0]);
      String code = normalize.apply(ScoreRiskFiles.field(f, idx[0][1]));
      if (code == null) {
        ScoreRiskFiles.reject(rej, file, line, id, ScoreRiskFiles.field(f, idx[0][1]), invalid);
        rejected[0]++;
      } else if (!byId.containsKey(id)) {
        ScoreRiskFiles.reject(rej, file, line, id, code,
            "unknown-member: member_id not in the members file (or rejected there)");
        rejected[0]++;
      } else {
        sink.accept(id, code);
      }
    });
    return new Read(rows, rejected[0], new int[0]);
  }
}
