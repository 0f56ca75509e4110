package org.pophealth.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pophealth.io.CsvLines;
import org.pophealth.testing.TestResources;

/**
 * The file scorer (the code path of {@code bin/pophealth risk-score}) on the hcc-reference set
 * ({@code src/test/resources/risk/hcc-reference/}, a copy of ../shared/benchmarks/hcc-reference, see its
 * PROVENANCE.md): 1,000 synthetic members, PY2026, scored with {@code --model all} and the ESRD file. Every row of
 * {@code expected.csv} with a {@code raw_score} (the reference of hccpy and hccinfhir, never our output) must be
 * matched within 0.001 by our raw score, per model; a difference names the member, both scores and the expected
 * factors. Plain JUnit, no Spark.
 */
class HccReferenceTest {
  private static final double TOLERANCE = 0.001;
  @TempDir static Path tmp;
  private static Path dir;
  /** (member_id, model) → our output row (column → value). */
  private static Map<String, Map<String, String>> ours;
  private static Map<String, Map<String, String>> expected;
  private static ScoreRiskFiles.Result result;

  @BeforeAll
  static void score() throws IOException {
    dir = TestResources.dir("risk/hcc-reference");
    Path out = tmp.resolve("ours.csv");
    result = new ScoreRiskFiles(dir.resolve("members.csv"), dir.resolve("diagnoses.csv"), 2026, "all", out)
        .esrd(dir.resolve("members_esrd.csv")).execute();
    ours = read(out);
    expected = read(dir.resolve("expected.csv"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"V24, 997", "V28, 997", "ESRD-V24, 47"})
  void everyReferenceScoreIsMatched(String model, int referenceRows) {
    int compared = 0;
    int equal = 0;
    int hccsEqual = 0;
    List<String> differences = new ArrayList<>();
    List<String> hccsDiffer = new ArrayList<>();
    for (Map<String, String> e : expected.values()) {
      if (!e.get("model").equals(model) || e.get("raw_score").isEmpty()) {
        continue;
      }
      compared++;
      String id = e.get("member_id");
      Map<String, String> o = ours.get(id + "|" + model);
      if (o == null) {
        differences.add(id + ": no " + model + " row of ours; expected " + e.get("raw_score") + " (" + e.get("segment")
            + "), factors " + e.get("factors"));
        continue;
      }
      double want = Double.parseDouble(e.get("raw_score"));
      double got = Double.parseDouble(o.get("raw_score"));
      if (Math.abs(got - want) <= TOLERANCE + 1e-9) {
        equal++;
      } else {
        differences.add(String.format(Locale.ROOT, "%s: ours %.3f (%s, %s), expected %.3f (%s, %s), expected factors %s",
            id, got, o.get("segment"), o.get("hccs"), want, e.get("segment"), e.get("hccs"), e.get("factors")));
      }
      if (o.get("hccs").equals(e.get("hccs"))) {
        hccsEqual++;
      } else {
        hccsDiffer.add(id + " ours [" + o.get("hccs") + "] expected [" + e.get("hccs") + "]");
      }
    }
    System.out.printf("hcc-reference %s: %d/%d members equal (hccs lists equal for %d)%n", model, equal, compared,
        hccsEqual);
    hccsDiffer.forEach(d -> System.out.println("  hccs differ (information, not compared): " + d));
    assertEquals(referenceRows, compared, model + ": rows of expected.csv with a reference");
    assertTrue(differences.isEmpty(), model + ": " + equal + "/" + compared + " members equal; "
        + differences.size() + " differ:\n" + String.join("\n", differences));
  }

  @Test
  void everyMemberIsScoredAndNothingRejected() throws IOException {
    assertEquals(1000, result.members());
    assertEquals(1000, result.scored());
    // V24, V28 and the blend for everyone, ESRD-V24 for the 55 members in dialysis status
    assertEquals(3 * 1000 + 55, result.rows());
    assertEquals(0, result.rejected(), Files.readString(result.rejects()));
    long esrdRows = ours.keySet().stream().filter(k -> k.endsWith("|ESRD-V24")).count();
    assertEquals(55, esrdRows);
  }

  @Test
  void esrdModelAloneGivesTheSameRows(@TempDir Path own) throws IOException {
    Path out = own.resolve("esrd.csv");
    ScoreRiskFiles.Result r = new ScoreRiskFiles(dir.resolve("members.csv"), dir.resolve("diagnoses.csv"), 2026,
        "ESRD-V24", out).esrd(dir.resolve("members_esrd.csv")).execute();
    assertEquals(55, r.scored());
    Map<String, Map<String, String>> alone = read(out);
    assertEquals(55, alone.size());
    alone.forEach((k, row) -> assertEquals(ours.get(k), row, k));
  }

  @Test
  void esrdColumnsInTheMembersFileGiveTheSameRows(@TempDir Path own) throws IOException {
    // the members file with esrd_status,crec appended (empty for members not in ESRD status), no --esrd
    Map<String, String> esrd = new HashMap<>();
    for (String l : Files.readAllLines(dir.resolve("members_esrd.csv")).subList(1, 56)) {
      esrd.put(l.substring(0, l.indexOf(',')), l.substring(l.indexOf(',') + 1));
    }
    List<String> lines = new ArrayList<>();
    List<String> members = Files.readAllLines(dir.resolve("members.csv"));
    lines.add(members.get(0) + ",esrd_status,crec");
    for (String l : members.subList(1, members.size())) {
      lines.add(l + "," + esrd.getOrDefault(l.substring(0, l.indexOf(',')), ","));
    }
    Path file = Files.write(own.resolve("members.csv"), lines);
    Path out = own.resolve("esrd.csv");
    ScoreRiskFiles.Result r = new ScoreRiskFiles(file, dir.resolve("diagnoses.csv"), 2026, "esrd-v24", out).execute();
    assertEquals(0, r.rejected());
    Map<String, Map<String, String>> rows = read(out);
    assertEquals(55, rows.size());
    rows.forEach((k, row) -> assertEquals(ours.get(k), row, k));
  }

  @Test
  void esrdModelNeedsTheEsrdStatus(@TempDir Path own) {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new ScoreRiskFiles(dir.resolve("members.csv"), dir.resolve("diagnoses.csv"), 2026, "ESRD-V24",
            own.resolve("x.csv")).execute());
    assertTrue(e.getMessage().contains("--esrd"), e.getMessage());
  }

  /** A CSV file as (member_id|model) → row, in file order. */
  private static Map<String, Map<String, String>> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    List<String> header = CsvLines.split(lines.get(0));
    Map<String, Map<String, String>> rows = new LinkedHashMap<>();
    for (String l : lines.subList(1, lines.size())) {
      if (l.isBlank()) {
        continue;
      }
      List<String> f = CsvLines.split(l);
      Map<String, String> row = new HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        row.put(header.get(i), i < f.size() ? f.get(i) : "");
      }
      rows.put(row.get("member_id") + "|" + row.get("model"), row);
    }
    return rows;
  }
}
