package org.pophealth.lakehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.pophealth.testing.SharedSpark;

/**
 * Counters come from the write's own commit: a write with nothing to write reports 0, not the table's
 * previous commit (Delta records no empty commit); and a table written before its contract gained nullable
 * columns gets them on first use.
 */
class WriteCountsTest {
  private static Dataset<Row> optOuts(Lakehouse lh, int from, int n) {
    return lh.conform(lh.spark().range(from, from + n).coalesce(1).selectExpr("concat('P', id) AS person_key",
        "'*' AS cohort", "'call' AS note", "'ann' AS recorded_by",
        "CAST('2025-06-01 10:00:00' AS TIMESTAMP) AS recorded_at"), "ops.cohort_opt_out");
  }

  @Test
  void countsAreTheWritesOwn() {
    Lakehouse lh = SharedSpark.newLakehouse();
    String t = "ops.cohort_opt_out";
    assertEquals(17, lh.appendCounted(t, optOuts(lh, 0, 17)));
    long v = lh.version(t);
    // nothing to write: no commit, and 0 rather than the 17 of the last commit
    assertEquals(0, lh.appendCounted(t, optOuts(lh, 0, 0)));
    assertEquals(v, lh.version(t));
    java.util.Map<String, String> last = lh.delta(t).history(1).select("operationMetrics").head().getJavaMap(0);
    assertEquals("17", last.get("numOutputRows"), "the last commit is still the first append's");
    // insert-only MERGE (rows of the table in scope): only the new keys, then none
    assertEquals(10, lh.insertNew(t, optOuts(lh, 10, 17), "t.note = 'call'"));
    assertEquals(0, lh.insertNew(t, optOuts(lh, 10, 17), "t.note = 'call'"));
    assertEquals(27, lh.read(t).count());
    assertEquals(5, lh.replaceWhereCounted(t, optOuts(lh, 0, 5), "true"));
    assertEquals(0, lh.replaceWhereCounted(t, optOuts(lh, 0, 0), "person_key = 'none'"));
    Lakehouse.MergeCounts m = lh.merge(t, optOuts(lh, 3, 4), "t.person_key = s.person_key",
        "WHEN MATCHED AND s.person_key = 'P3' THEN DELETE WHEN MATCHED THEN UPDATE SET note = 'mail'"
            + " WHEN NOT MATCHED THEN INSERT *");
    assertEquals(new Lakehouse.MergeCounts(2, 1, 1), m);
  }

  @Test
  void columnsAddedToAContractAreAddedToAnOlderTable() {
    Lakehouse lh = SharedSpark.newLakehouse();
    TableContract c = lh.contract("ops.ingest_reconciliation");
    StructType old = new StructType();
    for (StructField f : c.schema().fields()) {
      if (!f.name().startsWith("duplicate_")) {
        old = old.add(f);
      }
    }
    DeltaTable.create(lh.spark()).location(lh.path(c)).addColumns(old).execute();
    Lakehouse fresh = new Lakehouse(lh.spark(), lh.root());
    fresh.append(c.name(), lh.spark().createDataFrame(List.of(org.apache.spark.sql.RowFactory.create("r1", "s",
        "Patient", "output", 1, 2L, 2L, 0L, null, "silver.patient", 2L, 0L, 1L, 1L, null, 0L, 0L)), c.schema()));
    Row r = fresh.read(c.name()).collectAsList().get(0);
    assertEquals(1L, r.getLong(r.fieldIndex("duplicate_ids")));
    assertTrue(List.of(fresh.read(c.name()).columns()).contains("duplicate_lines"));
  }
}
