package org.pophealth.cohorts;

import java.io.PrintWriter;
import org.pophealth.io.TextTable;

/** Console summaries of build-cohorts and publish (counts, ids and file names; no patient data). */
public final class CohortSummary {
  private CohortSummary() {}

  public static void printBuild(BuildCohorts.Result r, PrintWriter out) {
    var a = r.attribution();
    out.printf("attribution as of %s: %d persons (%d in the look-back window, %d in the fallback), %d ties broken;"
        + " gold.attribution %s%n", r.asOf(), a.persons(), a.lookbackPersons(), a.fallbackPersons(), a.ties(),
        a.written() ? "written (version " + a.version() + ")" : "unchanged (version " + a.version() + ")");
    TextTable t = new TextTable("cohort", "publication", "listed", "excluded", "exclusions");
    for (BuildCohorts.Built b : r.cohorts()) {
      t.row(b.cohort(), b.publication(), b.listed(), b.excluded(), b.exclusions().isEmpty() ? "" : b.exclusions()
          .toString().replaceAll("[{}]", ""));
    }
    t.print(out);
    out.printf("build-cohorts: %d cohorts in gold.cohort_member, %.1f s (input versions in ops.publication)%n",
        r.cohorts().size(), r.seconds());
    out.flush();
  }

  public static void printPublish(PublishCohorts.Result r, PrintWriter out) {
    TextTable t = new TextTable("cohort", "publication", "listed", "added", "removed", "still", "previous");
    for (PublishCohorts.Published p : r.published()) {
      t.row(p.cohort(), p.publication(), p.listed(), p.added(), p.removed(), p.stillListed(),
          p.previousPublication() == null ? "(none)" : p.previousPublication());
    }
    t.print(out);
    TextTable w = new TextTable("worklist", "open items", "opened", "reopened", "closed", "held back", "unassigned");
    for (PublishCohorts.Published p : r.published()) {
      UpdateWorklist.Counts c = p.worklist();
      w.row(p.cohort(), c.open(), c.opened(), c.reopened(), c.closed(), c.heldBack(), c.unassigned());
    }
    w.print(out);
    out.println("(held back: reached or declined within the re-offer period, left off the lists; unassigned: no"
        + " assignment rule had capacity; ops.worklist)");
    for (PublishCohorts.Published p : r.published()) {
      out.println(p.location() + "/");
      for (String f : p.files()) {
        out.println("  " + f);
      }
    }
    if (!r.notBuilt().isEmpty()) {
      out.println("not built yet (run build-cohorts): " + String.join(", ", r.notBuilt()));
    }
    out.printf("publish: %d publications, %.1f s (audit rows in ops.publication)%n", r.published().size(), r.seconds());
    out.flush();
  }
}
