package org.pophealth.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pophealth.testing.GoldenCases;

/**
 * Runs every case under {@code src/test/resources/risk/<case>/}: scores {@code members.csv} with
 * {@code diagnoses.csv} (payment year and model from {@code args.properties}) through the file scorer
 * of {@code bin/pophealth risk-score}, and compares the output and the rejects file with
 * {@code expected.csv} and {@code expected.rejects.csv}, computed by hand (see each case's README).
 */
class GoldenRiskScoreTest {
  static Stream<String> cases() {
    return GoldenCases.names("risk");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void goldenCase(String name) throws Exception {
    Path dir = GoldenCases.dir("risk/" + name);
    Properties args = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve("args.properties"))) {
      args.load(in);
    }
    Path out = Files.createTempDirectory("risk-golden-").resolve("scores.csv");
    ScoreRiskFiles.Result r = new ScoreRiskFiles(dir.resolve("members.csv"), dir.resolve("diagnoses.csv"),
        Integer.parseInt(args.getProperty("payment_year")), args.getProperty("model"), out).execute();
    assertEquals(Files.readString(dir.resolve("expected.csv")), Files.readString(out), name + ": scores");
    String expectedRejects = Files.readString(dir.resolve("expected.rejects.csv"));
    assertEquals(expectedRejects, Files.readString(r.rejects()), name + ": rejects");
    assertEquals(expectedRejects.lines().count() - 1, r.rejected(), name + ": rejected count");
  }
}
