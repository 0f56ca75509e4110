package org.pophealth.cli;

import org.pophealth.jobs.JobContext;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.identity.LinkFiles;
import org.pophealth.identity.LinkageSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.pophealth.identity.IdentitySummary;

@Command(name = "link", mixinStandardHelpOptions = true,
    description = {
      "Probabilistic record linkage of CSV files (header row; values trimmed), with the identity.* settings.",
      "Each file is a source named after the file. Writes DIR/clusters.csv (source,record_id,cluster_id) and",
      "DIR/pairs.csv (source_a,record_id_a,source_b,record_id_b,match_probability, weight, status, w_<field>) and",
      "DIR/threshold_curve.csv (estimated precision and recall of the fitted model per match-probability threshold).",
      "Fields: given_name, family_name, birth_date, sex, street, city, postcode, state, phone, ssn, email, mrn."})
final class LinkCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "CSV file; repeat for several sources.")
  List<Path> inputs;

  @Option(names = "--id-column", required = true, paramLabel = "COL", description = "Column identifying a record within its file.")
  String idColumn;

  @Option(names = "--map", required = true, paramLabel = "FIELD=COL,...",
      description = "Field mapping: FIELD=COL, several columns joined with +, birth_date=COL:FORMAT (e.g. yyyyMMdd; default yyyy-MM-dd).")
  String map;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Option(names = "--link-only", description = "Compare only records of different files (each file has no duplicates).")
  boolean linkOnly;

  @Option(names = "--threshold", paramLabel = "P", description = "Match probability to link at (default: identity.match_threshold).")
  Double threshold;

  @Override
  public Integer call() throws Exception {
    JobContext ctx = new JobContext(parent.global);
    PopHealthConfig config = ctx.config();
    LinkageSettings settings = LinkageSettings.of(config.identity(), linkOnly);
    if (threshold != null) {
      if (threshold <= 0 || threshold >= 1) {
        throw new IllegalArgumentException("--threshold must be between 0 and 1");
      }
      settings = settings.withMatchThreshold(threshold);
    }
    LinkFiles.Result r = new LinkFiles(ctx.lakehouse().spark(), settings, inputs, idColumn, map, out).execute();
    PrintWriter w = spec.commandLine().getOut();
    w.printf("link: %d records, %d comparisons, %d clusters, %d matched pairs, %d pairs for review%n",
        r.records(), r.comparisons(), r.clusters(), r.matchedPairs(), r.reviewPairs());
    IdentitySummary.rules(r.rules()).print(w);
    w.println("estimated from the fitted model (precision = sum of match probabilities at or above the threshold / pairs"
        + " there; recall = that sum / sum over all compared pairs):");
    w.printf("%-9s  %9s  %16s  %9s  %6s%n", "threshold", "pairs", "expected matches", "precision", "recall");
    for (org.pophealth.identity.ThresholdCurve.Point p : r.curve()) {
      w.printf("%-9s  %9d  %16.1f  %9.4f  %6.4f%s%n", p.threshold(), p.pairs(), p.expectedMatches(), p.precision(),
          p.recall(), p.threshold() == r.matchThreshold() ? "  <- match threshold" : "");
    }
    w.println("wrote " + r.clustersFile() + ", " + r.pairsFile() + " and " + r.curveFile());
    w.flush();
    return 0;
  }
}
