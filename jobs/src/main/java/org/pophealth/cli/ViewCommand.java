package org.pophealth.cli;

import java.util.concurrent.Callable;
import org.pophealth.io.TextTable;
import org.pophealth.jobs.JobContext;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.views.ViewFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "view", mixinStandardHelpOptions = true,
    description = "SQL on FHIR v2 views: run DEF.json [--out TABLE | --csv FILE], list (the definitions of views.dir and their tables).",
    subcommands = {ViewCommand.RunView.class, ViewCommand.ListViews.class})
final class ViewCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code view run DEF.json}: the build-views job with {@code --file} (one job, registered once). */
  @Command(name = "run", mixinStandardHelpOptions = true,
      description = {
        "Run one SQL on FHIR v2 ViewDefinition over the lakehouse's current resources (deletes applied) and",
        "write it as the Delta table view.<name> (default), as --out TABLE, or as a --csv FILE (patient-level:",
        "written owner-only): build-views --file DEF.json, recorded in ops.job_attempt and ops.view_run."})
  static final class RunView implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Parameters(index = "0", paramLabel = "DEF.json", description = "The ViewDefinition file.")
    java.nio.file.Path file;

    @Option(names = "--out", paramLabel = "TABLE", description = "Table to write: view.NAME or NAME (default: view.<the definition's name>).")
    String out;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write a CSV file instead of a table.")
    java.nio.file.Path csv;

    @Override
    public Integer call() {
      if (out != null && csv != null) {
        throw new IllegalArgumentException("--out and --csv: one or the other");
      }
      java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("build-views", "--file", file.toString()));
      if (out != null) {
        args.addAll(java.util.List.of("--out", out));
      }
      if (csv != null) {
        args.addAll(java.util.List.of("--csv", csv.toString()));
      }
      JobContext ctx = JobContext.of(spec);
      return PopHealthCli.inProcess(ctx.globalArgs()).run(args, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The ViewDefinitions build-views materialises: name, resource, columns, file, and the table's Delta version.")
  static final class ListViews implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--views", paramLabel = "DIR", description = "Directory of ViewDefinitions (default views.dir, else the packaged ones).")
    String dir;

    @Override
    public Integer call() {
      JobContext ctx = JobContext.of(spec);
      Lakehouse lh = ctx.lakehouse();
      TextTable t = new TextTable("view", "resource", "columns", "table version", "file");
      for (ViewFiles.Named v : ViewFiles.load(dir != null ? dir : ctx.config().views().dir())) {
        long version = lh.viewVersion(v.table());
        t.row(Lakehouse.VIEW_ZONE + "." + v.table(), v.definition().resource(), v.definition().columns().size(),
            version < 0 ? "-" : Long.toString(version), v.file());
      }
      t.print(spec.commandLine().getOut());
      return 0;
    }
  }
}
