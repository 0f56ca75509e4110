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
      "Score an analyst's files with CMS-HCC (no Spark, no lakehouse).",
      "Members: member_id,sex,birth_date,orec,dual_status,institutional,new_enrollee",
      "  (sex M/F, birth_date ISO, orec 0-3, dual_status non/partial/full, flags Y/N).",
      "Diagnoses: member_id,icd10 (the diagnoses of the year before the payment year).",
      "Output: member_id,model,raw_score,normalized_score,payment_score,hccs.",
      "Rejected rows (invalid ICD-10-CM code, unknown member, bad field) go to <out>.rejects.csv."})
final class RiskScoreCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--members", required = true, paramLabel = "FILE", description = "Members CSV.")
  Path members;

  @Option(names = "--diagnoses", required = true, paramLabel = "FILE", description = "Diagnoses CSV.")
  Path diagnoses;

  @Option(names = "--payment-year", required = true, paramLabel = "Y", description = "Payment year (tables, blend, normalisation).")
  int paymentYear;

  @Option(names = "--model", defaultValue = "blend", paramLabel = "V24|V28|blend",
      description = "Model (default ${DEFAULT-VALUE}: the payment year's blend).")
  String model;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output CSV.")
  Path out;

  @Override
  public Integer call() throws Exception {
    for (Path p : new Path[] {members, diagnoses}) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException("file not found: " + p);
      }
    }
    ScoreRiskFiles.Result r = new ScoreRiskFiles(members, diagnoses, paymentYear, model, out).execute();
    PrintWriter o = spec.commandLine().getOut();
    o.printf("risk-score PY%d %s: %d member rows, %d scored; %d diagnosis rows; %d rows rejected%s; %.1f s -> %s%n",
        paymentYear, model, r.members(), r.scored(), r.diagnoses(), r.rejected(),
        r.rejected() > 0 ? " (see " + r.rejects() + ")" : "", r.seconds(), r.out());
    o.flush();
    return 0;
  }
}
