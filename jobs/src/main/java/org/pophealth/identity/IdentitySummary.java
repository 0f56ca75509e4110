package org.pophealth.identity;

import java.io.PrintWriter;
import org.pophealth.io.TextTable;

/** Prints a resolve-identity run (CLI and demo). */
public final class IdentitySummary {
  private IdentitySummary() {}

  /** The blocking report: per rule, blocks, the largest, pairs before and after de-duplication, what was skipped. */
  public static TextTable rules(java.util.List<LinkRecords.RuleReport> rules) {
    TextTable t = new TextTable("rule", "blocking on", "blocks", "largest", "candidate pairs", "new pairs",
        "skipped blocks", "status");
    for (LinkRecords.RuleReport rr : rules) {
      t.row(rr.rule(), rr.expressions(), rr.blocks(), rr.largestBlock(), rr.candidatePairs(), rr.newPairs(),
          rr.skippedBlocks(), rr.skippedRule() ? "skipped (over max_rule_comparisons)" : "compared");
    }
    return t;
  }

  /** The run summary (also printed by the demo). */
  public static void print(ResolveIdentity.Result r, PrintWriter out) {
    String dry = r.published() ? "" : "DRY RUN, nothing written: ";
    if (r.mode() == ResolveIdentity.Mode.INCREMENTAL) {
      out.printf("resolve-identity %s: %sincremental with the model of run %s: %d new, %d changed, %d deleted "
              + "records; %d persons re-clustered, every other person untouched%n", r.runId(), dry, r.modelRunId(),
          r.newRecords(), r.changedRecords(), r.deletedRecords(), r.affectedPersons());
    } else {
      out.printf("resolve-identity %s: %s%s: every record linked %s%n", r.runId(), dry,
          r.mode().name().toLowerCase(java.util.Locale.ROOT), r.mode() == ResolveIdentity.Mode.TRAINED
              ? "with a newly estimated model (later runs reuse it and link only what changed)"
              : "with the model of run " + r.modelRunId());
    }
    if (!r.eventTypes().isEmpty()) {
      out.printf("  person changes: %s%n", r.eventTypes());
      for (String e : r.examples()) {
        out.println("    e.g. " + e);
      }
    }
    out.printf("resolve-identity %s: %d records %s, %d comparisons, %d persons (%d kept their id, %d new), "
            + "%d matched pairs, %d for review, %d merge/split events, %d silver.event rows updated%n",
        r.runId(), r.records(), r.perSource(), r.comparisons(), r.persons(), r.kept(), r.minted(), r.matchedPairs(),
        r.reviewPairs(), r.events(), r.eventRowsUpdated());
    if (r.splitQueue() > 0) {
      out.printf("  %d persons in gold.identity_split_queue (records that disagree on birth date or sex)%n",
          r.splitQueue());
    }
    for (String t : r.skippedTables()) {
      out.println("  skipped " + t + " (table does not exist)");
    }
    rules(r.rules()).print(out);
    if (r.labels() != null) {
      ReviewerLabels.Report l = r.labels();
      out.printf("reviewers' decisions as labels: %d must-link, %d cannot-link%n", l.mustLinks(), l.cannotLinks());
      TextTable t = new TextTable("threshold", "decided pairs at or above", "must-links", "precision", "recall");
      for (ReviewerLabels.Point p : l.curve()) {
        t.row(p.threshold(), p.decided(), p.mustLinks(), p.precision() == null ? "-" : String.format("%.3f", p.precision()),
            p.recall() == null ? "-" : String.format("%.3f", p.recall()));
      }
      t.print(out);
    }
    if (r.precision() != null) {
      out.printf("against ground truth: precision %.4f, recall %.4f (pairwise)%n", r.precision(), r.recall());
    }
    out.flush();
  }
}
