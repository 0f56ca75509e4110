package org.pophealth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.pophealth.config.ConfigLoader;
import org.pophealth.testing.SharedSpark;

/**
 * The two clusterings, GraphX (large inputs) and union-find on the driver (up to half a million records, every
 * run of the demo and the tests), on one hand-made graph whose clusters follow from the guard's rules
 * (pophealth-defaults.yaml: ssn_max_edits 1, sex: true): each must give exactly these clusters and refusals.
 */
class ClusterRecordsTest {
  private static final StructType LINKS = new StructType().add("uid_l", "long").add("uid_r", "long")
      .add("match_weight", "double").add("must", "boolean");
  private static final StructType GUARD = new StructType().add("uid", "long").add("ssn", "string")
      .add("sex", "string");
  private static final StructType CANNOT = new StructType().add("uid_l", "long").add("uid_r", "long");

  // 1-2 joins; 2-4 would put SSNs 111111111 and 999999999 (not directly linked) in one cluster: refused.
  // 10-11 joins; 11-12 would join the cannot-link pair 10-12: refused.
  // 20-21 is a reviewer's must-link: joined though the sexes differ.
  // 30-31 joins; 31-32 would put sexes m and f (not directly linked) in one cluster: refused.
  // 40-41 differ in SSN but link directly: the model weighed that, the guard does not refuse it.
  private static final List<Row> LINK_ROWS = List.of(
      RowFactory.create(1L, 2L, 10.0, false), RowFactory.create(2L, 4L, 5.0, false),
      RowFactory.create(10L, 11L, 8.0, false), RowFactory.create(11L, 12L, 7.0, false),
      RowFactory.create(20L, 21L, 1e6, true),
      RowFactory.create(30L, 31L, 9.0, false), RowFactory.create(31L, 32L, 4.0, false),
      RowFactory.create(40L, 41L, 6.0, false));
  private static final List<Row> GUARD_ROWS = List.of(
      RowFactory.create(1L, "111111111", "f"), RowFactory.create(2L, null, "f"),
      RowFactory.create(4L, "999999999", "f"), RowFactory.create(10L, null, null),
      RowFactory.create(11L, null, null), RowFactory.create(12L, null, null), RowFactory.create(20L, null, "m"),
      RowFactory.create(21L, null, "f"), RowFactory.create(30L, null, "m"), RowFactory.create(31L, null, null),
      RowFactory.create(32L, null, "f"), RowFactory.create(40L, "222222222", "m"),
      RowFactory.create(41L, "888888888", "m"), RowFactory.create(99L, "333333333", "m"));

  private static final List<String> CLUSTERS = List.of("1:1", "2:1", "4:4", "10:10", "11:10", "12:12", "20:20",
      "21:20", "30:30", "31:30", "32:32", "40:40", "41:40");
  private static final List<String> REFUSED = List.of("2:4 guard: different ssn", "11:12 reviewer: cannot-link",
      "31:32 guard: different sex");

  @Test
  void graphxAndDriverGiveTheGuardsClusters() {
    SparkSession spark = SharedSpark.spark();
    Dataset<Row> links = spark.createDataFrame(LINK_ROWS, LINKS);
    Dataset<Row> guard = spark.createDataFrame(GUARD_ROWS, GUARD);
    Dataset<Row> cannot = spark.createDataFrame(List.of(RowFactory.create(10L, 12L)), CANNOT);
    ClusterRecords cluster = new ClusterRecords(LinkageSettings.of(ConfigLoader.defaults().identity(), false));
    for (ClusterRecords.Result r : List.of(cluster.execute(spark, links, guard, cannot),
        cluster.executeLocal(spark, links, guard, cannot))) {
      assertEquals(CLUSTERS, r.clusters().collectAsList().stream()
          .sorted(java.util.Comparator.comparingLong((Row x) -> x.getLong(0)))
          .map(x -> x.getLong(0) + ":" + x.getLong(1)).toList());
      assertEquals(REFUSED, r.refused().collectAsList().stream()
          .sorted(java.util.Comparator.comparingLong((Row x) -> x.getLong(0)))
          .map(x -> x.getLong(0) + ":" + x.getLong(1) + " " + x.getString(2)).toList());
      assertEquals(5, r.components()); // linked components before the guard: 1-2-4, 10-11-12, 20-21, 30-31-32, 40-41
    }
  }
}
