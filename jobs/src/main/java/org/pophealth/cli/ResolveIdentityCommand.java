package org.pophealth.cli;

import java.util.concurrent.Callable;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.identity.ResolveIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.pophealth.identity.IdentitySummary;

@Command(name = "resolve-identity", mixinStandardHelpOptions = true,
    description = {
      "Enterprise master patient index: links every patient/member record of the identity.sources tables",
      "(Fellegi-Sunter, EM, blocking, GraphX clusters, over-link guard), keeps person ids stable across runs,",
      "writes gold.person, gold.identity_crosswalk, gold.identity_pair, gold.identity_review, gold.identity_event,",
      "ops.identity_run, and fills person_id in silver.event. Reviewer decisions (gold.identity_decision) win."})
final class ResolveIdentityCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--ground-truth", paramLabel = "FILE",
      description = "CSV (payer record id, EHR patient id) to print precision/recall against (default: identity.ground_truth_file).")
  String groundTruth;

  @Override
  public Integer call() {
    CliContext ctx = new CliContext(parent.global);
    PopHealthConfig config = ctx.config();
    ResolveIdentity.Result r = new ResolveIdentity(ctx.lakehouse(), config.identity()).groundTruth(groundTruth).execute();
    IdentitySummary.print(r, spec.commandLine().getOut());
    return 0;
  }
}
