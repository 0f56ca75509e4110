package org.pophealth.testing;

import java.nio.file.Path;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;

/**
 * How {@link GoldenCaseRunner} runs one job on a phase of a {@link GoldenCase}: reads the phase's
 * {@code input/}, runs the job, and says where its results are. One instance per case (a job may keep
 * state from phase to phase, e.g. the publications of the previous phase).
 */
public interface GoldenJob {
  /** The options this job's cases may set in case.yaml (any other is an error). */
  default Set<String> options() {
    return Set.of();
  }

  /** False for a job that needs no SparkSession (the runner then passes a null lakehouse). */
  default boolean spark() {
    return true;
  }

  /** Runs the job on one phase and asserts what is not a table or a file (counts, reconciliation, re-runs). */
  Outcome run(GoldenCase c, Path phase, Lakehouse lakehouse) throws Exception;

  /** Where one phase's results are. */
  interface Outcome {
    /** The rows of a table that this phase's expected file describes (default: the whole table). */
    default Dataset<Row> table(Lakehouse lakehouse, String name) {
      return lakehouse.read(name);
    }

    /** The file this phase wrote at {@code relative} (the path under {@code expected/files/}). */
    default Path file(Path relative) {
      throw new AssertionError("this job writes no files, yet the case expects " + relative);
    }
  }
}
