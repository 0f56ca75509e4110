package org.pophealth.demo;

import java.io.PrintWriter;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.lakehouse.Lakehouse;

/**
 * One stage of {@code bin/pophealth demo}. Later capabilities (claims, identity, risk, duplicate tests,
 * measures, cohorts, publish) add a stage to {@link DemoPipeline#stages()}.
 */
public interface DemoStage {
  String name();

  /** Runs the stage and prints a short summary to {@code out}. */
  void run(Lakehouse lakehouse, PopHealthConfig config, DemoInputs inputs, PrintWriter out) throws Exception;
}
