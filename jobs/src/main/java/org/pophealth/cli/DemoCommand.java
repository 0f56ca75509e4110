package org.pophealth.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.demo.DemoInputs;
import org.pophealth.demo.DemoPipeline;
import org.pophealth.demo.DemoStage;
import org.pophealth.demo.GenerateSyntheaPopulation;
import org.pophealth.lakehouse.Lakehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
      "Run the whole pipeline on a seeded synthetic population: generate it with Synthea (cached, so a",
      "second demo skips generation), ingest it as source `ehr`, run every stage, print what was built."})
final class DemoCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--patients", description = "Population size (default: demo.patients).")
  Integer patients;

  @Option(names = "--seed", description = "Synthea seed (default: demo.seed).")
  Long seed;

  @Option(names = "--years", description = "Years of history (default: demo.years_of_history).")
  Integer years;

  @Option(names = "--ehr-dir", paramLabel = "PATH",
      description = "Use this bulk-export directory instead of generating a Synthea population.")
  Path ehrDir;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = new CliContext(parent.global);
    PopHealthConfig config = ctx.config();
    PopHealthConfig.Demo d = config.demo();
    PrintWriter out = spec.commandLine().getOut();
    Path ehr = ehrDir;
    if (ehr == null) {
      ehr = new GenerateSyntheaPopulation(org.pophealth.io.ProjectFiles.path(d.syntheaScript()),
          Path.of(d.cacheDir()), patients != null ? patients : d.patients(), seed != null ? seed : d.seed(),
          years != null ? years : d.yearsOfHistory()).ages(d.ages()).execute();
    }
    out.println("demo: EHR export " + ehr + ", lakehouse " + config.lakehouse().root());
    Lakehouse lh = ctx.lakehouse();
    DemoInputs inputs = new DemoInputs(ehr);
    // the stages run through the pipeline runner, so the demo's runs are in ops.job_run and `runs`
    Exception[] failure = new Exception[1];
    java.util.List<org.pophealth.schedule.RunPipeline.Step> steps = new java.util.ArrayList<>();
    for (DemoStage stage : DemoPipeline.stages()) {
      steps.add(new org.pophealth.schedule.RunPipeline.Step(stage.name(), "demo stage: " + stage.name(), (o, e) -> {
        out.println();
        out.println("== " + stage.name());
        out.flush();
        try {
          stage.run(lh, config, inputs, out);
          return 0;
        } catch (Exception ex) {
          failure[0] = ex;
          e.print(ex.getMessage());
          return 1;
        }
      }));
    }
    org.pophealth.schedule.RunPipeline.Result run = new org.pophealth.schedule.RunPipeline(lh)
        .executeSteps("demo", "demo", steps);
    if (failure[0] != null) {
      throw failure[0];
    }
    out.println();
    out.println("== lakehouse");
    out.flush();
    new TablesCommandRunner(lh).print(out);
    out.println();
    out.println("Run history: bin/pophealth --lakehouse " + config.lakehouse().root() + " runs --pipeline demo"
        + " (run " + run.runId() + ")");
    out.println("Explore: bin/pophealth --lakehouse " + config.lakehouse().root()
        + " sql \"SELECT event_kind, count(*) FROM silver.event GROUP BY event_kind\"");
    out.flush();
    return 0;
  }
}
