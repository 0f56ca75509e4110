package org.pophealth.tools.bench;

import java.nio.file.Path;
import java.time.LocalDate;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.measures.EvaluateMeasures;

/**
 * {@code bench measures}: ingest a Synthea population into a scratch lakehouse, then evaluate the
 * package's measures for every person; reports person-measure evaluations per second of the
 * evaluation stage (HAPI parse + CQL engine inside Spark tasks) and of the whole job.
 */
public final class BenchMeasures {
  private final Lakehouse scratch;
  private final Path export;
  private final String packageLocation;
  private final LocalDate start;
  private final LocalDate end;

  public BenchMeasures(Lakehouse scratch, Path export, String packageLocation, LocalDate start, LocalDate end) {
    this.scratch = scratch;
    this.export = export;
    this.packageLocation = packageLocation;
    this.start = start;
    this.end = end;
  }

  /** {@code measured}: the runs after the warm-up, in order. */
  public record Result(IngestResult ingest, EvaluateMeasures.Result warm, java.util.List<EvaluateMeasures.Result> measured) {}

  /** Ingests (unless the lakehouse already holds the population), warms up, then measures {@code runs} runs. */
  public Result execute(int runs) throws Exception {
    // a kept lakehouse that already holds the population is reused (its ingest result is then null)
    IngestResult ingest = scratch.exists("bronze.fhir_resource") ? null
        : new IngestFhirExport(scratch, "ehr", export.toString()).execute();
    // first run warms the JVM (engine, ELM, value sets, JIT); the second is measured
    EvaluateMeasures.Result warm = new EvaluateMeasures(scratch, packageLocation, start, end).full(true).execute();
    warm.release();
    java.util.List<EvaluateMeasures.Result> measured = new java.util.ArrayList<>();
    for (int i = 0; i < runs; i++) {
      EvaluateMeasures.Result r = new EvaluateMeasures(scratch, packageLocation, start, end).full(true).execute();
      r.release();
      measured.add(r);
    }
    return new Result(ingest, warm, measured);
  }
}
