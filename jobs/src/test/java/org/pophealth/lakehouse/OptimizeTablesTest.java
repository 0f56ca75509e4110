package org.pophealth.lakehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.pophealth.testing.SharedSpark;

/** OPTIMIZE compacts a table written by many small commits into one file, rows unchanged; small tables are left alone. */
class OptimizeTablesTest {
  @Test
  void manySmallAppendsBecomeOneFileWithTheSameRows() {
    Lakehouse lh = SharedSpark.newLakehouse();
    lh.ensure("ops.cohort_opt_out");
    lh.ensure("gold.cohort_member");
    // 12 commits of 5 rows: 12 files (one task each)
    for (int i = 0; i < 12; i++) {
      lh.append("ops.cohort_opt_out", lh.conform(lh.spark().range(5).coalesce(1).selectExpr(
          "concat('P', id + " + (i * 5) + ") AS person_key", "'*' AS cohort", "'call' AS note",
          "'ann' AS recorded_by", "CAST('2025-06-01 10:00:00' AS TIMESTAMP) AS recorded_at"), "ops.cohort_opt_out"));
    }
    List<Row> before = lh.read("ops.cohort_opt_out").orderBy("person_key").collectAsList();
    assertEquals(60, before.size());

    OptimizeTables.Result r = new OptimizeTables(lh).minFiles(8).execute();

    OptimizeTables.Table opt = r.tables().stream().filter(t -> t.name().equals("ops.cohort_opt_out")).findFirst()
        .orElseThrow();
    assertTrue(opt.compacted());
    assertEquals(12, opt.filesBefore());
    assertEquals(1, opt.filesAfter());
    assertEquals(before, lh.read("ops.cohort_opt_out").orderBy("person_key").collectAsList());
    // an empty table (no files) is below the threshold: untouched, no commit
    OptimizeTables.Table empty = r.tables().stream().filter(t -> t.name().equals("gold.cohort_member")).findFirst()
        .orElseThrow();
    assertFalse(empty.compacted());
    assertEquals(0, lh.version("gold.cohort_member"));
  }
}
