package org.pophealth.jobs;

import java.io.PrintWriter;
import java.util.List;
import org.pophealth.io.TextTable;
import org.pophealth.lakehouse.OptimizeTables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "optimize", mixinStandardHelpOptions = true,
    description = {
      "Compact the small files of the lakehouse's tables (Delta OPTIMIZE, bin-packing; data unchanged, one",
      "commit per table). Tables with fewer than --min-files active files are left alone. No VACUUM."})
public final class OptimizeJob extends Job<OptimizeTables.Result> {
  @Option(names = "--table", split = ",", paramLabel = "ZONE.TABLE", description = "Only these tables.")
  List<String> tables;

  @Option(names = "--min-files", defaultValue = "8",
      description = "Leave tables with fewer active files alone (default ${DEFAULT-VALUE}).")
  int minFiles;

  @Override
  protected OptimizeTables.Result execute(JobContext ctx) throws Exception {
    OptimizeTables job = new OptimizeTables(ctx.lakehouse()).minFiles(minFiles);
    if (tables != null) {
      job.tables(tables);
    }
    return job.execute();
  }

  @Override
  protected void summarize(OptimizeTables.Result r, JobContext ctx, PrintWriter out) {
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
  }
}
