package org.pophealth.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.FixtureTables;
import org.pophealth.testing.GoldenCase;
import org.pophealth.testing.GoldenJob;

/**
 * {@code find-hcc-gaps} cases, with the packaged recapture and suspect rules. Each phase replaces the tables
 * named by {@code input/<zone>.<table>.ndjson} (gold.risk_factor, gold.risk_score, silver.event,
 * ops.hcc_gap_review) and runs the job; the result's counts must agree with the table. Options:
 * {@code payment_year} (default 2026); {@code rerun} (a second run must give identical rows).
 */
public final class FindHccGapsGolden implements GoldenJob {
  @Override
  public Set<String> options() {
    return Set.of("payment_year", "rerun");
  }

  @Override
  public Outcome run(GoldenCase c, Path phase, Lakehouse lh) throws Exception {
    int year = Integer.parseInt(c.option("payment_year", "2026"));
    FixtureTables.replaceFolder(lh, phase.resolve("input"));
    String label = c.label(phase);
    FindHccGaps.Result r = new FindHccGaps(lh, year).execute();
    Dataset<Row> gaps = lh.read("gold.hcc_gap").filter("payment_year = " + year);
    assertEquals(gaps.count(), r.gaps(), label + ": gaps counted");
    assertEquals(gaps.filter("gap_kind = 'recapture'").count(), r.recapture(), label + ": recapture gaps counted");
    assertEquals(gaps.filter("status = 'open'").count(), r.open(), label + ": open gaps counted");
    assertEquals(gaps.filter("status = 'dismissed'").count(), r.dismissed(), label + ": dismissed gaps counted");
    if (c.flag("rerun")) {
      List<String> before = sorted(gaps);
      new FindHccGaps(lh, year).execute();
      assertEquals(before, sorted(lh.read("gold.hcc_gap").filter("payment_year = " + year)),
          label + ": a re-run gives the same rows");
    }
    return new Outcome() {};
  }

  private static List<String> sorted(Dataset<Row> d) {
    return d.toJSON().collectAsList().stream().sorted().toList();
  }
}
