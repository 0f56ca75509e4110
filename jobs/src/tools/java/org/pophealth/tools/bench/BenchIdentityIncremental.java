package org.pophealth.tools.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.identity.ResolveIdentity;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.tools.generate.SyntheticPeople;

/**
 * {@code bench identity --incremental}: resolve-identity over N synthetic records in a scratch lakehouse (the
 * trained first run), then the next night's records: 1% new records (people the generator adds after the first
 * N), 0.1% changed (a new street and phone) and 0.01% deleted. That night is linked twice from the same state:
 * incrementally with the stored model, and in full with the same model (--full) on a copy of the lakehouse, side
 * by side in one JVM. Reports both times, their ratio, and the share of records whose person id is the same.
 */
public final class BenchIdentityIncremental {
  private final Lakehouse lakehouse;
  private final PopHealthConfig.Identity base;
  private final long records;
  private final long seed;

  public BenchIdentityIncremental(Lakehouse lakehouse, PopHealthConfig.Identity base, long records, long seed) {
    this.lakehouse = lakehouse;
    this.base = base;
    this.records = records;
    this.seed = seed;
  }

  public record Result(long records, long nextRecords, double trainedSeconds, double incrementalSeconds,
      double fullSeconds, ResolveIdentity.Result incremental, ResolveIdentity.Result full, long sameIds,
      long comparedIds) {}

  public Result execute() throws Exception {
    int partitions = Integer.parseInt(lakehouse.spark().conf().get("spark.sql.shuffle.partitions", "8"));
    PopHealthConfig.Identity config = config(base);
    String table = lakehouse.root() + "/bench/people";
    SyntheticPeople.generate(lakehouse.spark(), records, seed, partitions).drop("truth_id").write().format("delta")
        .mode("overwrite").save(table);
    long t0 = System.nanoTime();
    new ResolveIdentity(lakehouse, config).execute();
    long t1 = System.nanoTime();

    // the next night: 1% more people's records, 0.1% changed, 0.01% deleted (by a seeded hash of the record id)
    Dataset<Row> next = SyntheticPeople.generate(lakehouse.spark(), Math.round(records * 1.01), seed, partitions)
        .drop("truth_id");
    org.apache.spark.sql.Column h = functions.pmod(functions.xxhash64(col("record_id"), lit(seed)), lit(10_000L));
    next = next.filter(h.notEqual(lit(0L)))
        .withColumn("street", functions.when(h.between(1, 10), functions.concat(lit("9"), col("street")))
            .otherwise(col("street")))
        .withColumn("phone", functions.when(h.between(1, 10), lit(null).cast("string")).otherwise(col("phone")));
    next.write().format("delta").mode("overwrite").save(table + "-next");
    lakehouse.spark().read().format("delta").load(table + "-next").write().format("delta").mode("overwrite")
        .save(table);
    long nextCount = lakehouse.spark().read().format("delta").load(table).count();

    // the same starting state twice: a copy of the lakehouse for the full link
    java.nio.file.Path root = java.nio.file.Path.of(lakehouse.root());
    java.nio.file.Path copy = root.resolveSibling(root.getFileName() + "-full");
    org.apache.commons.io.FileUtils.deleteQuietly(copy.toFile());
    org.apache.commons.io.FileUtils.copyDirectory(root.toFile(), copy.toFile());
    Lakehouse fullLakehouse = new Lakehouse(lakehouse.spark(), copy.toString());
    PopHealthConfig.Identity fullConfig = config;

    long t2 = System.nanoTime();
    ResolveIdentity.Result inc = new ResolveIdentity(lakehouse, config).execute();
    long t3 = System.nanoTime();
    ResolveIdentity.Result full = new ResolveIdentity(fullLakehouse, fullConfig).full(true).execute();
    long t4 = System.nanoTime();

    Map<String, String> a = ids(lakehouse);
    Map<String, String> b = ids(fullLakehouse);
    long same = a.entrySet().stream().filter(e -> e.getValue().equals(b.get(e.getKey()))).count();
    org.apache.commons.io.FileUtils.deleteQuietly(copy.toFile());
    return new Result(records, nextCount, (t1 - t0) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9, inc, full, same,
        Math.max(a.size(), b.size()));
  }

  private static Map<String, String> ids(Lakehouse lh) {
    Map<String, String> out = new HashMap<>();
    for (Row r : lh.read("gold.identity_crosswalk").select("source", "record_id", "person_id").collectAsList()) {
      out.put(r.getString(0) + "\u0000" + r.getString(1), r.getString(2));
    }
    return out;
  }

  /** The identity settings with one source: the bench table. */
  static PopHealthConfig.Identity config(PopHealthConfig.Identity d) {
    Map<String, String> fields = new HashMap<>();
    for (String f : List.of("given_name", "family_name", "birth_date", "sex", "street", "city", "state", "postcode",
        "phone", "ssn")) {
      fields.put(f, f);
    }
    return d.withSources(List.of(new PopHealthConfig.IdentitySource("bench.people", "source", "bench", "record_id",
        "ehr", null, fields)));
  }
}
