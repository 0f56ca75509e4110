package org.pophealth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code risk-score --model HHS-HCC}: the option checks and one scored file, through the CLI (no Spark). */
class RiskScoreHhsCliTest {
  @TempDir Path dir;

  private String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PopHealthCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void scoresWithTheBenefitYearAndRefusesThePaymentYear() throws Exception {
    Path members = Files.writeString(dir.resolve("m.csv"),
        "member_id,sex,birth_date,metal_level,enrollment_months\nK,F,1967-01-15,bronze,12\n");
    Path dx = Files.writeString(dir.resolve("dx.csv"), "member_id,icd10\nK,K74.60\nK,B18.2\n");
    Path out = dir.resolve("scores.csv");
    String[] r = run("risk-score", "--model", "HHS-HCC", "--benefit-year", "2022", "--members", members.toString(),
        "--diagnoses", dx.toString(), "--out", out.toString());
    assertEquals("0", r[0], r[2]);
    assertTrue(r[1].contains("risk-score HHS-HCC BY2022: 1 member rows, 1 scored"), r[1]);
    // FAGE_LAST_55_59 bronze 0.156 + HHS_HCC036 bronze 0.819 = 0.975 (cirrhosis 36 drops hepatitis C 37.1)
    assertEquals(List.of("member_id,model,segment,raw_score,csr_adjusted_score,hccs,factors",
        "K,HHS-HCC,Adult-Bronze,0.975,0.975,HHS_HCC036,FAGE_LAST_55_59=0.156;HHS_HCC036=0.819"), Files.readAllLines(out));

    String[] wrongYear = run("risk-score", "--model", "HHS-HCC", "--payment-year", "2022", "--members",
        members.toString(), "--diagnoses", dx.toString(), "--out", out.toString());
    assertEquals("2", wrongYear[0]);
    assertTrue(wrongYear[2].contains("--model HHS-HCC takes --benefit-year"), wrongYear[2]);

    String[] noCrosswalk = run("risk-score", "--model", "HHS-HCC", "--benefit-year", "2022", "--members",
        members.toString(), "--diagnoses", dx.toString(), "--ndc", dx.toString(), "--out", out.toString());
    assertEquals("2", noCrosswalk[0]);
    assertTrue(noCrosswalk[2].contains("--ndc needs --ndc-crosswalk"), noCrosswalk[2]);

    String[] cmsWithBenefitYear = run("risk-score", "--model", "V28", "--benefit-year", "2022", "--members",
        members.toString(), "--diagnoses", dx.toString(), "--out", out.toString());
    assertEquals("2", cmsWithBenefitYear[0]);
  }

  @Test
  void ndcCrosswalkGivenOnTheCommandLine() throws Exception {
    // a two-row crosswalk in the DIY layout (tab-separated NDC, RXC, label); 00002-7510-01 -> RXC 6 (insulin)
    Path crosswalk = Files.writeString(dir.resolve("ndc.txt"),
        "00002751001\t6\tInsulin\n00003001101\t2\tAnti-Hepatitis C (HCV) Agents\n");
    Path members = Files.writeString(dir.resolve("m.csv"),
        "member_id,sex,birth_date,metal_level,enrollment_months\nN,M,1992-06-01,catastrophic,12\n");
    Path dx = Files.writeString(dir.resolve("dx.csv"), "member_id,icd10\n");
    Path ndc = Files.writeString(dir.resolve("rx.csv"), "member_id,code\nN,00002-7510-01\nN,1234\n");
    Path out = dir.resolve("scores.csv");
    String[] r = run("risk-score", "--model", "HHS-HCC", "--benefit-year", "2022", "--members", members.toString(),
        "--diagnoses", dx.toString(), "--ndc", ndc.toString(), "--ndc-crosswalk", crosswalk.toString(), "--out",
        out.toString());
    assertEquals("0", r[0], r[2]);
    // MAGE_LAST_30_34 catastrophic 0.027 + RXC_06 catastrophic 1.035 = 1.062
    assertEquals("N,HHS-HCC,Adult-Catastrophic,1.062,1.062,RXC_06,MAGE_LAST_30_34=0.027;RXC_06=1.035",
        Files.readAllLines(out).get(1));
    assertEquals(List.of("file,line,member_id,value,reason",
        "rx.csv,3,N,1234,invalid-ndc: an NDC is 11 digits (dashes ignored)"),
        Files.readAllLines(dir.resolve("scores.csv.rejects.csv")));
  }
}
