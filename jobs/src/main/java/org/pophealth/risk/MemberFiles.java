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
import java.util.function.Consumer;
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

  /** Reads the members file into {@code byId} (file order), rejecting empty and duplicate ids. */
  static <M> Read members(BufferedWriter rej, Path file, List<String> required, List<String> optional,
      RowParser<M> parser, Map<String, M> byId) throws IOException {
    long rows = 0;
    long rejected = 0;
    int[] opt;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String head = in.readLine();
      int[] idx = ScoreRiskFiles.header(head, required, file);
      opt = ScoreRiskFiles.optional(head, optional);
      long line = 1;
      for (String l = in.readLine(); l != null; l = in.readLine()) {
        line++;
        if (l.isBlank()) {
          continue;
        }
        rows++;
        List<String> f = CsvLines.split(l);
        String id = ScoreRiskFiles.field(f, idx[0]);
        List<String> soft = new ArrayList<>(1);
        String problem = null;
        M m = null;
        try {
          if (id.isEmpty()) {
            throw new IllegalArgumentException("member_id is empty");
          }
          m = parser.parse(id, f, idx, opt, soft::add);
          if (byId.containsKey(id)) {
            problem = "duplicate member_id";
          }
        } catch (IllegalArgumentException e) {
          problem = e.getMessage();
        }
        if (problem != null) {
          ScoreRiskFiles.reject(rej, file, line, id, l, problem);
          rejected++;
          continue;
        }
        for (String reason : soft) {
          ScoreRiskFiles.reject(rej, file, line, id, l, reason);
          rejected++;
        }
        byId.put(id, m);
      }
    }
    return new Read(rows, rejected, opt);
  }

  /**
   * Reads the diagnoses file ({@code member_id,icd10}, dots optional) into {@code dx} for the members of
   * {@code byId}, one shared {@link Diagnosis} per distinct code; malformed codes and unknown members are rejected.
   */
  static Read diagnoses(BufferedWriter rej, Path file, Map<String, ?> byId, Map<String, List<Diagnosis>> dx)
      throws IOException {
    Map<String, Diagnosis> canonical = new HashMap<>(); // one Diagnosis per distinct code (no event ids here)
    long rows = 0;
    long rejected = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int[] idx = ScoreRiskFiles.header(in.readLine(), ScoreRiskFiles.DX_COLUMNS, file);
      long line = 1;
      for (String l = in.readLine(); l != null; l = in.readLine()) {
        line++;
        if (l.isBlank()) {
          continue;
        }
        rows++;
        int comma = l.indexOf(',');
        List<String> f = comma > 0 && l.indexOf('"') < 0 && idx[0] == 0 && idx[1] == 1 && l.indexOf(',', comma + 1) < 0
            ? List.of(l.substring(0, comma), l.substring(comma + 1)) : CsvLines.split(l);
        String id = ScoreRiskFiles.field(f, idx[0]);
        String code = Icd10.normalize(ScoreRiskFiles.field(f, idx[1]));
        if (!Icd10.valid(code)) {
          ScoreRiskFiles.reject(rej, file, line, id, ScoreRiskFiles.field(f, idx[1]), "invalid-icd10: not an ICD-10-CM code");
          rejected++;
        } else if (!byId.containsKey(id)) {
          ScoreRiskFiles.reject(rej, file, line, id, code,
              "unknown-member: member_id not in the members file (or rejected there)");
          rejected++;
        } else {
          dx.computeIfAbsent(id, k -> new ArrayList<>(8)).add(canonical.computeIfAbsent(code, Diagnosis::of));
        }
      }
    }
    return new Read(rows, rejected, new int[0]);
  }
}
