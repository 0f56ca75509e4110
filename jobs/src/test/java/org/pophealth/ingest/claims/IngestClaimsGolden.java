package org.pophealth.ingest.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pophealth.config.PopHealthConfig;
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
 * Option {@code accept_gate}: {@code phase=gate+gate;phase=all} — those phases run {@code --accept-gate} with
 * the gates instead of ingesting a folder (they have no {@code input/}). Option {@code held}: the phases
 * ({@code a,b}) whose delivery a gate holds (every other ingest phase must pass); silver must be exactly as before
 * them. Option {@code min_lines}: {@code claims.gates.min_lines} (the other thresholds are the defaults). Option
 * {@code chunk_bytes}: {@code ingest.chunk_bytes}, so tiny CSV files are read in parallel chunks (the expected
 * rows, numbers and errors are those of one reader).
 */
public final class IngestClaimsGolden implements GoldenJob {
  @Override
  public Set<String> options() {
    return Set.of("charset", "quality_dir", "accept_gate", "held", "min_lines", "chunk_bytes");
  }

  @Override
  public Outcome run(GoldenCase c, Path phase, Lakehouse lh) throws Exception {
    String name = c.dir().relativize(phase).toString();
    String accept = phaseOptions(c.option("accept_gate", "")).get(name);
    if (accept != null) {
      ClaimsIngestResult r = new IngestClaims(lh, "golden", null).gates(gates(c))
          .release(new TreeSet<>(List.of(accept.split("\\+"))));
      assertEquals(DeliveryGates.RELEASED, r.gate().decision(), c.label(phase) + ": released");
      return IngestFhirGolden.sourceAndRun(r.runId(), List.of("ops.claim_validation", "ops.ingest_reconciliation"));
    }
    IngestClaims job = new IngestClaims(lh, "golden", phase.resolve("input").toString()).gates(gates(c));
    if (c.options().containsKey("charset")) {
      job.charset(c.option("charset", null), "sources.golden.charset");
    }
    if (c.options().containsKey("chunk_bytes")) {
      job.chunkBytes(Long.parseLong(c.option("chunk_bytes", null)));
    }
    if (c.options().containsKey("quality_dir")) {
      job.rules(new ValidationRules(Map.of(), null,
          ClaimQualityTests.load(c.dir().resolve(c.option("quality_dir", null)).toString())));
    }
    boolean held = !name.isEmpty() && List.of(c.option("held", "").split(",")).contains(name);
    Map<String, List<String>> before = held ? silver(lh) : Map.of();
    ClaimsIngestResult r = job.execute();
    assertTrue(r.reconciled(), c.label(phase) + ": read = loaded + quarantined");
    assertEquals(lh.read("bronze.claim_row").filter("ingest_run_id = '" + r.runId() + "'").count(),
        r.bronzeRowsAdded(), c.label(phase) + ": bronze rows added = bronze rows of the run");
    assertEquals(held, r.held(), c.label(phase) + ": held by a delivery gate"
        + (r.gate() == null ? "" : " " + r.gate().messages()));
    if (held) {
      assertEquals(before, silver(lh), c.label(phase) + ": silver is exactly as before the held delivery");
    }
    return IngestFhirGolden.sourceAndRun(r.runId(), List.of("ops.claim_validation", "ops.ingest_reconciliation"));
  }

  private static PopHealthConfig.Gates gates(GoldenCase c) {
    PopHealthConfig.Gates d = PopHealthConfig.Gates.defaults();
    return new PopHealthConfig.Gates(d.baselineDeliveries(), Long.parseLong(c.option("min_lines",
        String.valueOf(d.minLines()))), d.volumeDropPercent(), d.pmpmChangePercent(), d.undeterminedShareMax(),
        d.providerDropPercent(), d.missingMonth());
  }

  /** The source's silver rows per table, as sorted JSON lines. */
  private static Map<String, List<String>> silver(Lakehouse lh) {
    Map<String, List<String>> m = new TreeMap<>();
    for (String t : List.of("silver.medical_claim", "silver.pharmacy_claim", "silver.eligibility",
        "silver.claim_line_version", "silver.member_month", "silver.event")) {
      if (lh.exists(t)) {
        m.put(t, lh.read(t).filter("source = 'golden'").toJSON().collectAsList().stream().sorted().toList());
      }
    }
    return m;
  }

  private static Map<String, String> phaseOptions(String option) {
    Map<String, String> m = new TreeMap<>();
    for (String p : option.split(";")) {
      if (!p.isBlank()) {
        String[] kv = p.split("=", 2);
        m.put(kv[0].trim(), kv[1].trim());
      }
    }
    return m;
  }
}
