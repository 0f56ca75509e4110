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
      "ops.identity_run, and fills person_id in silver.event. Reviewer decisions (gold.identity_decision) win.",
      "The first run estimates the model; later runs reuse it and link only new and changed records (by content",
      "hash), re-clustering only the persons they touch; --full links every record with the stored model,",
      "--retrain estimates a new one (with --dry-run: report what would merge, split or retire, write nothing).",
      "A model keeps the term frequencies it was trained with (ops.identity_term_frequency), so incremental and",
      "--full runs with it weigh every pair alike."})
public final class ResolveIdentityJob extends Job<ResolveIdentity.Result> {
  @Option(names = "--ground-truth", paramLabel = "FILE",
      description = "CSV (payer record id, EHR patient id) to print precision/recall against (default: identity.ground_truth_file).")
  String groundTruth;

  @Option(names = "--retrain", description = "Estimate a new model (m, u, lambda, term frequencies) and link every record with it.")
  boolean retrain;

  @Option(names = "--full", description = "Link every record with the stored model (an incremental run must give the same).")
  boolean full;

  @Option(names = "--dry-run", description = "Report the persons that would merge, split or retire; write nothing.")
  boolean dryRun;

  @Override
  protected ResolveIdentity.Result execute(JobContext ctx) throws Exception {
    return new ResolveIdentity(ctx.lakehouse(), ctx.config().identity()).groundTruth(groundTruth).retrain(retrain)
        .full(full).dryRun(dryRun).execute();
  }

  @Override
  protected void summarize(ResolveIdentity.Result r, JobContext ctx, PrintWriter out) {
    IdentitySummary.print(r, out);
  }
}
