package org.pophealth.ingest.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pophealth.reference.ReferenceData;

/** The packaged adjustment rules load, and a broken rules file is an error naming its line. */
class AdjustmentRulesTest {
  private static final String HEADER = "rule,kind,pattern,same_claim,confidence,description\n";

  @TempDir
  Path dir;

  @Test
  void packagedRulesLoadInFileOrder() {
    List<InferClaimFamilies.Rule> rules = InferClaimFamilies.packagedRules();
    assertEquals(List.of("suffix-dash-number", "suffix-letter", "suffix-appended-digit", "mirror-reversal",
        "natural-key-after-reversal", "natural-key-after-denial", "final-after-partial"), rules.stream().map(InferClaimFamilies.Rule::name)
        .toList());
    assertTrue(rules.stream().allMatch(r -> r.confidence() > 0 && r.confidence() <= 1));
    assertTrue(rules.get(2).sameClaim());
    assertEquals("T77", "T77-01".replaceAll(rules.get(0).pattern(), "$1"));
    assertEquals("123", "123R".replaceAll(rules.get(1).pattern(), "$1"));
    assertEquals("A1234", "A12341".replaceAll(rules.get(2).pattern(), "$1"));
  }

  @Test
  void brokenRulesAreErrorsNamingTheLine() throws Exception {
    assertError("x,suffix,\"^(.+)-[0-9]$\",false,1.5,d\n", "line 2: confidence must be > 0 and <= 1");
    assertError("x,prefix,,,0.5,d\n", "line 2: kind: \"prefix\" is not one of");
    assertError("x,suffix,\"^.+-[0-9]$\",false,0.5,d\n", "needs a group");
    assertError("x,suffix,\"^(.+-[0-9]$\",false,0.5,d\n", "line 2: pattern:");
    assertError("x,mirror,,,0.5,d\ny,mirror,,,0.6,d\n", "line 3: kind mirror has a rule already");
    assertError("x,mirror,,,0.5,d\nx,after_denial,,,0.6,d\n", "line 3: rule x is named twice");
  }

  private void assertError(String lines, String message) throws Exception {
    Path f = dir.resolve("rules.csv");
    Files.writeString(f, HEADER + lines);
    ReferenceData d = ReferenceData.packaged("claims").withFile("adjustment_rules.csv", f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> InferClaimFamilies.parse(d.table("adjustment_rules.csv").rows()));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
