package org.pophealth.jobs;

import java.io.PrintWriter;
import org.pophealth.identity.IdentitySummary;
import org.pophealth.identity.ResolveIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "resolve-identity", mixinStandardHelpOptions = true,
    description = {
      "Enterprise master patient index: links every patient/member record of the identity.sources tables",
      "(Fellegi-Sunter, EM, blocking, GraphX clusters, over-link guard), keeps person ids stable across runs,",
      "writes gold.person, gold.identity_crosswalk, gold.identity_pair, gold.identity_review, gold.identity_event,",
      "ops.identity_run, and fills person_id in silver.event. Reviewer decisions (gold.identity_decision) win."})
public final class ResolveIdentityJob extends Job<ResolveIdentity.Result> {
  @Option(names = "--ground-truth", paramLabel = "FILE",
      description = "CSV (payer record id, EHR patient id) to print precision/recall against (default: identity.ground_truth_file).")
  String groundTruth;

  @Override
  protected ResolveIdentity.Result execute(JobContext ctx) throws Exception {
    return new ResolveIdentity(ctx.lakehouse(), ctx.config().identity()).groundTruth(groundTruth).execute();
  }

  @Override
  protected void summarize(ResolveIdentity.Result r, JobContext ctx, PrintWriter out) {
    IdentitySummary.print(r, out);
  }
}
