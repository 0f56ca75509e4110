package org.pophealth.jobs;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.pophealth.cohorts.CohortDefinition;
import org.pophealth.cohorts.CohortSettings;
import org.pophealth.cohorts.ImportOutreach;
import org.pophealth.cohorts.LoadCohortDefinitions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true,
    description = {
      "Apply a care team's outreach outcomes to ops.worklist: a CSV with cohort,person_id,date,channel,outcome",
      "and optionally next_contact_date,by,note (outcomes no_answer, left_message, reached, scheduled, declined,",
      "wrong_number). Every line is applied or rejected with a reason (ops.quarantine, stage worklist-import):",
      "read = applied + rejected. Importing the same file again adds no attempt."})
public final class ImportOutreachJob extends Job<ImportOutreach.Result> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The outcomes CSV (UTF-8).")
  Path file;

  @Option(names = "--definitions", paramLabel = "DIR", description = "Definitions directory (default cohorts.definitions_dir).")
  String definitions;

  @Override
  protected ImportOutreach.Result execute(JobContext ctx) throws Exception {
    LoadCohortDefinitions.Result defs = CohortSettings.definitions(ctx.config(), definitions);
    return new ImportOutreach(ctx.lakehouse(), file, defs.definitions().stream().map(CohortDefinition::name)
        .collect(Collectors.toSet()), org.pophealth.ops.Provenance.current().user()).execute();
  }

  @Override
  protected List<String> inputPaths(JobContext ctx, ImportOutreach.Result result) {
    return List.of(file.toAbsolutePath().toString());
  }

  @Override
  protected void summarize(ImportOutreach.Result r, JobContext ctx, PrintWriter out) {
    out.printf("worklist import %s: read %d = applied %d + rejected %d%s%n", r.file(), r.read(), r.applied(),
        r.rejected(), r.reconciled() ? "" : "  (DOES NOT RECONCILE)");
    out.printf("  applied: %d attempts added, %d already recorded (an earlier import); %d items updated, %d closed"
        + " (reached or declined)%n", r.added(), r.alreadyRecorded(), r.itemsUpdated(), r.itemsClosed());
    if (!r.byOutcome().isEmpty()) {
      out.println("  added by outcome: " + r.byOutcome().toString().replaceAll("[{}]", ""));
    }
    if (r.rejected() > 0) {
      out.println("  rejected by reason: " + r.rejectedByReason().toString().replaceAll("[{}]", ""));
      for (ImportOutreach.Rejected x : r.rejects().subList(0, Math.min(20, r.rejects().size()))) {
        out.printf("    line %d: %s: %s%n", x.line(), x.reasonCode(), x.reason());
      }
      out.println("  rejected lines (with their text): bin/pophealth sql \"SELECT line, reason_code, reason, raw FROM"
          + " ops.quarantine WHERE stage = 'worklist-import' AND file = '" + r.file() + "' ORDER BY line\"");
    }
    out.printf("worklist import: %.1f s%n", r.seconds());
  }

  @Override
  protected int exitCode(ImportOutreach.Result r) {
    return r.reconciled() ? 0 : 1;
  }
}
