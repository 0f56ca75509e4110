package org.pophealth.ingest.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged data-quality tests load (every kind, a complete and an incomplete code set), the row tests report
 * error / warning / unverified as ValidateClaimRow findings, and a broken tests file is an error naming its line.
 */
class ClaimQualityTestsTest {
  private static final String HEADER = "test,table,columns,kind,severity,code_set,values,min,max,description\n";

  @TempDir
  Path dir;

  @Test
  void packagedTestsLoadWithEveryKind() {
    List<ClaimQualityTests.Test> tests = ClaimQualityTests.packaged().tests();
    assertEquals(List.copyOf(new java.util.TreeSet<>(ClaimQualityTests.KINDS)),
        tests.stream().map(ClaimQualityTests.Test::kind).distinct().sorted().toList());
    ClaimQualityTests.Test pos = tests.stream().filter(t -> t.name().equals("place-of-service-unknown")).findFirst()
        .orElseThrow();
    assertTrue(pos.complete());
    assertTrue(pos.codes().contains("11") && pos.codes().contains("99") && !pos.codes().contains("29"));
  }

  @Test
  void rowTestsReportErrorWarningAndUnverified() throws Exception {
    Files.writeString(dir.resolve("tests.csv"), HEADER
        + "pos,medical_claim,place_of_service_code,accepted_values,error,place_of_service,,,,d\n"
        + "dx,medical_claim,diagnosis_code_*,accepted_values,error,icd-10-cm-hcc,,,,d\n"
        + "payer,medical_claim,payer,not_null,warn,,,,,d\n"
        + "units,medical_claim,service_unit_quantity,plausible_range,warn,,,0,100,d\n"
        + "type,medical_claim,claim_type,accepted_values,warn,,professional;dme,,,d\n");
    ValidationRules rules = new ValidationRules(Map.of(), null, ClaimQualityTests.load(dir.toString()));
    ValidateClaimRow v = new ValidateClaimRow(ClaimTable.MEDICAL, "test", rules);

    Row ok = v.validate(record(Map.of("place_of_service_code", "11", "diagnosis_code_1", "E11.9", "payer", "Acme",
        "service_unit_quantity", "2")));
    assertEquals(ValidatedRows.LOADED, meta(ok, "status"));
    assertEquals(List.of(), findings(ok));

    Row warned = v.validate(record(Map.of("place_of_service_code", "11", "diagnosis_code_1", "Z99.999",
        "diagnosis_code_2", "I10", "service_unit_quantity", "500", "claim_type", "institutional")));
    assertEquals(ValidatedRows.LOADED, meta(warned, "status"));
    assertEquals(List.of("unverified:dx", "warning:payer", "warning:units", "warning:type"), findings(warned));

    Row rejected = v.validate(record(Map.of("place_of_service_code", "29", "payer", "Acme")));
    assertEquals(ValidatedRows.QUARANTINED, meta(rejected, "status"));
    assertEquals("pos", meta(rejected, "reason_code"));
    assertEquals("medical_claim.place_of_service_code is not in the code set (pos)", meta(rejected, "reason"));
  }

  @Test
  void brokenTestsAreErrorsNamingTheLine() throws Exception {
    assertError("a,medical_claim,no_such_column,not_null,warn,,,,,d\n", "line 2: medical_claim has no column");
    assertError("a,medical_claim,payer,no_such_kind,warn,,,,,d\n", "line 2: kind must be one of");
    assertError("a,medical_claim,payer,not_null,fatal,,,,,d\n", "line 2: severity must be error or warn");
    assertError("a,medical_claim,payer,accepted_values,warn,no_such_set,,,,d\n", "code set no_such_set");
    assertError("a,medical_claim,payer,accepted_values,warn,,,,,d\n", "either code_set or values");
    assertError("a,medical_claim,payer,plausible_range,warn,,,1,2,d\n", "all dates or all numbers");
    assertError("a,medical_claim,paid_date,plausible_range,warn,,,soon,,d\n", "min is not a date");
    assertError("a,eligibility,gender,header_consistency,error,,,,,d\n", "medical_claim and pharmacy_claim");
    assertError("bad-npi,medical_claim,payer,not_null,warn,,,,,d\n", "name of a built-in rule");
    assertError("a,medical_claim,payer,not_null,warn,,,,,d\na,medical_claim,plan,not_null,warn,,,,,d\n",
        "line 3: test name a is used twice");
  }

  @Test
  void aTestCannotSeeWhatARuleRejected() {
    Row r = new ValidateClaimRow(ClaimTable.MEDICAL, "test", ValidationRules.defaults())
        .validate(record(Map.of("place_of_service_code", "29", "hcpcs_code", "ABCDE")));
    assertEquals("bad-hcpcs", meta(r, "reason_code"));
    assertFalse(findings(r).contains("error:place-of-service-unknown"));
  }

  private void assertError(String lines, String message) throws Exception {
    Files.writeString(dir.resolve("tests.csv"), HEADER + lines);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClaimQualityTests.load(dir.toString()));
    assertTrue(e.getMessage().contains(message), e.getMessage());
    assertTrue(e.getMessage().contains("tests.csv line"), e.getMessage());
  }

  private static ClaimRecord record(Map<String, String> extra) {
    Map<String, String> f = new LinkedHashMap<>(Map.of("claim_id", "C1", "claim_line_number", "1", "claim_type",
        "professional", "member_id", "M1", "claim_start_date", "2025-02-03"));
    f.putAll(extra);
    return new ClaimRecord(ClaimTable.MEDICAL, "csv", "medical_claim.csv", 1, "raw", f, null, "run");
  }

  /** A meta column of a validated row (the rows ValidateClaimRow makes carry no schema). */
  private static String meta(Row r, String column) {
    return r.getString(ValidatedRows.META.indexOf(column));
  }

  private static List<String> findings(Row r) {
    return scala.collection.JavaConverters.seqAsJavaList(r.getSeq(ValidatedRows.META.indexOf("findings")));
  }
}
