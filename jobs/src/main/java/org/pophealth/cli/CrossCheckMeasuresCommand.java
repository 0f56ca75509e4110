package org.pophealth.cli;

import org.pophealth.jobs.PeriodOption;
import org.pophealth.jobs.JobContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.io.ProjectFiles;
import org.pophealth.measures.CrossCheckMeasures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.pophealth.io.TextTable;

@Command(name = "crosscheck-measures", mixinStandardHelpOptions = true,
    description = {
      "Check evaluate-measures against an independent evaluator: every person's input is evaluated again by",
      "the CQF clinical-reasoning measure processor (cqf-fhir-cr 4.4.0, its own JVM, CQL translated from the",
      "package's source) and every population of every person, measure and group is compared with",
      "gold.measure_result. Run evaluate-measures for the period first. Exits 1 when a difference or a failed",
      "evaluation is not explained in the package's crosscheck-differences.csv."})
final class CrossCheckMeasuresCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @picocli.CommandLine.Mixin PeriodOption periodOption = new PeriodOption();

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Working folder: bundles/, peer.csv, peer.log, disagreements.csv (default: a new temporary folder).")
  Path dir;

  @Option(names = "--measure", paramLabel = "NAME", description = "Only this measure (e.g. BreastCancerScreeningFHIR).")
  String measure;

  @Option(names = "--limit", paramLabel = "N", description = "Only the first N persons (by person key).")
  Integer limit;

  @Option(names = "--expected-differences", paramLabel = "FILE",
      description = "Differences explained as defects of the other engine (measure,population,kind,reason); default:"
          + " crosscheck-differences.csv of the measure package when it exists, 'none' for no file.")
  String expectedFile;

  @Override
  public Integer call() throws Exception {
    JobContext ctx = new JobContext(parent.global);
    PopHealthConfig config = ctx.config();
    PopHealthConfig.MeasurementPeriod period = periodOption.period(config);
    LocalDate start = period.start();
    LocalDate end = period.end();
    Path work = dir != null ? dir.toAbsolutePath() : Files.createTempDirectory("pophealth-crosscheck-");
    CrossCheckMeasures job = new CrossCheckMeasures(ctx.lakehouse(), config.measures().packageDir(), start, end,
        ProjectFiles.path("jobs/bench-peers/cqf/run.sh"), work);
    if (measure != null) {
      job.measure(measure);
    }
    if (limit != null) {
      job.limit(limit);
    }
    Path known = expectedFile != null ? ("none".equals(expectedFile) ? null : Path.of(expectedFile))
        : ProjectFiles.path("measures/ecqm/" + config.measures().packageDir() + "/crosscheck-differences.csv");
    if (known != null && Files.isRegularFile(known)) {
      job.expectedDifferences(known);
    } else if (expectedFile != null && known != null) {
      throw new IllegalArgumentException("expected-differences file not found: " + known);
    }
    CrossCheckMeasures.Result r = job.execute();
    var out = spec.commandLine().getOut();
    out.printf("crosscheck-measures %s..%s: %d persons, %d population comparisons, %d agree (%.2f%%), %d differ,"
            + " %d evaluations the other engine could not finish; %.1f s (other engine %.1f s); files in %s%n",
        start, end, r.persons(), r.comparisons(), r.agreements(), 100 * r.agreementRate(), r.disagreements().size(),
        r.peerErrors().size(), r.seconds(), r.peerSeconds(), r.dir());
    out.printf("explained as defects of the other engine: %d differences, %d failed evaluations; unexplained: %d%n",
        r.explainedDisagreements(), r.explainedPeerErrors(), r.unexplained());
    TextTable t = new TextTable("person_key", "measure", "group", "population", "evaluate-measures", "cqf-fhir-cr");
    r.disagreements().stream().limit(50).forEach(d -> t.row(d.personKey(), d.measure(), d.group(), d.population(),
        d.ours(), d.theirs()));
    if (!r.disagreements().isEmpty()) {
      t.print(out);
      out.println("(all in " + r.dir().resolve("disagreements.csv") + ")");
    }
    r.peerErrors().stream().limit(10).forEach(e -> out.println("other engine error: " + e.personKey() + " "
        + e.measure() + ": " + e.message()));
    out.flush();
    return r.unexplained() == 0 ? 0 : 1;
  }
}
