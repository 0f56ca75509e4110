package org.pophealth.tools.bench;

import static org.apache.spark.sql.functions.col;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.pophealth.identity.LinkRecords;
import org.pophealth.identity.LinkageSettings;
import org.pophealth.tools.generate.SyntheticPeople;

/**
 * {@code bench identity}: links N synthetic person records with known truth (seeded
 * {@link SyntheticPeople}) and reports wall time, comparisons and pairwise precision/recall.
 */
public final class BenchIdentity {
  private final SparkSession spark;
  private final LinkageSettings settings;
  private final long records;
  private final long seed;

  public BenchIdentity(SparkSession spark, LinkageSettings settings, long records, long seed) {
    this.spark = spark;
    this.settings = settings;
    this.records = records;
    this.seed = seed;
  }

  public record Result(long records, double generateSeconds, double linkSeconds, long comparisons, long clusters,
      double precision, double recall, List<LinkRecords.RuleReport> rules) {}

  public Result execute() {
    int partitions = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions", "8"));
    long t0 = System.nanoTime();
    Dataset<Row> people = SyntheticPeople.generate(spark, records, seed, partitions).persist(StorageLevel.MEMORY_AND_DISK());
    long n = people.count();
    long t1 = System.nanoTime();
    LinkRecords.Result r = new LinkRecords(spark, settings, Map.of()).execute(people.drop("truth_id"), null);
    Dataset<Row> assigned = r.records().join(people.select("source", "record_id", "truth_id"),
        new String[] {"source", "record_id"}).persist(StorageLevel.MEMORY_AND_DISK());
    double tp = pairs(assigned.groupBy("cluster_uid", "truth_id").count());
    double predicted = pairs(assigned.groupBy("cluster_uid").count());
    double truth = pairs(assigned.groupBy("truth_id").count());
    long t2 = System.nanoTime();
    assigned.unpersist();
    people.unpersist();
    return new Result(n, (t1 - t0) / 1e9, (t2 - t1) / 1e9, r.comparisons(), r.clusters(),
        predicted == 0 ? 1 : tp / predicted, truth == 0 ? 1 : tp / truth, r.rules());
  }

  private static double pairs(Dataset<Row> counts) {
    Row row = counts.agg(functions.sum(col("count").multiply(col("count").minus(1)).divide(2))).head();
    return row.isNullAt(0) ? 0 : row.getDouble(0);
  }
}
