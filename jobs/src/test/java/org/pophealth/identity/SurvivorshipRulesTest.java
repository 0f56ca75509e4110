package org.pophealth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pophealth.reference.ReferenceData;

/** The packaged survivorship rules load with today's defaults, and a broken file is an error naming its line. */
class SurvivorshipRulesTest {
  private static final String HEADER = "field,rule,source_priority,group,description\n";
  /** Every field but ssn, each on its own line (lines 2..11 after the header). */
  private static final String ALL_BUT_SSN = """
      given_name,source_priority,ehr,,d
      family_name,source_priority,ehr,,d
      birth_date,source_priority,ehr,,d
      sex,source_priority,ehr,,d
      street,source_priority,ehr;claims,address,d
      city,source_priority,ehr;claims,address,d
      state,source_priority,ehr;claims,address,d
      postcode,source_priority,ehr;claims,address,d
      phone,most_recent,,,d
      email,longest,claims,,d
      """;

  @TempDir
  Path dir;

  @Test
  void packagedRulesCoverEveryField() {
    SurvivorshipRules rules = SurvivorshipRules.packaged();
    assertEquals(SurvivorshipRules.FIELDS, rules.all().stream().map(SurvivorshipRules.Rule::field).toList());
    for (String f : List.of("given_name", "family_name", "birth_date", "sex", "street")) {
      assertEquals(SurvivorshipRules.SOURCE_PRIORITY, rules.rule(f).rule(), f);
      assertEquals(List.of("ehr"), rules.rule(f).sourcePriority(), f);
    }
    assertEquals(SurvivorshipRules.MOST_RECENT, rules.rule("phone").rule());
    assertEquals(SurvivorshipRules.MOST_RECENT, rules.rule("email").rule());
    assertEquals(SurvivorshipRules.MOST_FREQUENT, rules.rule("ssn").rule());
    assertEquals(List.of("street", "city", "state", "postcode"), rules.groupOf("street"));
    assertEquals("street", rules.rule("postcode").lead());
    assertTrue(rules.rule("street").leads());
    assertEquals(List.of("phone"), rules.groupOf("phone"));
    assertNull(rules.rule("phone").group());
  }

  @Test
  void aFileInAnyOrderParses() throws Exception {
    SurvivorshipRules rules = parse("ssn,most_frequent,,,d\n" + ALL_BUT_SSN);
    assertEquals(SurvivorshipRules.FIELDS, rules.all().stream().map(SurvivorshipRules.Rule::field).toList());
    assertEquals(List.of("ehr", "claims"), rules.rule("city").sourcePriority());
    assertEquals(List.of(), rules.rule("phone").sourcePriority());
    assertEquals(SurvivorshipRules.LONGEST, rules.rule("email").rule());
  }

  @Test
  void brokenRulesAreErrorsNamingTheFileAndLine() throws Exception {
    assertError(ALL_BUT_SSN + "middle_name,longest,,,d\n", "rules.csv line 12: field: \"middle_name\" is not a golden field");
    assertError(ALL_BUT_SSN + "ssn,newest,,,d\n", "rules.csv line 12: rule: \"newest\" is not one of");
    assertError(ALL_BUT_SSN + "ssn,most_frequent,,,d\nphone,longest,,,d\n",
        "rules.csv line 13: field phone is named twice (first on line 10)");
    assertError(ALL_BUT_SSN, "rules.csv line 11: the file ends with no rule for field ssn");
    assertError(ALL_BUT_SSN.replace("phone,most_recent,,,d\n", ""),
        "rules.csv line 10: the file ends with no rule for fields phone, ssn");
    assertError("", "rules.csv: no rule for fields given_name, family_name");
    assertError(ALL_BUT_SSN + "ssn,source_priority,,,d\n", "rules.csv line 12: rule source_priority needs a source_priority");
    assertError(ALL_BUT_SSN.replace("birth_date,source_priority,ehr,,d", "birth_date,longest,ehr,,d") + "ssn,most_frequent,,,d\n",
        "rules.csv line 4: rule longest does not apply to birth_date");
    assertError(ALL_BUT_SSN.replace("state,source_priority,ehr;claims,address", "state,most_recent,ehr;claims,address")
        + "ssn,most_frequent,,,d\n", "rules.csv line 8: field state is in group address, whose record street (line 6) picks");
    assertError(ALL_BUT_SSN + "ssn,most_frequent,ehr;claims;ehr,,d\n", "rules.csv line 12: source_priority names a source twice");
  }

  private SurvivorshipRules parse(String lines) throws Exception {
    Path f = dir.resolve("rules.csv");
    Files.writeString(f, HEADER + lines);
    return SurvivorshipRules.parse(ReferenceData.packaged("identity").withFile("survivorship.csv", f)
        .table("survivorship.csv"));
  }

  private void assertError(String lines, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(lines));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
