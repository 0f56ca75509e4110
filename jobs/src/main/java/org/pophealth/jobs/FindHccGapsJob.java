package org.pophealth.jobs;

import java.io.PrintWriter;
import org.pophealth.risk.FindHccGaps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "find-hcc-gaps", mixinStandardHelpOptions = true,
    description = {
      "Risk-adjustment gaps of a payment year after score-risk: chronic HCCs that the person's scores of",
      "the prior payment years carried (measures/risk/gaps.yaml) and this year's does not carry yet, each",
      "open or closed (coded, or covered by a higher HCC of its hierarchy), with the diagnoses and events",
      "behind it and its value in the person's segment -> gold.hcc_gap."})
public final class FindHccGapsJob extends Job<FindHccGaps.Result> {
  @Option(names = "--payment-year", paramLabel = "Y", description = "Payment year (default: risk.payment_year).")
  Integer paymentYear;

  @Override
  protected FindHccGaps.Result execute(JobContext ctx) throws Exception {
    int year = paymentYear != null ? paymentYear : ctx.config().risk().paymentYear();
    return new FindHccGaps(ctx.lakehouse(), year).execute();
  }

  @Override
  protected void summarize(FindHccGaps.Result r, JobContext ctx, PrintWriter out) {
    out.printf("find-hcc-gaps PY%d (%s; scores of prior payment years %s): %d persons scored, %d recapture gaps,"
        + " %d open (%d persons, value %.3f), %d closed; %.1f s%n", r.paymentYear(), String.join(", ", r.models()),
        r.priorYears().isEmpty() ? "none: score-risk --payment-year " + (r.paymentYear() - 1) + " first" : r.priorYears(),
        r.persons(), r.gaps(), r.open(), r.personsWithOpen(), r.openValue(), r.closed(), r.seconds());
    out.flush();
  }
}
