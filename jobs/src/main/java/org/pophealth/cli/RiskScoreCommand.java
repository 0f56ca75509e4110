package org.pophealth.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pophealth.risk.ScoreHhsFiles;
import org.pophealth.risk.ScoreHhsMember;
import org.pophealth.risk.ScoreRiskFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "risk-score", mixinStandardHelpOptions = true,
    description = {
      "Score an analyst's files with CMS-HCC and the ESRD models (dialysis, transplant months, functioning",
      "  graft), or (--model HHS-HCC) with the",
      "  HHS-HCC model of the ACA individual and small group markets (no Spark, no lakehouse).",
      "Members: member_id,sex,birth_date,orec,dual_status,institutional,new_enrollee",
      "  [,esrd_status,crec,graft_months][,csnp]",
      "  (sex M/F, birth_date ISO, orec 0-3, dual_status non/partial/full, flags Y/N,",
      "  esrd_status dialysis, transplant, graft or empty, crec 0-3 or empty, graft_months = the month scored",
      "  counted from the kidney transplant (transplant month = 1): 1-3 with transplant, 4+ with graft;",
      "  or the ESRD columns in a file of --esrd;",
      "  csnp Y for a chronic-condition SNP member: new enrollees are scored in segment SNPNE).",
      "Diagnoses: member_id,icd10 (the diagnoses of the year before the payment year).",
      "Output: member_id,model,segment,raw_score,normalized_score,payment_score,hccs, one row per member",
      "  and model scored (ESRD-V24 / ESRD-V24-TRANSPLANT / ESRD-V24-GRAFT only for members in ESRD",
      "  dialysis / transplant / graft status).",
      "Rejected rows (invalid ICD-10-CM code, unknown member, bad field, bad ESRD status or graft_months)",
      "  go to <out>.rejects.csv.",
      "HHS-HCC (--model HHS-HCC --benefit-year 2022): members member_id,sex,birth_date,metal_level,",
      "  enrollment_months[,csr_indicator,enrollment_end] (metal_level platinum/gold/silver/bronze/",
      "  catastrophic, enrollment_months 1-12, csr_indicator 0-13, enrollment_end ISO date, default Dec 31);",
      "  diagnoses member_id,icd10 of the benefit year; optional --hcpcs / --ndc files member_id,code.",
      "  Output: member_id,model,segment,raw_score,csr_adjusted_score,hccs,factors."})
final class RiskScoreCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--members", required = true, paramLabel = "FILE", description = "Members CSV.")
  Path members;

  @Option(names = "--diagnoses", required = true, paramLabel = "FILE", description = "Diagnoses CSV.")
  Path diagnoses;

  @Option(names = "--payment-year", paramLabel = "Y",
      description = "Payment year (tables, blend, normalisation) of the CMS-HCC models.")
  Integer paymentYear;

  @Option(names = "--benefit-year", paramLabel = "Y", description = "Benefit year of --model HHS-HCC (tables: 2022).")
  Integer benefitYear;

  @Option(names = "--model", defaultValue = "blend", paramLabel = "V24|V28|ESRD-V24|ESRD-V24-TRANSPLANT|ESRD-V24-GRAFT|blend|all|HHS-HCC",
      description = "Model (default ${DEFAULT-VALUE}: the payment year's blend; all: every model of the year"
          + " and the blend, one row each; HHS-HCC: the ACA model of --benefit-year).")
  String model;

  @Option(names = "--hcpcs", paramLabel = "FILE",
      description = "HHS-HCC: drugs given as HCPCS codes, member_id,code (mapped to RXCs, adult model).")
  Path hcpcs;

  @Option(names = "--ndc", paramLabel = "FILE",
      description = "HHS-HCC: prescriptions as NDCs, member_id,code; needs --ndc-crosswalk.")
  Path ndc;

  @Option(names = "--ndc-crosswalk", paramLabel = "FILE",
      description = "HHS-HCC: the CCIIO NDC -> RXC table of the benefit year, ndc,rxc[,label] (not packaged).")
  Path ndcCrosswalk;

  @Option(names = "--esrd", paramLabel = "FILE",
      description = "Members in ESRD status: member_id,esrd_status,crec[,graft_months] (esrd_status dialysis,"
          + " transplant with graft_months 1-3, graft with graft_months 4 or more).")
  Path esrd;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output CSV.")
  Path out;

  @Override
  public Integer call() throws Exception {
    for (Path p : new Path[] {members, diagnoses, esrd, hcpcs, ndc, ndcCrosswalk}) {
      if (p != null && !Files.isRegularFile(p)) {
        throw new IllegalArgumentException("file not found: " + p);
      }
    }
    PrintWriter o = spec.commandLine().getOut();
    if (model.equalsIgnoreCase(ScoreHhsMember.MODEL)) {
      if (benefitYear == null || paymentYear != null || esrd != null) {
        throw new IllegalArgumentException("--model HHS-HCC takes --benefit-year Y (not --payment-year or --esrd)");
      }
      ScoreRiskFiles.Result r = new ScoreHhsFiles(members, diagnoses, benefitYear, out).hcpcs(hcpcs)
          .ndc(ndc, ndcCrosswalk).execute();
      o.printf("risk-score HHS-HCC BY%d: %d member rows, %d scored; %d diagnosis rows; %d rows rejected%s;"
          + " %.1f s -> %s%n", benefitYear, r.members(), r.scored(), r.diagnoses(), r.rejected(),
          r.rejected() > 0 ? " (see " + r.rejects() + ")" : "", r.seconds(), r.out());
      o.flush();
      return 0;
    }
    if (paymentYear == null || benefitYear != null || hcpcs != null || ndc != null || ndcCrosswalk != null) {
      throw new IllegalArgumentException("--model " + model + " takes --payment-year Y (--benefit-year, --hcpcs, --ndc"
          + " and --ndc-crosswalk are for --model HHS-HCC)");
    }
    ScoreRiskFiles.Result r = new ScoreRiskFiles(members, diagnoses, paymentYear, model, out).esrd(esrd).execute();
    o.printf("risk-score PY%d %s: %d member rows, %d scored (%d rows); %d diagnosis rows; %d rows rejected%s;"
        + " %.1f s -> %s%n",
        paymentYear, model, r.members(), r.scored(), r.rows(), r.diagnoses(), r.rejected(),
        r.rejected() > 0 ? " (see " + r.rejects() + ")" : "", r.seconds(), r.out());
    o.flush();
    return 0;
  }
}
