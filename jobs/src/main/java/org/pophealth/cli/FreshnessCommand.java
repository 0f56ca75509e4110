package org.pophealth.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pophealth.io.TextTable;
import org.pophealth.jobs.JobContext;
import org.pophealth.ops.alerts.CheckFreshness;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code freshness}: the freshness rules checked now, as the scheduler checks them. */
@Command(name = "freshness", mixinStandardHelpOptions = true,
    description = {"Check the freshness rules (config `freshness`) now: each source's last successful ingest and each",
        "table's last commit against its maximum age. Prints every rule with its age and status, records the check",
        "in ops.freshness_check and alerts (config `alerts`) on a rule that became stale. Exit 1 when one is stale."})
final class FreshnessCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    JobContext ctx = new JobContext(parent.global);
    PrintWriter out = spec.commandLine().getOut();
    CheckFreshness check = PopHealthCli.checks(ctx).freshness();
    if (check.rules().isEmpty()) {
      out.println("no freshness rules (config `freshness`: e.g. - {source: ehr, max_age_hours: 48})");
      out.flush();
      return 0;
    }
    List<CheckFreshness.Result> results = check.check("cli");
    print(results, out);
    long stale = results.stream().filter(CheckFreshness.Result::stale).count();
    out.println(stale == 0 ? "all " + results.size() + " rules fresh" : stale + " of " + results.size() + " rules STALE");
    out.flush();
    return stale == 0 ? 0 : 1;
  }

  static void print(List<CheckFreshness.Result> results, PrintWriter out) {
    TextTable t = new TextTable("rule", "last data (UTC)", "age (hours)", "max age (hours)", "status");
    for (CheckFreshness.Result r : results) {
      t.row(r.subject(), r.lastAt() == null ? "never" : r.lastAt().toString(),
          r.ageHours() == null ? "" : String.format(Locale.ROOT, "%.1f", r.ageHours()),
          String.format(Locale.ROOT, "%.1f", r.rule().maxAgeHours()), r.status());
    }
    t.print(out);
  }
}
