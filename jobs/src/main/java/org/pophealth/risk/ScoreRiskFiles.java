package org.pophealth.risk;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.pophealth.io.CsvLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/pophealth risk-score}: scores an analyst's members file with its diagnoses file, no Spark.
 * Members: {@code member_id,sex,birth_date,orec,dual_status,institutional,new_enrollee}; diagnoses:
 * {@code member_id,icd10}. Output: {@code member_id,model,raw_score,normalized_score,payment_score,hccs}
 * in the members file's order. Every row that cannot be used (bad field, invalid ICD-10-CM code, unknown
 * member) is written to the rejects file with the file, line and reason, and counted.
 */
public final class ScoreRiskFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreRiskFiles.class);
  static final List<String> MEMBER_COLUMNS =
      List.of("member_id", "sex", "birth_date", "orec", "dual_status", "institutional", "new_enrollee");
  static final List<String> DX_COLUMNS = List.of("member_id", "icd10");

  public record Result(long members, long scored, long diagnoses, long rejected, Path out, Path rejects, double seconds) {}

  private final Path members;
  private final Path diagnoses;
  private final int paymentYear;
  private final String model;
  private final Path out;

  /** {@code model}: V24, V28 or blend. */
  public ScoreRiskFiles(Path members, Path diagnoses, int paymentYear, String model, Path out) {
    this.members = members;
    this.diagnoses = diagnoses;
    this.paymentYear = paymentYear;
    String m = model.toUpperCase(Locale.ROOT);
    if (!List.of("V24", "V28", "BLEND").contains(m)) {
      throw new IllegalArgumentException("--model must be V24, V28 or blend, not '" + model + "'");
    }
    this.model = m;
    this.out = out;
  }

  /** The rejects file written beside {@code out}: {@code <out>.rejects.csv}. */
  public static Path rejectsPath(Path out) {
    return out.resolveSibling(out.getFileName() + ".rejects.csv");
  }

  public Result execute() throws IOException {
    long t0 = System.nanoTime();
    ScoreMember scorer = new ScoreMember(RiskReference.forPaymentYear(paymentYear));
    Path rejects = rejectsPath(out);
    long rejected = 0;
    Map<String, Member> byId = new LinkedHashMap<>();
    Map<String, List<Diagnosis>> dx = new HashMap<>();
    Map<String, Diagnosis> canonical = new HashMap<>(); // one Diagnosis per distinct code (no event ids here)
    long dxRows = 0;
    long memberRows = 0;
    try (BufferedWriter rej = Files.newBufferedWriter(rejects, StandardCharsets.UTF_8)) {
      rej.write("file,line,member_id,value,reason\n");
      try (BufferedReader in = Files.newBufferedReader(members, StandardCharsets.UTF_8)) {
        int[] idx = header(in.readLine(), MEMBER_COLUMNS, members);
        long line = 1;
        for (String l = in.readLine(); l != null; l = in.readLine()) {
          line++;
          if (l.isBlank()) {
            continue;
          }
          memberRows++;
          List<String> f = CsvLines.split(l);
          String id = field(f, idx[0]);
          String problem = null;
          Member m = null;
          try {
            if (id.isEmpty()) {
              throw new IllegalArgumentException("member_id is empty");
            }
            m = member(id, f, idx, paymentYear);
            if (byId.containsKey(id)) {
              problem = "duplicate member_id";
            }
          } catch (IllegalArgumentException e) {
            problem = e.getMessage();
          }
          if (problem != null) {
            reject(rej, members, line, id, l, problem);
            rejected++;
          } else {
            byId.put(id, m);
          }
        }
      }
      try (BufferedReader in = Files.newBufferedReader(diagnoses, StandardCharsets.UTF_8)) {
        int[] idx = header(in.readLine(), DX_COLUMNS, diagnoses);
        long line = 1;
        for (String l = in.readLine(); l != null; l = in.readLine()) {
          line++;
          if (l.isBlank()) {
            continue;
          }
          dxRows++;
          int comma = l.indexOf(',');
          List<String> f = comma > 0 && l.indexOf('"') < 0 && idx[0] == 0 && idx[1] == 1 && l.indexOf(',', comma + 1) < 0
              ? List.of(l.substring(0, comma), l.substring(comma + 1)) : CsvLines.split(l);
          String id = field(f, idx[0]);
          String code = Icd10.normalize(field(f, idx[1]));
          if (!Icd10.valid(code)) {
            reject(rej, diagnoses, line, id, field(f, idx[1]), "invalid-icd10: not an ICD-10-CM code");
            rejected++;
          } else if (!byId.containsKey(id)) {
            reject(rej, diagnoses, line, id, code, "unknown-member: member_id not in the members file (or rejected there)");
            rejected++;
          } else {
            dx.computeIfAbsent(id, k -> new ArrayList<>(8)).add(canonical.computeIfAbsent(code, Diagnosis::of));
          }
        }
      }
    }
    long tRead = System.nanoTime();
    List<Member> list = new ArrayList<>(byId.values());
    String[] lines = new String[list.size()];
    // scoring is independent per member: all cores
    IntStream.range(0, list.size()).parallel().forEach(i -> {
      Member m = list.get(i);
      List<Diagnosis> mine = dx.getOrDefault(m.id(), List.of());
      String hccs;
      ModelScore s;
      if (model.equals("BLEND")) {
        List<ModelScore> parts = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        for (String name : new java.util.TreeSet<>(scorer.tables().models().keySet())) {
          ModelScore part = scorer.score(name, m, mine);
          parts.add(part);
          if (scorer.tables().weights().get(name) > 0) {
            for (int h : part.hccs()) {
              b.append(b.length() == 0 ? "" : ";").append(name).append(":HCC").append(h);
            }
          }
        }
        s = scorer.blend(parts);
        hccs = b.toString();
      } else {
        s = scorer.score(model, m, mine);
        StringBuilder b = new StringBuilder();
        for (int h : s.hccs()) {
          b.append(b.length() == 0 ? "" : ";").append("HCC").append(h);
        }
        hccs = b.toString();
      }
      lines[i] = CsvLines.quote(m.id()) + "," + (model.equals("BLEND") ? "blend" : model) + "," + fmt(s.raw()) + ","
          + fmt(s.normalized()) + "," + fmt(s.payment()) + "," + hccs + "\n";
    });
    long tScore = System.nanoTime();
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      w.write("member_id,model,raw_score,normalized_score,payment_score,hccs\n");
      for (String l : lines) {
        w.write(l);
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    LOG.info("risk-score phases: read {} s, score {} s, write {} s", String.format("%.1f", (tRead - t0) / 1e9),
        String.format("%.1f", (tScore - tRead) / 1e9), String.format("%.1f", (System.nanoTime() - tScore) / 1e9));
    LOG.info("risk-score: {} members, {} scored, {} diagnosis rows, {} rejected, {} s", memberRows,
        list.size(), dxRows, rejected, String.format("%.1f", secs));
    return new Result(memberRows, list.size(), dxRows, rejected, out, rejects, secs);
  }

  static String fmt(double d) {
    return String.format(Locale.ROOT, "%.3f", d);
  }

  private static Member member(String id, List<String> f, int[] idx, int paymentYear) {
    String sex = field(f, idx[1]).toUpperCase(Locale.ROOT);
    if (!sex.equals("M") && !sex.equals("F")) {
      throw new IllegalArgumentException("bad-sex: sex must be M or F");
    }
    LocalDate birth;
    try {
      birth = LocalDate.parse(field(f, idx[2]));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("bad-birth-date: birth_date must be an ISO date (yyyy-mm-dd)");
    }
    if (birth.isAfter(LocalDate.of(paymentYear, 2, 1))) {
      throw new IllegalArgumentException("bad-birth-date: birth_date after February 1 of the payment year");
    }
    String orec = field(f, idx[3]);
    if (!orec.matches("[0-3]")) {
      throw new IllegalArgumentException("bad-orec: orec must be 0, 1, 2 or 3");
    }
    Member.DualStatus dual;
    try {
      dual = Member.DualStatus.parse(field(f, idx[4]));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad-dual-status: " + e.getMessage());
    }
    return new Member(id, sex.charAt(0), birth, Integer.parseInt(orec), dual, flag(field(f, idx[5]), "institutional"),
        flag(field(f, idx[6]), "new_enrollee"));
  }

  private static boolean flag(String v, String name) {
    return switch (v.toUpperCase(Locale.ROOT)) {
      case "Y" -> true;
      case "N" -> false;
      default -> throw new IllegalArgumentException("bad-flag: " + name + " must be Y or N");
    };
  }

  private static String field(List<String> f, int i) {
    return i < f.size() ? f.get(i).trim() : "";
  }

  private static int[] header(String line, List<String> expected, Path file) {
    if (line == null) {
      throw new IllegalArgumentException(file + " is empty (expected header " + String.join(",", expected) + ")");
    }
    List<String> cols = CsvLines.split(line.replace("\uFEFF", "")).stream()
        .map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
    int[] idx = new int[expected.size()];
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < expected.size(); i++) {
      idx[i] = cols.indexOf(expected.get(i));
      if (idx[i] < 0) {
        missing.add(expected.get(i));
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(file + " lacks columns " + missing + " (expected " + String.join(",", expected) + ")");
    }
    return idx;
  }

  private static void reject(BufferedWriter w, Path file, long line, String id, String value, String reason)
      throws IOException {
    w.write(CsvLines.quote(file.getFileName().toString()) + "," + line + "," + CsvLines.quote(id) + ","
        + CsvLines.quote(value) + "," + CsvLines.quote(reason) + "\n");
  }
}
