package org.pophealth.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pophealth.risk.ScoreRiskFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "risk-score", mixinStandardHelpOptions = true,
    description = {
      "Score an analyst's files with CMS-HCC and the ESRD dialysis model (no Spark, no lakehouse).",
      "Members: member_id,sex,birth_date,orec,dual_status,institutional,new_enrollee[,esrd_status,crec]",
      "  (sex M/F, birth_date ISO, orec 0-3, dual_status non/partial/full, flags Y/N,",
      "  esrd_status dialysis or empty, crec 0-3 or empty; or the ESRD columns in a file of --esrd).",
      "Diagnoses: member_id,icd10 (the diagnoses of the year before the payment year).",
      "Output: member_id,model,segment,raw_score,normalized_score,payment_score,hccs, one row per member",
      "  and model scored (ESRD-V24 only for members in ESRD dialysis status).",
      "Rejected rows (invalid ICD-10-CM code, unknown member, bad field, ESRD status graft or transplant)",
      "  go to <out>.rejects.csv."})
final class RiskScoreCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--members", required = true, paramLabel = "FILE", description = "Members CSV.")
  Path members;

  @Option(names = "--diagnoses", required = true, paramLabel = "FILE", description = "Diagnoses CSV.")
  Path diagnoses;

  @Option(names = "--payment-year", required = true, paramLabel = "Y", description = "Payment year (tables, blend, normalisation).")
  int paymentYear;

  @Option(names = "--model", defaultValue = "blend", paramLabel = "V24|V28|ESRD-V24|blend|all",
      description = "Model (default ${DEFAULT-VALUE}: the payment year's blend; all: every model of the year"
          + " and the blend, one row each).")
  String model;

  @Option(names = "--esrd", paramLabel = "FILE",
      description = "Members in ESRD status: member_id,esrd_status,crec (esrd_status dialysis; graft and"
          + " transplant are rejected, not scored yet).")
  Path esrd;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output CSV.")
  Path out;

  @Override
  public Integer call() throws Exception {
    for (Path p : new Path[] {members, diagnoses, esrd}) {
      if (p != null && !Files.isRegularFile(p)) {
        throw new IllegalArgumentException("file not found: " + p);
      }
    }
    ScoreRiskFiles.Result r = new ScoreRiskFiles(members, diagnoses, paymentYear, model, out).esrd(esrd).execute();
    PrintWriter o = spec.commandLine().getOut();
    o.printf("risk-score PY%d %s: %d member rows, %d scored (%d rows); %d diagnosis rows; %d rows rejected%s;"
        + " %.1f s -> %s%n",
        paymentYear, model, r.members(), r.scored(), r.rows(), r.diagnoses(), r.rejected(),
        r.rejected() > 0 ? " (see " + r.rejects() + ")" : "", r.seconds(), r.out());
    o.flush();
    return 0;
  }
}
