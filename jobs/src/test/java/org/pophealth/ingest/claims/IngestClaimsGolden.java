package org.pophealth.ingest.claims;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.pophealth.ingest.IngestFhirGolden;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.GoldenCase;
import org.pophealth.testing.GoldenJob;

/**
 * {@code ingest-claims} cases: each phase ingests its {@code input/} delivery folder as source {@code golden};
 * every run reconciles. Tables are compared on the rows of source golden, ops.claim_validation and
 * ops.ingest_reconciliation on the rows of this phase's run.
 */
public final class IngestClaimsGolden implements GoldenJob {
  @Override
  public Outcome run(GoldenCase c, Path phase, Lakehouse lh) throws Exception {
    ClaimsIngestResult r = new IngestClaims(lh, "golden", phase.resolve("input").toString()).execute();
    assertTrue(r.reconciled(), c.label(phase) + ": read = loaded + quarantined");
    return IngestFhirGolden.sourceAndRun(r.runId(), List.of("ops.claim_validation", "ops.ingest_reconciliation"));
  }
}
