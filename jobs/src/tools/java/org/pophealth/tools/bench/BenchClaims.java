package org.pophealth.tools.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Random;
import org.pophealth.ingest.claims.ClaimsIngestResult;
import org.pophealth.ingest.claims.IngestClaims;
import org.pophealth.lakehouse.Lakehouse;

/**
 * {@code bench claims}: a seeded synthetic claims delivery (medical lines with 3 diagnoses, CPT,
 * NPIs and amounts; one eligibility span per member; a small share of replacements) ingested end to
 * end into a scratch lakehouse; claim lines per second.
 */
public final class BenchClaims {
  private final Lakehouse scratch;
  private final Path dir;
  private final int lines;

  public BenchClaims(Lakehouse scratch, Path dir, int lines) {
    this.scratch = scratch;
    this.dir = dir;
    this.lines = lines;
  }

  public record Result(int lines, long bytes, double generateSeconds, ClaimsIngestResult ingest) {
    public double linesPerSecond() {
      return lines / ingest.seconds();
    }
  }

  public Result execute() throws IOException {
    long t0 = System.nanoTime();
    long bytes = generate();
    double gen = (System.nanoTime() - t0) / 1e9;
    ClaimsIngestResult r = new IngestClaims(scratch, "bench", dir.toString()).execute();
    return new Result(lines, bytes, gen, r);
  }

  private long generate() throws IOException {
    Files.createDirectories(dir);
    Random rnd = new Random(7);
    String[] cpt = {"99213", "99214", "80053", "85027", "83036", "80061", "93000", "71046", "G0438", "36415"};
    String[] dx = {"E119", "I10", "E785", "J069", "M1711", "Z0000", "R0789", "N183"};
    String[] npi = {"1234567893", "1245319599", "9999951590"};
    int members = Math.max(1, lines / 40);
    Path med = dir.resolve("medical_claim.csv");
    try (BufferedWriter w = Files.newBufferedWriter(med, StandardCharsets.UTF_8)) {
      w.write("claim_id,claim_line_number,claim_type,member_id,payer,plan,claim_start_date,claim_end_date,"
          + "paid_date,place_of_service_code,hcpcs_code,diagnosis_code_1,diagnosis_code_2,diagnosis_code_3,"
          + "rendering_npi,billing_npi,paid_amount,allowed_amount,charge_amount,original_claim_id,adjustment_type,"
          + "adjustment_sequence\n");
      int claim = 0;
      int written = 0;
      while (written < lines) {
        claim++;
        int n = 1 + rnd.nextInt(4);
        String member = "M" + rnd.nextInt(members);
        LocalDate d = LocalDate.of(2024, 1, 1).plusDays(rnd.nextInt(700));
        boolean replacement = rnd.nextInt(50) == 0 && claim > 1;
        for (int l = 1; l <= n && written < lines; l++, written++) {
          double paid = 20 + rnd.nextInt(400);
          w.write((replacement ? "A" + (claim - 1) : "C" + claim) + "," + l + ",professional," + member
              + ",Bench,Gold," + d + "," + d + "," + d.plusDays(14) + ",11," + cpt[rnd.nextInt(cpt.length)] + ","
              + dx[rnd.nextInt(dx.length)] + "," + dx[rnd.nextInt(dx.length)] + "," + dx[rnd.nextInt(dx.length)] + ","
              + npi[rnd.nextInt(npi.length)] + "," + npi[rnd.nextInt(npi.length)] + ","
              + String.format("%.2f,%.2f,%.2f", paid, paid * 1.1, paid * 1.8)
              + (replacement ? ",C" + (claim - 1) + ",adjustment,1\n" : ",,,\n"));
        }
      }
    }
    try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("eligibility.csv"), StandardCharsets.UTF_8)) {
      w.write("member_id,gender,birth_date,enrollment_start_date,enrollment_end_date,payer,plan\n");
      for (int m = 0; m < members; m++) {
        w.write("M" + m + "," + (m % 2 == 0 ? "F" : "M") + ",19" + (40 + m % 60) + "-01-15,2024-01-01,,Bench,Gold\n");
      }
    }
    return Files.size(med);
  }
}
