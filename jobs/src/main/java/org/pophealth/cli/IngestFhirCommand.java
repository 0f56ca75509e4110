package org.pophealth.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ingest-fhir", mixinStandardHelpOptions = true,
    description = {
      "Ingest one FHIR bulk-export directory: <Type>.ndjson, <Type>.<n>.ndjson (optionally .gz) and an",
      "optional bulk manifest (output, deleted, error, transactionTime). Every line is loaded or",
      "quarantined with a reason; prints read = loaded + quarantined per resource type."})
final class IngestFhirCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--source", defaultValue = "ehr", description = "Source name (a key under `sources:`), default ${DEFAULT-VALUE}.")
  String source;

  @Option(names = "--dir", paramLabel = "PATH", description = "Export directory (default: sources.<source>.dir).")
  String dir;

  @Option(names = "--export-time", paramLabel = "INSTANT",
      description = "Export transaction time (ISO-8601) when the directory has no manifest; default: newest file time.")
  Instant exportTime;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = new CliContext(parent.global);
    PopHealthConfig config = ctx.config();
    String directory = dir;
    if (directory == null) {
      PopHealthConfig.Source s = config.sources().get(source);
      if (s == null) {
        throw new IllegalArgumentException("unknown source '" + source + "' (configured: " + config.sources().keySet() + ")");
      }
      directory = s.dir();
      if (directory == null) {
        throw new IllegalArgumentException("no --dir given and sources." + source + ".dir is not set");
      }
    }
    IngestFhirExport job = new IngestFhirExport(ctx.lakehouse(), source, directory)
        .chunkBytes(config.ingest().chunkBytes())
        .maxQuarantineRawChars(config.ingest().maxQuarantineRawChars());
    if (exportTime != null) {
      job.exportTime(exportTime);
    }
    IngestResult r = job.execute();
    IngestSummary.print(r, spec.commandLine().getOut());
    return r.reconciled() ? 0 : 1;
  }
}
