package org.pophealth.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.GoldenCase;
import org.pophealth.testing.GoldenJob;

/**
 * {@code ingest-fhir} cases: each phase ingests its {@code input/} export folder as source {@code golden};
 * every run reconciles (read = loaded + quarantined + informational) and the bronze rows it reports added are exactly the
 * bronze rows of its run. Tables are compared on the rows of source golden,
 * ops.ingest_reconciliation and ops.ingest_run on the rows of this phase's run. Option {@code chunk_bytes}: the parse chunk size.
 */
public final class IngestFhirGolden implements GoldenJob {
  @Override
  public Set<String> options() {
    return Set.of("chunk_bytes");
  }

  @Override
  public Outcome run(GoldenCase c, Path phase, Lakehouse lh) throws Exception {
    IngestFhirExport job = new IngestFhirExport(lh, "golden", phase.resolve("input").toString());
    if (c.options().containsKey("chunk_bytes")) {
      job.chunkBytes(Long.parseLong(c.option("chunk_bytes", null)));
    }
    IngestResult r = job.execute();
    assertTrue(r.reconciled(), c.label(phase) + ": read = loaded + quarantined + informational");
    assertEquals(r.linesRead(), r.linesLoaded() + r.linesQuarantined() + r.linesInformational(), c.label(phase) + ": lines");
    assertEquals(lh.read("bronze.fhir_resource").filter("ingest_run_id = '" + r.runId() + "'").count(),
        r.bronzeRowsAdded(), c.label(phase) + ": bronze rows added = bronze rows of the run");
    return sourceAndRun(r.runId(), List.of("ops.ingest_reconciliation", "ops.ingest_run"));
  }

  /** Rows of source golden; the named run tables: rows of this run. */
  public static Outcome sourceAndRun(String runId, List<String> runTables) {
    return new Outcome() {
      @Override
      public Dataset<Row> table(Lakehouse lakehouse, String name) {
        Dataset<Row> actual = lakehouse.read(name);
        if (List.of(actual.columns()).contains("source")) {
          actual = actual.filter("source = 'golden'");
        }
        if (runTables.contains(name)) {
          actual = actual.filter(actual.col("run_id").equalTo(runId));
        }
        return actual;
      }
    };
  }
}
