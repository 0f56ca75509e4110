package org.pophealth.tools.demo;

import org.pophealth.jobs.JobContext;
import org.pophealth.cli.PopHealthCli;
import org.pophealth.cli.TablesCommandRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.tools.demo.DemoPipeline;
import org.pophealth.schedule.RunPipeline;
import org.pophealth.tools.generate.GenerateSyntheaPopulation;
import org.pophealth.lakehouse.Lakehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
      "Run the whole pipeline on a seeded synthetic population: generate it with Synthea (cached, so a",
      "second demo skips generation), derive a payer's claims files from it, then run the demo's pipeline",
      "(demo.jobs: every job, from ingest to publish) and print what each built."})
public final class DemoCommand implements Callable<Integer> {
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
    JobContext ctx = new JobContext(parent.global());
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
    out.println();
    out.println("== demo payer (test data derived from the EHR population)");
    java.util.Map<String, String> variables = DemoPipeline.prepare(config, ehr, out);
    out.flush();
    // demo.jobs through the pipeline runner: each job by its command line, its runs in ops.job_run
    RunPipeline.Result run = PopHealthCli.pipelines(ctx).output(out).execute(DemoPipeline.pipeline(config),
        DemoPipeline.NAME, variables);
    if (!run.succeeded()) {
      RunPipeline.JobResult failed = run.jobs().stream()
          .filter(j -> j.status().equals(RunPipeline.FAILED)).findFirst().orElseThrow();
      throw new DemoFailed("demo job " + failed.job() + " failed: " + failed.error()
          + " (run history: bin/pophealth runs --pipeline demo)");
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
    out.println("Your own tables (SQL on FHIR views, docs/VIEWS.md): bin/pophealth --lakehouse " + config.lakehouse().root()
        + " view run DEF.json; shipped: sql \"SELECT race_code, count(*) FROM view.patient_demographics GROUP BY 1\"");
    out.flush();
    return 0;
  }

  /** A demo job failed: its message is the error (exit code 1, no stack trace needed). */
  static final class DemoFailed extends IllegalStateException {
    DemoFailed(String message) {
      super(message);
    }
  }
}
