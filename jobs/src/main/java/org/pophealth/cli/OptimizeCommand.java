package org.pophealth.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.pophealth.lakehouse.OptimizeTables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.pophealth.io.TextTable;

@Command(name = "optimize", mixinStandardHelpOptions = true,
    description = {
      "Compact the small files of the lakehouse's tables (Delta OPTIMIZE, bin-packing; data unchanged, one",
      "commit per table). Tables with fewer than --min-files active files are left alone. No VACUUM."})
final class OptimizeCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--table", split = ",", paramLabel = "ZONE.TABLE", description = "Only these tables.")
  List<String> tables;

  @Option(names = "--min-files", defaultValue = "8",
      description = "Leave tables with fewer active files alone (default ${DEFAULT-VALUE}).")
  int minFiles;

  @Override
  public Integer call() {
    OptimizeTables job = new OptimizeTables(new CliContext(parent.global).lakehouse()).minFiles(minFiles);
    if (tables != null) {
      job.tables(tables);
    }
    OptimizeTables.Result r = job.execute();
    PrintWriter out = spec.commandLine().getOut();
    TextTable t = new TextTable("table", "files before", "files after", "MB", "seconds");
    for (OptimizeTables.Table x : r.tables()) {
      if (x.compacted()) {
        t.row(x.name(), x.filesBefore(), x.filesAfter(), String.format("%.1f", x.bytes() / 1e6),
            String.format("%.1f", x.seconds()));
      }
    }
    t.print(out);
    out.printf("optimize: %d tables compacted of %d, %d files -> %d, %.1f s%n",
        r.tables().stream().filter(OptimizeTables.Table::compacted).count(), r.tables().size(), r.filesBefore(),
        r.filesAfter(), r.seconds());
    out.flush();
    return 0;
  }
}
