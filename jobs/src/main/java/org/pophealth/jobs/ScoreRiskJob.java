package org.pophealth.jobs;

import java.io.PrintWriter;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.risk.RiskSummary;
import org.pophealth.risk.ScoreRisk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "score-risk", mixinStandardHelpOptions = true,
    description = {
      "CMS-HCC V24, V28 and the payment year's blend for every person in the lakehouse, with the",
      "explanation of each score: gold.risk_score (raw, normalised, payment score, tiers) and",
      "gold.risk_factor (each factor with its coefficient, diagnosis codes, events and claims).",
      "Diagnoses of the year before the payment year, from risk-adjustment-eligible sources."})
public final class ScoreRiskJob extends Job<ScoreRisk.Result> {
  @Option(names = "--payment-year", paramLabel = "Y", description = "Payment year (default: risk.payment_year).")
  Integer paymentYear;

  @Option(names = "--include-ehr-diagnoses", negatable = true, paramLabel = "BOOL",
      description = "Count EHR encounter diagnoses (clinical triage; default: risk.include_ehr_diagnoses).")
  Boolean includeEhr;

  @Override
  protected ScoreRisk.Result execute(JobContext ctx) throws Exception {
    PopHealthConfig.Risk cfg = ctx.config().risk();
    int year = paymentYear != null ? paymentYear : cfg.paymentYear();
    return new ScoreRisk(ctx.lakehouse(), year)
        .includeEhrDiagnoses(includeEhr != null ? includeEhr : cfg.includeEhrDiagnoses())
        .risingPercent(cfg.risingPercent())
        .execute();
  }

  @Override
  protected void summarize(ScoreRisk.Result r, JobContext ctx, PrintWriter out) {
    RiskSummary.print(r, out);
  }
}
