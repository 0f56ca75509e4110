package org.pophealth.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.jobs.JobContext;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.measures.LoadMeasurePackage;
import org.pophealth.measures.RunMeasureTestCases;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "measure-test", mixinStandardHelpOptions = true,
    description = {
      "Conformance: ingest eCQM test cases (<Measure>/<case-guid>/*.json plus the expected MeasureReport-*.json)",
      "through the normal ingest path into a scratch lakehouse, evaluate each case, and compare every",
      "population count of every group. Prints one line per failing case and population, then",
      "'N passed, M failed'; exits 1 on any failure."})
final class MeasureTestCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--cases", required = true, paramLabel = "DIR", description = "Folder of test cases.")
  Path cases;

  @Option(names = "--measure", paramLabel = "NAME", description = "Only this measure's folder (e.g. BreastCancerScreeningFHIR).")
  String measure;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(cases)) {
      throw new IllegalArgumentException("--cases is not a directory: " + cases);
    }
    JobContext ctx = new JobContext(parent.global);
    PopHealthConfig config = ctx.config();
    Path scratch = Files.createTempDirectory("pophealth-measure-test-");
    Lakehouse lh = new Lakehouse(ctx.lakehouse().spark(), scratch.toString());
    RunMeasureTestCases.Result r = new RunMeasureTestCases(lh, cases, measure, config.measures().packageDir(),
        config.measurementPeriod().start(), config.measurementPeriod().end()).execute();
    PrintWriter out = spec.commandLine().getOut();
    for (RunMeasureTestCases.Mismatch m : r.mismatches()) {
      out.println("FAIL " + m);
    }
    r.engineErrors().forEach((c, errors) -> {
      if (!errors.isEmpty()) {
        out.println("FAIL " + c + ": evaluation errors " + errors);
      }
    });
    r.dataErrors().forEach((c, errors) -> {
      if (!errors.isEmpty()) {
        out.println("data  " + c + ": the case's data breaks the measure's checks " + errors);
      }
    });
    // a failing measure whose logic uses a partial expansion: say so, the case may need a code past the page
    Map<String, List<String>> partial = LoadMeasurePackage.cached(config.measures().packageDir()).partialValueSets();
    Set<String> failing = new TreeSet<>();
    r.mismatches().forEach(m -> failing.add(m.measure()));
    for (String m : failing) {
      if (partial.containsKey(m)) {
        out.println("note  " + m + " uses value sets whose shipped expansion is partial: " + partial.get(m));
      }
    }
    out.printf("%d passed, %d failed%n", r.passed(), r.failed());
    out.flush();
    return r.failed() == 0 ? 0 : 1;
  }
}
