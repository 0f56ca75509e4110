package org.pophealth.jobs;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.pophealth.views.BuildViews;
import org.pophealth.views.ViewFiles;
import org.pophealth.views.ViewSummary;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "build-views", mixinStandardHelpOptions = true,
    description = {
      "Materialise the SQL on FHIR v2 ViewDefinitions of views.dir (default: the packaged measures/views/)",
      "as Delta tables view.<name>, each over the current version of every resource of its type in bronze",
      "(newest per source and id, deletes applied), with the source as a last column _source; then the SQL",
      "views there (*.sql: read-only queries over the view tables), e.g. view.medication_request_coded.",
      "With --file, one definition only (what `view run` does), to a table or a --csv file. One row per",
      "view in ops.view_run. Exit code 1 when a resource's evaluation failed (counted, first message shown)."})
public final class BuildViewsJob extends Job<BuildViews.Result> {
  @Option(names = "--views", paramLabel = "DIR",
      description = "Directory of ViewDefinition *.json (and SQL view *.sql) files (default views.dir, else the packaged ones).")
  String dir;

  @Option(names = "--view", paramLabel = "NAME", split = ",",
      description = "Only these views of the directory (names), comma-separated.")
  List<String> only;

  @ArgGroup(exclusive = false)
  Single single;

  /** One definition file and where its rows go. */
  static final class Single {
    @Option(names = "--file", paramLabel = "DEF.json", required = true,
        description = "Run this one ViewDefinition instead of a directory.")
    Path file;

    @ArgGroup(exclusive = true)
    Target target;
  }

  static final class Target {
    @Option(names = "--out", paramLabel = "TABLE",
        description = "With --file: the table to write, view.NAME or NAME (default: view.<the definition's name>).")
    String out;

    @Option(names = "--csv", paramLabel = "FILE",
        description = "With --file: write a CSV file instead of a table (patient-level: owner-only).")
    Path csv;
  }

  @Override
  protected BuildViews.Result execute(JobContext ctx) {
    if (single != null) {
      if (dir != null || only != null) {
        throw new IllegalArgumentException("--file runs one definition; --views and --view choose among a directory's");
      }
      return one(ctx);
    }
    String d = dir != null ? dir : ctx.config().views().dir();
    List<ViewFiles.Named> views = ViewFiles.load(d);
    List<ViewFiles.SqlView> sql = ViewFiles.sqlViews(d, views);
    if (only != null && !only.isEmpty()) {
      List<String> names = new java.util.ArrayList<>(views.stream().map(ViewFiles.Named::table).toList());
      names.addAll(sql.stream().map(ViewFiles.SqlView::table).toList());
      for (String o : only) {
        if (!names.contains(o)) {
          throw new IllegalArgumentException("no view named " + o + "; the views are " + names);
        }
      }
      views = views.stream().filter(v -> only.contains(v.table())).toList();
      sql = sql.stream().filter(v -> only.contains(v.table())).toList();
    }
    return new BuildViews(ctx.lakehouse(), views).sqlViews(sql).execute();
  }

  private BuildViews.Result one(JobContext ctx) {
    ViewFiles.Named v = ViewFiles.file(single.file);
    Target t = single.target;
    if (t != null && t.csv != null) {
      return new BuildViews(ctx.lakehouse(), List.of(v)).csv(t.csv).execute();
    }
    String table = v.table();
    if (t != null && t.out != null) {
      table = t.out.startsWith("view.") ? t.out.substring("view.".length()) : t.out;
      if (table.contains(".")) {
        throw new IllegalArgumentException("--out " + t.out + ": views are written to the view zone (view.NAME);"
            + " the other zones hold the product's own tables");
      }
      table = ViewFiles.checkedName(table, "--out " + t.out);
    } else if (table == null) {
      throw new IllegalArgumentException(single.file + ": the view has no name; give it one or say --out NAME");
    }
    return new BuildViews(ctx.lakehouse(), List.of(new ViewFiles.Named(table, v.file(), v.json(), v.definition())))
        .execute();
  }

  @Override
  protected int exitCode(BuildViews.Result result) {
    return result.resourcesFailed() == 0 ? 0 : 1;
  }

  @Override
  protected void summarize(BuildViews.Result r, JobContext ctx, PrintWriter out) {
    ViewSummary.print(r, out);
  }

  @Override
  protected List<String> inputPaths(JobContext ctx, BuildViews.Result result) {
    if (single != null) {
      return List.of(single.file.toString());
    }
    String d = dir != null ? dir : ctx.config().views().dir();
    return d == null ? List.of() : List.of(d);
  }
}
