package org.pophealth.risk;

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
import java.util.Set;
import java.util.TreeSet;
import org.pophealth.io.CsvLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/pophealth risk-score --model HHS-HCC --benefit-year Y}: scores an analyst's files of ACA individual and
 * small group enrollees with the HHS-HCC model (concurrent: the diagnoses of the benefit year), no Spark.
 * Members: {@code member_id,sex,birth_date,metal_level,enrollment_months}, optionally {@code csr_indicator} (0-13)
 * and {@code enrollment_end} (the last day of enrollment in the benefit year, default December 31: the age of the
 * model is the age on that day); diagnoses: {@code member_id,icd10}; optionally drug files {@code member_id,code}
 * of HCPCS codes ({@link #hcpcs}) and of NDCs ({@link #ndc}, with the CCIIO NDC → RXC crosswalk, which is not
 * packaged). Output: {@code member_id,model,segment,raw_score,csr_adjusted_score,hccs,factors} in the members
 * file's order. Every row that cannot be used is written to the rejects file with the file, line and reason.
 */
public final class ScoreHhsFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreHhsFiles.class);
  static final List<String> MEMBER_COLUMNS = List.of("member_id", "sex", "birth_date", "metal_level", "enrollment_months");
  static final List<String> OPTIONAL_COLUMNS = List.of("csr_indicator", "enrollment_end");
  static final List<String> CODE_COLUMNS = List.of("member_id", "code");
  static final String HEADER = "member_id,model,segment,raw_score,csr_adjusted_score,hccs,factors";

  private final Path members;
  private final Path diagnoses;
  private final int benefitYear;
  private final Path out;
  private Path hcpcs;
  private Path ndc;
  private Path ndcCrosswalk;

  public ScoreHhsFiles(Path members, Path diagnoses, int benefitYear, Path out) {
    this.members = members;
    this.diagnoses = diagnoses;
    this.benefitYear = benefitYear;
    this.out = out;
  }

  /** HCPCS codes of the members' drugs ({@code member_id,code}), mapped to RXCs by the packaged crosswalk; null: none. */
  public ScoreHhsFiles hcpcs(Path file) {
    this.hcpcs = file;
    return this;
  }

  /**
   * NDCs of the members' prescriptions ({@code member_id,code}, 11 digits, dashes ignored) and the NDC → RXC
   * crosswalk of the CCIIO DIY tables for the benefit year ({@code ndc,rxc[,label]}, comma or tab separated, a
   * header line optional), which is not packaged (see measures/risk/hhs-hcc/PROVENANCE.md).
   */
  public ScoreHhsFiles ndc(Path file, Path crosswalk) {
    this.ndc = file;
    this.ndcCrosswalk = crosswalk;
    return this;
  }

  public ScoreRiskFiles.Result execute() throws IOException {
    long t0 = System.nanoTime();
    if (ndc != null && ndcCrosswalk == null) {
      throw new IllegalArgumentException("--ndc needs --ndc-crosswalk FILE: the CCIIO NDC -> RXC table of benefit year "
          + benefitYear + " is not packaged (see measures/risk/hhs-hcc/PROVENANCE.md)");
    }
    ScoreHhsMember scorer = new ScoreHhsMember(HhsTables.forBenefitYear(benefitYear));
    Path rejects = ScoreRiskFiles.rejectsPath(out);
    long rejected = 0;
    Map<String, HhsMember> byId = new LinkedHashMap<>();
    Map<String, List<Diagnosis>> dx = new HashMap<>();
    Map<String, Set<Integer>> rxcs = new HashMap<>();
    long memberRows = 0;
    long dxRows = 0;
    try (BufferedWriter rej = Files.newBufferedWriter(rejects, StandardCharsets.UTF_8)) {
      rej.write("file,line,member_id,value,reason\n");
      MemberFiles.Read read = MemberFiles.members(rej, members, MEMBER_COLUMNS, OPTIONAL_COLUMNS,
          (id, f, idx, opt, keep) -> member(id, f, idx, opt), byId);
      memberRows = read.rows();
      rejected += read.rejected();
      MemberFiles.Read dxRead = MemberFiles.diagnoses(rej, diagnoses, byId, dx);
      dxRows = dxRead.rows();
      rejected += dxRead.rejected();
      if (hcpcs != null) {
        rejected += drugs(rej, hcpcs, byId, rxcs, scorer.tables().rxcHcpcs, ScoreHhsFiles::hcpcsCode, "invalid-hcpcs: "
            + "a HCPCS code is 5 letters or digits");
      }
      if (ndc != null) {
        rejected += drugs(rej, ndc, byId, rxcs, crosswalk(ndcCrosswalk), ScoreHhsFiles::ndcCode,
            "invalid-ndc: an NDC is 11 digits (dashes ignored)");
      }
    }
    String[] lines = new String[byId.size()];
    int i = 0;
    for (HhsMember m : byId.values()) {
      ScoreHhsMember.HhsScore s = scorer.score(m, dx.getOrDefault(m.id(), List.of()), rxcs.getOrDefault(m.id(), Set.of()));
      lines[i++] = row(m, s);
    }
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      w.write(HEADER + "\n");
      for (String l : lines) {
        w.write(l);
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    LOG.info("risk-score HHS-HCC BY{}: {} members, {} scored, {} diagnosis rows, {} rejected, {} s", benefitYear,
        memberRows, lines.length, dxRows, rejected, String.format(Locale.ROOT, "%.1f", secs));
    return new ScoreRiskFiles.Result(memberRows, lines.length, dxRows, rejected, out, rejects, secs, lines.length);
  }

  /** Reads a drug file ({@code member_id,code}) into {@code rxcs}; returns the rows rejected. */
  private static long drugs(BufferedWriter rej, Path file, Map<String, HhsMember> byId, Map<String, Set<Integer>> rxcs,
      Map<String, Integer> crosswalk, java.util.function.UnaryOperator<String> normalize, String invalid)
      throws IOException {
    return MemberFiles.codes(rej, file, CODE_COLUMNS, byId, normalize, invalid, (id, code) -> {
      Integer r = crosswalk.get(code); // a code of no RXC is valid and scores nothing, like a non-HCC diagnosis
      if (r != null) {
        rxcs.computeIfAbsent(id, k -> new TreeSet<>()).add(r);
      }
    }).rejected();
  }

  /** The NDC → RXC crosswalk of a file {@code ndc,rxc[,label]} (comma or tab separated; a header line is skipped). */
  static Map<String, Integer> crosswalk(Path file) throws IOException {
    Map<String, Integer> out = new HashMap<>();
    long line = 0;
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      line++;
      if (l.isBlank()) {
        continue;
      }
      List<String> f = l.indexOf('\t') >= 0 ? List.of(l.split("\t", -1)) : CsvLines.split(l);
      String ndc = f.isEmpty() ? null : ndcCode(f.get(0));
      String rxc = f.size() < 2 ? "" : f.get(1).trim();
      if (ndc == null || !rxc.matches("\\d{1,2}")) {
        if (line == 1) {
          continue; // a header
        }
        throw new IllegalArgumentException(file + " line " + line + ": expected ndc,rxc (11-digit NDC, RXC number)");
      }
      out.put(ndc, Integer.parseInt(rxc));
    }
    return out;
  }

  /** 11 digits, dashes and spaces removed; null when not an NDC. */
  static String ndcCode(String raw) {
    String v = raw.replace("-", "").trim();
    return v.length() == 11 && v.chars().allMatch(Character::isDigit) ? v : null;
  }

  /** 5 letters or digits, upper case; null when not a HCPCS code. */
  static String hcpcsCode(String raw) {
    String v = raw.trim().toUpperCase(Locale.ROOT);
    return v.length() == 5 && v.chars().allMatch(Character::isLetterOrDigit) ? v : null;
  }

  private HhsMember member(String id, List<String> f, int[] idx, int[] opt) {
    String sex = ScoreRiskFiles.field(f, idx[1]).toUpperCase(Locale.ROOT);
    if (!sex.equals("M") && !sex.equals("F")) {
      throw new IllegalArgumentException("bad-sex: sex must be M or F");
    }
    LocalDate birth = date(ScoreRiskFiles.field(f, idx[2]), "bad-birth-date: birth_date must be an ISO date (yyyy-mm-dd)");
    HhsTables.Metal metal;
    try {
      metal = HhsTables.Metal.parse(ScoreRiskFiles.field(f, idx[3]));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad-metal-level: " + e.getMessage());
    }
    String months = ScoreRiskFiles.field(f, idx[4]);
    if (!months.matches("\\d{1,2}") || Integer.parseInt(months) < 1 || Integer.parseInt(months) > 12) {
      throw new IllegalArgumentException("bad-enrollment-months: enrollment_months must be 1 to 12");
    }
    int csr = 0;
    String c = opt[0] < 0 ? "" : ScoreRiskFiles.field(f, opt[0]);
    if (!c.isEmpty()) {
      if (!c.matches("\\d{1,2}") || Integer.parseInt(c) > 13) {
        throw new IllegalArgumentException("bad-csr-indicator: csr_indicator must be 0 to 13 or empty");
      }
      csr = Integer.parseInt(c);
    }
    LocalDate end = LocalDate.of(benefitYear, 12, 31);
    String e = opt[1] < 0 ? "" : ScoreRiskFiles.field(f, opt[1]);
    if (!e.isEmpty()) {
      end = date(e, "bad-enrollment-end: enrollment_end must be an ISO date (yyyy-mm-dd)");
      if (end.getYear() != benefitYear) {
        throw new IllegalArgumentException("bad-enrollment-end: enrollment_end is not in benefit year " + benefitYear);
      }
    }
    if (birth.isAfter(end)) {
      throw new IllegalArgumentException("bad-birth-date: birth_date after the last day of enrollment");
    }
    return new HhsMember(id, sex.charAt(0), birth, metal, Integer.parseInt(months), end, csr);
  }

  private static LocalDate date(String v, String problem) {
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(problem);
    }
  }

  private static String row(HhsMember m, ScoreHhsMember.HhsScore s) {
    List<String> conditions = new ArrayList<>(s.hccs());
    conditions.addAll(s.rxcs());
    StringBuilder factors = new StringBuilder();
    for (Factor f : s.factors()) {
      factors.append(factors.length() == 0 ? "" : ";").append(f.variable()).append('=')
          .append(ScoreRiskFiles.fmt(f.coefficient()));
    }
    return CsvLines.quote(m.id()) + "," + ScoreHhsMember.MODEL + "," + s.segment() + "," + ScoreRiskFiles.fmt(s.raw())
        + "," + ScoreRiskFiles.fmt(s.csrAdjusted()) + "," + String.join(";", conditions) + "," + factors + "\n";
  }
}
