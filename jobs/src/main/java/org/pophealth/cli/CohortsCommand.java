package org.pophealth.cli;

import org.pophealth.jobs.JobContext;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.pophealth.cohorts.CohortDefinition;
import org.pophealth.cohorts.CohortSettings;
import org.pophealth.cohorts.DiffPublications;
import org.pophealth.cohorts.LoadCohortDefinitions;
import org.pophealth.lakehouse.Lakehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import org.pophealth.io.TextTable;

@Command(name = "cohorts", mixinStandardHelpOptions = true,
    description = "Cohort definitions and their publications: list, show NAME, diff NAME.",
    subcommands = {CohortsCommand.ListCohorts.class, CohortsCommand.Show.class, CohortsCommand.Diff.class})
final class CohortsCommand implements Runnable {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--definitions", paramLabel = "DIR",
      description = "Definitions directory, before the subcommand: cohorts --definitions DIR list (default cohorts.definitions_dir).")
  String definitions;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  LoadCohortDefinitions.Result defs(JobContext ctx) {
    return CohortSettings.definitions(ctx.config(), definitions);
  }

  /** "publication (as_of, listed N)" of the cohort's latest row with the action, or "-". */
  static String latest(Lakehouse lh, String cohort, String action) {
    Row r = DiffPublications.latest(lh, cohort, action);
    return r == null ? "-" : r.getAs("publication") + " (" + r.getAs("listed") + " listed)";
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Every cohort: title, audiences, latest build and publication.")
  static final class ListCohorts implements Callable<Integer> {
    @ParentCommand CohortsCommand cohorts;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      JobContext ctx = new JobContext(cohorts.parent.global);
      LoadCohortDefinitions.Result defs = cohorts.defs(ctx);
      Lakehouse lh = ctx.lakehouse();
      TextTable t = new TextTable("cohort", "title", "audiences", "latest build", "latest publish");
      for (CohortDefinition d : defs.definitions()) {
        t.row(d.name(), d.title(), String.join(",", d.audiences().keySet()), latest(lh, d.name(), "build"),
            latest(lh, d.name(), "publish"));
      }
      t.print(spec.commandLine().getOut());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One cohort's definition, audiences and latest publications (counts only).")
  static final class Show implements Callable<Integer> {
    @ParentCommand CohortsCommand cohorts;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "Cohort name.")
    String name;

    @Override
    public Integer call() {
      JobContext ctx = new JobContext(cohorts.parent.global);
      CohortDefinition d = cohorts.defs(ctx).definition(name);
      PrintWriter out = spec.commandLine().getOut();
      out.println(d.name() + ": " + d.title());
      if (!d.description().isEmpty()) {
        out.println("  " + d.description());
      }
      out.println("include all: " + (d.all().isEmpty() ? "-" : d.all()));
      out.println("include any: " + (d.any().isEmpty() ? "-" : d.any()));
      out.println("exclude: " + d.exclude());
      out.println("priority: " + (d.dueFirst() ? "[due] then " : "") + d.priority().stream().map(k -> k.metric() + (k.descending() ? " desc" : " asc")).toList());
      for (CohortDefinition.Audience a : d.audiences().values()) {
        out.println("audience " + a.name() + ": " + (a.aggregate() ? "aggregates only (small cells suppressed)"
            : String.join(", ", a.columns())));
      }
      Lakehouse lh = ctx.lakehouse();
      out.println("latest build: " + latest(lh, d.name(), "build"));
      out.println("latest publish: " + latest(lh, d.name(), "publish"));
      Row b = DiffPublications.latest(lh, d.name(), "build");
      if (b != null) {
        TextTable t = new TextTable("reason", "persons");
        for (Row r : lh.read("gold.cohort_member").filter("cohort = '" + d.name() + "' AND publication = '"
                + b.getAs("publication") + "' AND status = 'listed'")
            .selectExpr("explode(reason_codes) AS code").groupBy("code").count().orderBy("code").collectAsList()) {
          t.row(r.getString(0), r.getLong(1));
        }
        out.println("listed persons by reason:");
        t.print(out);
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "diff", mixinStandardHelpOptions = true,
      description = "Changes of the cohort's latest build against its previous publication: added, removed with reason, still listed.")
  static final class Diff implements Callable<Integer> {
    @ParentCommand CohortsCommand cohorts;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "Cohort name.")
    String name;

    @Option(names = "--limit", defaultValue = "50", description = "Added/removed persons printed (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      JobContext ctx = new JobContext(cohorts.parent.global);
      LoadCohortDefinitions.Result defs = cohorts.defs(ctx);
      CohortDefinition d = defs.definition(name);
      Lakehouse lh = ctx.lakehouse();
      Row b = DiffPublications.latest(lh, d.name(), "build");
      if (b == null) {
        throw new IllegalArgumentException("cohort " + name + " has not been built yet (run build-cohorts)");
      }
      DiffPublications.Result r = new DiffPublications(lh, d, defs.reference()).execute(b.getAs("publication"));
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%s: %s against %s: %d added, %d removed, %d still listed%n", d.name(), r.publication(),
          r.previousPublication() == null ? "(no previous publication)" : r.previousPublication(), r.count("added"),
          r.count("removed"), r.count("still_listed"));
      TextTable t = new TextTable("person_id", "change", "priority", "previous", "reason");
      int n = 0;
      for (DiffPublications.Change c : r.changes()) {
        if (c.change().equals("still_listed") || n++ >= limit) {
          continue;
        }
        t.row(c.personKey(), c.change(), c.rank() == null ? "" : c.rank(),
            c.previousRank() == null ? "" : c.previousRank(), c.reason());
      }
      t.print(out);
      out.flush();
      return 0;
    }
  }
}
