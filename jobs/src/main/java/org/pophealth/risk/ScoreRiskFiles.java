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
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.pophealth.io.CsvLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/pophealth risk-score}: scores an analyst's members file with its diagnoses file, no Spark.
 * Members: {@code member_id,sex,birth_date,orec,dual_status,institutional,new_enrollee}, optionally
 * {@code esrd_status,crec,graft_months} and {@code csnp} (Y: a C-SNP member, whose new enrollee segment is SNPNE);
 * ESRD status may instead come from a separate file {@code member_id,esrd_status,crec[,graft_months]}
 * ({@link #esrd(Path)}). {@code esrd_status}: dialysis, transplant (with {@code graft_months} 1-3) or graft (with
 * {@code graft_months} 4 or more), {@code graft_months} counting the scored month from the kidney transplant, the
 * transplant month being month 1. Diagnoses: {@code member_id,icd10}. Output:
 * {@code member_id,model,segment,raw_score,normalized_score,payment_score,hccs} in the members file's order, one row
 * per member and model scored (an ESRD model only for the members of its ESRD status: ESRD-V24 dialysis,
 * ESRD-V24-TRANSPLANT transplant months, ESRD-V24-GRAFT functioning graft). Every row that cannot be used (bad
 * field, invalid ICD-10-CM code, unknown member, a bad ESRD status or graft_months) is written to the rejects file
 * with the file, line and reason, and counted.
 */
public final class ScoreRiskFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreRiskFiles.class);
  static final List<String> MEMBER_COLUMNS =
      List.of("member_id", "sex", "birth_date", "orec", "dual_status", "institutional", "new_enrollee");
  /** Optional column of the members file: Y for a member of a chronic-condition special needs plan (C-SNP). */
  static final String CSNP_COLUMN = "csnp";
  /** The optional columns of the members file, in this order. */
  static final List<String> OPTIONAL_COLUMNS = List.of("esrd_status", "crec", CSNP_COLUMN, "graft_months");
  static final List<String> DX_COLUMNS = List.of("member_id", "icd10");
  static final String HEADER = "member_id,model,segment,raw_score,normalized_score,payment_score,hccs";
  /** The {@code --model} values: one model, the payment year's blend, or every model of the year. */
  static final String ALL = "ALL";

  /**
   * @param members member rows read; {@code scored} members with at least one output row; {@code rows} output rows
   */
  public record Result(long members, long scored, long diagnoses, long rejected, Path out, Path rejects, double seconds,
      long rows) {}

  private final Path members;
  private final Path diagnoses;
  private final int paymentYear;
  private final String model;
  private final Path out;
  private Path esrd;

  /** {@code model}: V24, V28, ESRD-V24, ESRD-V24-TRANSPLANT, ESRD-V24-GRAFT, blend or all (any case). */
  public ScoreRiskFiles(Path members, Path diagnoses, int paymentYear, String model, Path out) {
    this.members = members;
    this.diagnoses = diagnoses;
    this.paymentYear = paymentYear;
    String m = model.toUpperCase(Locale.ROOT);
    if (!m.matches("V\\d+|ESRD-[A-Z0-9-]+") && !List.of(ScoreMember.BLEND, ALL).contains(m)) {
      throw new IllegalArgumentException("--model must be V24, V28, ESRD-V24, ESRD-V24-TRANSPLANT, ESRD-V24-GRAFT,"
          + " blend or all, not '" + model + "'");
    }
    this.model = m;
    this.out = out;
  }

  /** The members' ESRD status from {@code file} ({@code member_id,esrd_status,crec}); null: none. */
  public ScoreRiskFiles esrd(Path file) {
    this.esrd = file;
    return this;
  }

  /** The rejects file written beside {@code out}: {@code <out>.rejects.csv}. */
  public static Path rejectsPath(Path out) {
    return out.resolveSibling(out.getFileName() + ".rejects.csv");
  }

  public Result execute() throws IOException {
    long t0 = System.nanoTime();
    ScoreMember scorer = new ScoreMember(RiskReference.forPaymentYear(paymentYear));
    PaymentYearTables tables = scorer.tables();
    List<String> esrdModels = new ArrayList<>(new TreeSet<>(tables.esrdModels().keySet()));
    if (!model.equals(ScoreMember.BLEND) && !model.equals(ALL)) {
      tables.model(model); // a model the payment year does not configure: IllegalArgumentException naming them
    }
    Path rejects = rejectsPath(out);
    long rejected = 0;
    Map<String, Member> byId = new LinkedHashMap<>();
    Map<String, List<Diagnosis>> dx = new HashMap<>();
    long dxRows = 0;
    long memberRows = 0;
    boolean esrdKnown = esrd != null;
    try (BufferedWriter rej = Files.newBufferedWriter(rejects, StandardCharsets.UTF_8)) {
      rej.write("file,line,member_id,value,reason\n");
      MemberFiles.Read read = MemberFiles.members(rej, members, MEMBER_COLUMNS, OPTIONAL_COLUMNS, this::member, byId);
      memberRows = read.rows();
      rejected += read.rejected();
      esrdKnown |= read.optional()[0] >= 0;
      if (esrd != null) {
        rejected += readEsrd(rej, byId);
      }
      MemberFiles.Read dxRead = MemberFiles.diagnoses(rej, diagnoses, byId, dx);
      dxRows = dxRead.rows();
      rejected += dxRead.rejected();
    }
    if (esrdModels.contains(model) && !esrdKnown) {
      throw new IllegalArgumentException("--model " + model + " scores members in an ESRD status: give their status"
          + " with --esrd FILE (member_id,esrd_status,crec,graft_months) or esrd_status,crec,graft_months columns in"
          + " the members file");
    }
    long tRead = System.nanoTime();
    List<Member> list = new ArrayList<>(byId.values());
    String[] lines = new String[list.size()];
    List<String> cmsModels = new ArrayList<>(new TreeSet<>(tables.models().keySet()));
    // scoring is independent per member: all cores
    IntStream.range(0, list.size()).parallel().forEach(i -> {
      Member m = list.get(i);
      List<Diagnosis> mine = dx.getOrDefault(m.id(), List.of());
      String esrdModel = scorer.esrdModel(m);
      StringBuilder b = new StringBuilder();
      if (model.equals(ALL) || model.equals(ScoreMember.BLEND)) {
        List<ModelScore> parts = new ArrayList<>();
        for (String name : cmsModels) {
          ModelScore part = scorer.score(name, m, mine);
          parts.add(part);
          if (model.equals(ALL)) {
            row(b, m, name, part, hccs(part, null));
          }
        }
        if (model.equals(ALL) && esrdModel != null) {
          ModelScore s = scorer.score(esrdModel, m, mine);
          row(b, m, esrdModel, s, hccs(s, null));
        }
        StringBuilder blendHccs = new StringBuilder();
        for (ModelScore part : parts) {
          if (tables.weights().get(part.model()) > 0) {
            blendHccs.append(blendHccs.length() == 0 || part.hccs().isEmpty() ? "" : ";").append(hccs(part, part.model()));
          }
        }
        row(b, m, "blend", scorer.blend(parts), blendHccs.toString());
      } else if (!esrdModels.contains(model) || model.equals(esrdModel)) {
        ModelScore s = scorer.score(model, m, mine);
        row(b, m, model, s, hccs(s, null));
      }
      lines[i] = b.toString();
    });
    long tScore = System.nanoTime();
    long rows = 0;
    long scored = 0;
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      w.write(HEADER + "\n");
      for (String l : lines) {
        if (!l.isEmpty()) {
          scored++;
          rows += l.chars().filter(c -> c == '\n').count();
          w.write(l);
        }
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    LOG.info("risk-score phases: read {} s, score {} s, write {} s", String.format("%.1f", (tRead - t0) / 1e9),
        String.format("%.1f", (tScore - tRead) / 1e9), String.format("%.1f", (System.nanoTime() - tScore) / 1e9));
    LOG.info("risk-score: {} members, {} scored, {} rows, {} diagnosis rows, {} rejected, {} s", memberRows,
        scored, rows, dxRows, rejected, String.format("%.1f", secs));
    return new Result(memberRows, scored, dxRows, rejected, out, rejects, secs, rows);
  }

  /** Reads the ESRD file into {@code byId}; returns the rows rejected. */
  private long readEsrd(BufferedWriter rej, Map<String, Member> byId) throws IOException {
    long rejected = 0;
    java.util.Set<String> seen = new java.util.HashSet<>();
    try (BufferedReader in = Files.newBufferedReader(esrd, StandardCharsets.UTF_8)) {
      String head = in.readLine();
      int[] idx = header(head, List.of("member_id", "esrd_status"), esrd);
      int[] opt = optional(head, List.of("crec", "graft_months"));
      long line = 1;
      for (String l = in.readLine(); l != null; l = in.readLine()) {
        line++;
        if (l.isBlank()) {
          continue;
        }
        List<String> f = CsvLines.split(l);
        String id = field(f, idx[0]);
        Member m = byId.get(id);
        String problem = null;
        if (m == null) {
          problem = "unknown-member: member_id not in the members file (or rejected there)";
        } else if (!seen.add(id)) {
          problem = "duplicate member_id";
        } else if (m.esrd() != Member.EsrdStatus.NONE) {
          problem = "duplicate-esrd-status: the members file already gives this member's esrd_status";
        } else {
          try {
            byId.put(id, withEsrd(m, field(f, idx[1]), opt[0] < 0 ? "" : field(f, opt[0]),
                opt[1] < 0 ? "" : field(f, opt[1])));
          } catch (IllegalArgumentException e) {
            problem = e.getMessage();
          }
        }
        if (problem != null) {
          reject(rej, esrd, line, id, l, problem);
          rejected++;
        }
      }
    }
    return rejected;
  }

  /**
   * {@code m} with the ESRD status, crec and months since the transplant of a row; IllegalArgumentException (a
   * reject reason) for a bad value: transplant needs graft_months 1-3, graft 4 or more, other statuses none.
   */
  private static Member withEsrd(Member m, String status, String crec, String graftMonths) {
    Member.EsrdStatus s;
    try {
      s = Member.EsrdStatus.parse(status);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad-esrd-status: " + e.getMessage());
    }
    Integer current = null;
    if (!crec.isEmpty()) {
      if (!crec.matches("[0-3]")) {
        throw new IllegalArgumentException("bad-crec: crec must be 0, 1, 2, 3 or empty");
      }
      current = Integer.parseInt(crec);
    }
    boolean afterTransplant = s == Member.EsrdStatus.GRAFT || s == Member.EsrdStatus.TRANSPLANT;
    if (!afterTransplant) {
      if (!graftMonths.isEmpty()) {
        throw new IllegalArgumentException("bad-graft-months: graft_months goes with esrd_status transplant or graft"
            + " only; the member is scored with the CMS-HCC models only");
      }
      return s == Member.EsrdStatus.NONE ? m : m.withEsrd(s, current);
    }
    if (!graftMonths.matches("[1-9][0-9]{0,3}")) {
      throw new IllegalArgumentException("bad-graft-months: esrd_status " + status.trim().toLowerCase(Locale.ROOT)
          + " needs graft_months, the month scored counted from the kidney transplant (transplant month = 1);"
          + " the member is scored with the CMS-HCC models only");
    }
    int months = Integer.parseInt(graftMonths);
    boolean transplantMonth = months <= Member.TRANSPLANT_MONTHS;
    if (transplantMonth != (s == Member.EsrdStatus.TRANSPLANT)) {
      throw new IllegalArgumentException("bad-graft-months: esrd_status transplant covers graft_months 1-"
          + Member.TRANSPLANT_MONTHS + ", graft " + (Member.TRANSPLANT_MONTHS + 1) + " and more, not " + months
          + " for " + status.trim().toLowerCase(Locale.ROOT) + "; the member is scored with the CMS-HCC models only");
    }
    return m.afterTransplant(months, current);
  }

  private static void row(StringBuilder b, Member m, String model, ModelScore s, String hccs) {
    b.append(CsvLines.quote(m.id())).append(',').append(model.equals(ScoreMember.BLEND) ? "blend" : model).append(',')
        .append(s.segment()).append(',').append(fmt(s.raw())).append(',').append(fmt(s.normalized())).append(',')
        .append(fmt(s.payment())).append(',').append(hccs).append('\n');
  }

  /** {@code HCC37;HCC226}, or with {@code prefix}: {@code V28:HCC37;V28:HCC226}. */
  private static String hccs(ModelScore s, String prefix) {
    StringBuilder b = new StringBuilder();
    for (int h : s.hccs()) {
      b.append(b.length() == 0 ? "" : ";").append(prefix == null ? "" : prefix + ":").append("HCC").append(h);
    }
    return b.toString();
  }

  static String fmt(double d) {
    return String.format(Locale.ROOT, "%.3f", d);
  }

  /**
   * One members row ({@link MemberFiles.RowParser}): demographics and the C-SNP flag reject the row when bad; the
   * ESRD columns ({@code opt} 0, 1) are applied when usable, else the member is kept without an ESRD status (CMS-HCC
   * models only) and the row is also rejected with the reason.
   */
  private Member member(String id, List<String> f, int[] idx, int[] opt, java.util.function.Consumer<String> keep) {
    Member m = member(id, f, idx, paymentYear);
    if (opt[2] >= 0 && !field(f, opt[2]).isEmpty()) {
      m = m.withCsnp(flag(field(f, opt[2]), CSNP_COLUMN));
    }
    if (opt[0] >= 0) {
      try {
        m = withEsrd(m, field(f, opt[0]), opt[1] < 0 ? "" : field(f, opt[1]), opt[3] < 0 ? "" : field(f, opt[3]));
      } catch (IllegalArgumentException e) {
        keep.accept(e.getMessage());
      }
    }
    return m;
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

  static String field(List<String> f, int i) {
    return i < f.size() ? f.get(i).trim() : "";
  }

  private static List<String> columns(String line) {
    return CsvLines.split(line.replace("\uFEFF", "")).stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
  }

  static int[] header(String line, List<String> expected, Path file) {
    if (line == null) {
      throw new IllegalArgumentException(file + " is empty (expected header " + String.join(",", expected) + ")");
    }
    List<String> cols = columns(line);
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

  /** Index of each of {@code names} in the header line, -1 where absent. */
  static int[] optional(String line, List<String> names) {
    List<String> cols = line == null ? List.of() : columns(line);
    return names.stream().mapToInt(cols::indexOf).toArray();
  }

  static void reject(BufferedWriter w, Path file, long line, String id, String value, String reason)
      throws IOException {
    w.write(CsvLines.quote(file.getFileName().toString()) + "," + line + "," + CsvLines.quote(id) + ","
        + CsvLines.quote(value) + "," + CsvLines.quote(reason) + "\n");
  }
}
