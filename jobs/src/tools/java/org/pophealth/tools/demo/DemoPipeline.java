package org.pophealth.tools.demo;

import org.pophealth.tools.generate.GeneratePayerClaims;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.config.SchedulerConfig;
import org.pophealth.schedule.RunPipeline;

/**
 * The demo as a configured pipeline: {@code demo.jobs} of the config, pophealth jobs run one after the
 * other by the pipeline runner (so the demo's runs are in ops.job_run and {@code runs}), with the demo's
 * prepared inputs as variables. {@code bin/pophealth demo} and {@code bench pipeline} both run it.
 */
public final class DemoPipeline {
  public static final String NAME = "demo";

  private DemoPipeline() {}

  /** Where the demo payer's files (and its member truth file) are generated. */
  public static Path payerDir(PopHealthConfig config, Path ehrExport) {
    return Path.of(config.demo().cacheDir()).resolve("payer")
        .resolve(ehrExport.getFileName() + "-s" + config.claims().demoPayer().seed());
  }

  /**
   * Test data for the second source: the demo payer's claims files derived from the EHR population
   * ({@link GeneratePayerClaims}; reused when already generated). Returns the variables of the demo's jobs.
   */
  public static Map<String, String> prepare(PopHealthConfig config, Path ehrExport, PrintWriter out)
      throws java.io.IOException {
    PopHealthConfig.DemoPayer p = config.claims().demoPayer();
    Path dir = payerDir(config, ehrExport);
    GeneratePayerClaims.Result g = new GeneratePayerClaims(ehrExport, dir, p).execute();
    if (out != null) {
      out.printf("payer files: %d members, %d medical lines, %d pharmacy lines in %s (truth: member_truth.csv)%n",
          g.members(), g.medicalLines(), g.pharmacyLines(), dir);
    }
    var period = config.measurementPeriod();
    Map<String, String> vars = new HashMap<>(RunPipeline.periodVariables(period.start(), period.end()));
    vars.put("ehr_export", ehrExport.toString());
    vars.put("payer_source", p.name());
    vars.put("payer_dir", dir.toString());
    vars.put("trend_periods", Integer.toString(config.demo().trendPeriods()));
    vars.put("payment_year", Integer.toString(config.risk().paymentYear()));
    vars.put("prior_payment_year", Integer.toString(config.risk().paymentYear() - 1));
    return Map.copyOf(vars);
  }

  /** {@code demo.jobs} as a pipeline: each job after the one before it, none retried. */
  public static SchedulerConfig.Pipeline pipeline(PopHealthConfig config) {
    List<SchedulerConfig.Job> jobs = config.demo().jobs();
    if (jobs == null || jobs.isEmpty()) {
      throw new IllegalArgumentException("demo.jobs: the demo's pipeline has no jobs");
    }
    List<SchedulerConfig.Job> chain = new ArrayList<>();
    String previous = null;
    for (SchedulerConfig.Job j : jobs) {
      if (j.after() != null) {
        throw new IllegalArgumentException("demo.jobs[" + j.name() + "]: the demo's jobs run in their order; no `after`");
      }
      chain.add(new SchedulerConfig.Job(j.name(), j.command(), previous == null ? null : List.of(previous), 0, 0.0,
          j.enabled()));
      previous = j.name();
    }
    return new SchedulerConfig.Pipeline(NAME, null, null, List.copyOf(chain));
  }

  /** Runs the demo's pipeline with {@code runner} (its launcher decides which lakehouse the jobs use). */
  public static RunPipeline.Result run(RunPipeline runner, PopHealthConfig config, Map<String, String> variables) {
    return runner.execute(pipeline(config), NAME, variables);
  }
}
