package org.pophealth.ingest.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pophealth.ingest.IngestFhirGolden;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.GoldenCase;
import org.pophealth.testing.GoldenJob;

/**
 * {@code ingest-claims} cases: each phase ingests its {@code input/} delivery folder as source {@code golden};
 * every run reconciles, and the bronze rows it reports added are exactly the bronze.claim_row rows of its run.
 * Tables are compared on the rows of source golden, ops.claim_validation and ops.ingest_reconciliation on the
 * rows of this phase's run. Option {@code charset}: the source's {@code sources.<name>.charset} (default UTF-8);
 * option {@code quality_dir}: a folder of the case whose files replace the packaged data-quality tests'
 * ({@code claims.quality_dir}).
 */
public final class IngestClaimsGolden implements GoldenJob {
  @Override
  public Set<String> options() {
    return Set.of("charset", "quality_dir");
  }

  @Override
  public Outcome run(GoldenCase c, Path phase, Lakehouse lh) throws Exception {
    IngestClaims job = new IngestClaims(lh, "golden", phase.resolve("input").toString());
    if (c.options().containsKey("charset")) {
      job.charset(c.option("charset", null), "sources.golden.charset");
    }
    if (c.options().containsKey("quality_dir")) {
      job.rules(new ValidationRules(Map.of(), null,
          ClaimQualityTests.load(c.dir().resolve(c.option("quality_dir", null)).toString())));
    }
    ClaimsIngestResult r = job.execute();
    assertTrue(r.reconciled(), c.label(phase) + ": read = loaded + quarantined");
    assertEquals(lh.read("bronze.claim_row").filter("ingest_run_id = '" + r.runId() + "'").count(),
        r.bronzeRowsAdded(), c.label(phase) + ": bronze rows added = bronze rows of the run");
    return IngestFhirGolden.sourceAndRun(r.runId(), List.of("ops.claim_validation", "ops.ingest_reconciliation"));
  }
}
