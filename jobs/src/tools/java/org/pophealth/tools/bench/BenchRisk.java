package org.pophealth.tools.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;
import org.pophealth.risk.ScoreRiskFiles;

/**
 * {@code bench risk}: writes a synthetic members file and diagnoses file (seeded), then times the
 * file scorer of {@code risk-score} on them (read, score, write; generation excluded). Diagnosis
 * counts follow a Medicare-like shape: 15% of members with none, the others 1 + geometric (mean about
 * 9 codes), about a third of the codes mapping to a CMS-HCC, one in 10,000 malformed (rejected).
 */
public final class BenchRisk {
  public record Result(long members, long diagnoses, long rejected, double generateSeconds, double scoreSeconds,
      double cpuSeconds) {
    public double membersPerSecond() {
      return members / scoreSeconds;
    }
  }

  private static final String[] COMMON = {"I10", "E785", "Z0000", "M545", "R079", "K219", "J069", "N390", "E669",
    "Z23", "M1990", "R0602", "H2513", "L989", "Z87891", "G4733", "E559", "R5383", "M25561", "Z1231"};

  private final int members;
  private final long seed;
  private final int paymentYear;
  private final String model;

  public BenchRisk(int members, long seed, int paymentYear, String model) {
    this.members = members;
    this.seed = seed;
    this.paymentYear = paymentYear;
    this.model = model;
  }

  public Result execute() throws IOException {
    Path dir = Files.createTempDirectory("pophealth-bench-risk-");
    try {
      long t0 = System.nanoTime();
      long dx = generate(dir, hccCodes());
      double gen = (System.nanoTime() - t0) / 1e9;
      long cpu0 = cpuNanos();
      ScoreRiskFiles.Result r = new ScoreRiskFiles(dir.resolve("members.csv"), dir.resolve("diagnoses.csv"),
          paymentYear, model, dir.resolve("scores.csv")).execute();
      return new Result(r.scored(), dx, r.rejected(), gen, r.seconds(), (cpuNanos() - cpu0) / 1e9);
    } finally {
      try (var s = Files.list(dir)) {
        for (Path p : s.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** CPU time of this JVM, all threads (the machine is shared: wall time alone says little). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The ICD-10 codes that map to a V28 CC (2026 table), in file order. */
  private static List<String> hccCodes() {
    List<String> codes = new ArrayList<>();
    for (ReferenceRow r : ReferenceData.packaged("risk/cms-hcc").table("ra_dx_to_cc_2026.csv").rows()) {
      if (r.text("model_name").equals("CMS-HCC Model V28")) {
        codes.add(r.text("diagnosis_code"));
      }
    }
    return codes;
  }

  private long generate(Path dir, List<String> hcc) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    long dxRows = 0;
    LocalDate feb1 = LocalDate.of(paymentYear, 2, 1);
    try (BufferedWriter m = Files.newBufferedWriter(dir.resolve("members.csv"), StandardCharsets.UTF_8);
        BufferedWriter d = Files.newBufferedWriter(dir.resolve("diagnoses.csv"), StandardCharsets.UTF_8)) {
      m.write("member_id,sex,birth_date,orec,dual_status,institutional,new_enrollee\n");
      d.write("member_id,icd10\n");
      for (int i = 0; i < members; i++) {
        String id = "M" + i;
        boolean disabled = rnd.nextDouble() < 0.15;
        int age = disabled ? 20 + rnd.nextInt(45) : 65 + (int) Math.min(35, -Math.log(1 - rnd.nextDouble()) * 10);
        LocalDate birth = feb1.minusYears(age).minusDays(1 + rnd.nextInt(360));
        double u = rnd.nextDouble();
        String dual = u < 0.12 ? "full" : u < 0.2 ? "partial" : "non";
        int orec = disabled ? 1 : rnd.nextDouble() < 0.2 ? 1 : 0;
        m.write(id + "," + (rnd.nextBoolean() ? "F" : "M") + "," + birth + "," + orec + "," + dual + ","
            + (rnd.nextDouble() < 0.03 ? "Y" : "N") + "," + (rnd.nextDouble() < 0.05 ? "Y" : "N") + "\n");
        if (rnd.nextDouble() < 0.15) {
          continue;
        }
        int n = 1;
        while (rnd.nextDouble() < 0.89 && n < 60) {
          n++;
        }
        for (int k = 0; k < n; k++) {
          String code;
          double v = rnd.nextDouble();
          if (v < 0.0001) {
            code = "BAD" + k;
          } else if (v < 0.35) {
            code = hcc.get(rnd.nextInt(hcc.size()));
          } else {
            code = COMMON[rnd.nextInt(COMMON.length)];
          }
          d.write(id + "," + code + "\n");
          dxRows++;
        }
      }
    }
    return dxRows;
  }
}
