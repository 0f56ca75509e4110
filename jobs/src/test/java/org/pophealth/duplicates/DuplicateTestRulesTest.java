package org.pophealth.duplicates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pophealth.testing.CliRunner;

/** The packaged rules load and say what the issue asks; bad rule files are clear user errors. */
class DuplicateTestRulesTest {
  @Test
  void packagedRulesHaveTheIssuesFamiliesAndWindows() {
    DuplicateTestRules r = DuplicateTestRules.packaged();
    assertEquals(List.of("hba1c", "lipid_panel", "tsh", "vitamin_d", "dxa", "ct_head", "mri_brain", "ct_chest",
        "ct_abdomen_pelvis", "mri_lumbar"), r.families().stream().map(DuplicateTestRules.Family::family).toList());
    assertEquals(90, family(r, "hba1c").windowDays());
    assertEquals(28, family(r, "lipid_panel").windowDays());
    assertEquals(365, family(r, "lipid_panel").lowValueDays());
    assertEquals(42, family(r, "tsh").windowDays());
    assertEquals(730, family(r, "dxa").windowDays());
    assertEquals("trauma_cancer", family(r, "ct_head").dxExclusion());
    assertEquals(List.of("91", "76", "77"), family(r, "hba1c").intentionalModifiers());
    assertEquals(List.of("21", "23"), family(r, "hba1c").excludePos());
    // CPT range 70450-70470 expanded to the codes that exist; both CPT URIs
    assertEquals(List.of("70450", "70460", "70470"), r.codes().stream()
        .filter(c -> c.family().equals("ct_head") && c.systemUri().equals("http://www.ama-assn.org/go/cpt"))
        .map(DuplicateTestRules.Code::code).toList());
    assertTrue(r.codes().stream().anyMatch(c -> c.code().equals("83036") && c.systemUri().equals("urn:oid:2.16.840.1.113883.6.12")));
    assertTrue(r.codes().stream().anyMatch(c -> c.code().equals("4548-4") && c.family().equals("hba1c")));
  }

  @Test
  void badRuleFilesNameFileAndLine(@TempDir Path dir) throws Exception {
    for (String f : List.of("rules.csv", "codes.csv", "code_systems.csv", "exclusions.csv")) {
      Files.writeString(dir.resolve(f), new String(getClass().getClassLoader()
          .getResourceAsStream("measures/duplicate-tests/" + f).readAllBytes()));
    }
    Files.writeString(dir.resolve("codes.csv"), "family,system,code,display\nhba1c,loinc,4548-4,x\nbogus,loinc,1-1,y\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DuplicateTestRules.load(dir.toString()));
    assertTrue(e.getMessage().contains("codes.csv line 3") && e.getMessage().contains("bogus"), e.getMessage());

    Files.writeString(dir.resolve("codes.csv"), "family,system,code,display\nhba1c,loinc,4548-4,x\n");
    e = assertThrows(IllegalArgumentException.class, () -> DuplicateTestRules.load(dir.toString()));
    assertTrue(e.getMessage().contains("has no code"), e.getMessage());

    Files.writeString(dir.resolve("rules.csv"), Files.readString(dir.resolve("rules.csv")).replace("hba1c,HbA1c,90,", "hba1c,HbA1c,ninety,"));
    e = assertThrows(IllegalArgumentException.class, () -> DuplicateTestRules.load(dir.toString()));
    assertTrue(e.getMessage().contains("rules.csv line") && e.getMessage().contains("window_days"), e.getMessage());
  }

  @Test
  void cliReportsAMissingRulesDirectoryAsAUserError(@TempDir Path dir) {
    // its own lakehouse: the failed attempt is recorded there (ops.job_attempt), not in a ./lakehouse of the build
    CliRunner.Result r = CliRunner.run("--lakehouse", dir.resolve("lh").toString(), "detect-duplicate-tests",
        "--rules", "/nonexistent/rules");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().startsWith("error: duplicate-test rules directory not found"), r.err());
  }

  private static DuplicateTestRules.Family family(DuplicateTestRules r, String name) {
    return r.families().stream().filter(f -> f.family().equals(name)).findFirst().orElseThrow();
  }
}
