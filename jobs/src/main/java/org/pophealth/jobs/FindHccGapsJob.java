package org.pophealth.jobs;

import java.io.PrintWriter;
import org.pophealth.risk.FindHccGaps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "find-hcc-gaps", mixinStandardHelpOptions = true,
    description = {
      "Risk-adjustment gaps of a payment year after score-risk: recapture (chronic HCCs that the person's",
      "scores of the prior payment years carried, measures/risk/gaps.yaml) and suspects (conditions that",
      "labs, vitals, surveys or prescriptions suggest, rules in measures/risk/suspects/), each open, closed",
      "(coded, or covered by a higher HCC of its hierarchy) or dismissed by a reviewer (ops.hcc_gap_review),",
      "with its evidence and its value in the person's segment -> gold.hcc_gap."})
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
    out.printf("find-hcc-gaps PY%d (%s; scores of prior payment years %s; %d suspect rules): %d persons scored,"
        + " %d gaps (%d recapture, %d suspect): %d open (%d persons, value %.3f), %d closed, %d dismissed; %.1f s%n",
        r.paymentYear(), String.join(", ", r.models()),
        r.priorYears().isEmpty() ? "none: score-risk --payment-year " + (r.paymentYear() - 1) + " first" : r.priorYears(),
        r.rules(), r.persons(), r.gaps(), r.recapture(), r.suspect(), r.open(), r.personsWithOpen(), r.openValue(),
        r.closed(), r.dismissed(), r.seconds());
    out.flush();
  }
}
