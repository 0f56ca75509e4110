package org.pophealth.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.GoldenCase;
import org.pophealth.testing.GoldenJob;

/**
 * {@code risk-score} cases (the file scorer, no Spark): scores {@code input/members.csv} with
 * {@code input/diagnoses.csv} for the options {@code payment_year}, {@code model} and, optionally, {@code esrd} (the
 * ESRD file, a path under the phase folder, e.g. {@code input/members_esrd.csv}); with {@code model: HHS-HCC} the
 * HHS-HCC scorer for the option {@code benefit_year} and, optionally, {@code hcpcs} (a drug file under the phase
 * folder). The expected files are {@code scores.csv} and {@code rejects.csv}, and the rejected count is the rejects
 * file's rows.
 */
public final class ScoreRiskFilesGolden implements GoldenJob {
  @Override
  public Set<String> options() {
    return Set.of("payment_year", "model", "esrd", "benefit_year", "hcpcs");
  }

  @Override
  public boolean spark() {
    return false;
  }

  @Override
  public Outcome run(GoldenCase c, Path phase, Lakehouse lakehouse) throws Exception {
    Path out = Files.createTempDirectory("risk-golden-").resolve("scores.csv");
    ScoreRiskFiles.Result r = ScoreHhsMember.MODEL.equalsIgnoreCase(c.option("model", null))
        ? new ScoreHhsFiles(phase.resolve("input/members.csv"), phase.resolve("input/diagnoses.csv"),
            Integer.parseInt(c.option("benefit_year", null)), out)
            .hcpcs(c.option("hcpcs", null) == null ? null : phase.resolve(c.option("hcpcs", null))).execute()
        : new ScoreRiskFiles(phase.resolve("input/members.csv"), phase.resolve("input/diagnoses.csv"),
            Integer.parseInt(c.option("payment_year", null)), c.option("model", null), out)
            .esrd(c.option("esrd", null) == null ? null : phase.resolve(c.option("esrd", null))).execute();
    Path expectedRejects = phase.resolve("expected/files/rejects.csv");
    if (Files.exists(expectedRejects)) {
      assertEquals(Files.readString(expectedRejects).lines().count() - 1, r.rejected(), c + ": rejected count");
    }
    return new Outcome() {
      @Override
      public Path file(Path relative) {
        return switch (relative.toString()) {
          case "scores.csv" -> out;
          case "rejects.csv" -> r.rejects();
          default -> throw new AssertionError("risk-score writes scores.csv and rejects.csv, not " + relative);
        };
      }
    };
  }
}
