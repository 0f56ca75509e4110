package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Links only what changed, with a stored model. The new and changed records are prepared; the stored records
 * ({@code gold.identity_record}) sharing a blocking key with one of them are their partners; only pairs with a
 * new or changed record are compared and scored (with the model's stored term frequencies, as a {@code --full}
 * run with the model weighs them). The persons to re-cluster are those holding a changed or deleted record, those a new link
 * reaches, those named in a reviewer decision, and, through refused or decided links, the persons these touch,
 * so each re-clustered component is whole. Their links are the stored pairs among unchanged records plus the
 * new ones; clustering (with the guard and the decisions) runs on them alone. Every other person is untouched.
 */
final class LinkIncrementally {
  private static final Logger LOG = LoggerFactory.getLogger(LinkIncrementally.class);

  /** Up to this many compared records (new, changed and partners), pairs are made on the driver. */
  static final long LOCAL_PAIR_RECORDS = 500_000;

  private final SparkSession spark;
  private final LinkageSettings settings;
  private final MatchModel model;
  private final Set<Integer> skippedRules;
  private final TermFrequencies termFrequencies;

  /**
   * @param termFrequencies the model's stored term frequencies; null for a model stored before they were, whose
   *     frequencies are counted over every current record
   */
  LinkIncrementally(SparkSession spark, LinkageSettings settings, MatchModel model, Set<Integer> skippedRules,
      TermFrequencies termFrequencies) {
    this.spark = spark;
    this.settings = settings;
    this.model = model;
    this.skippedRules = skippedRules;
    this.termFrequencies = termFrequencies;
  }

  /**
   * @param records (uid, source, record_id, cluster_uid, previous_id) of every re-clustered record
   * @param newPairs the scored pairs with a new or changed record, at or above the review threshold, shaped as
   *     {@link LinkRecords.Result#pairs()}
   * @param keptPairs stored gold.identity_pair rows touching a re-clustered record (none with a new or changed
   *     one), their status and reason recomputed
   * @param prepared the new and changed records as {@link PrepareRecords} made them (without term frequencies)
   * @param affectedPersons previous person ids of the re-clustered records
   */
  record Result(Dataset<Row> records, Dataset<Row> newPairs, Dataset<Row> keptPairs, Dataset<Row> prepared,
      Set<String> affectedPersons, long comparisons, long partners) {}

  /**
   * @param dirtyRaw new and changed records (source, record_id and the person fields as text)
   * @param clean stored gold.identity_record rows of unchanged records
   * @param previous (source, record_id, person_id) of the previous crosswalk, for unchanged and changed records
   * @param gone previous person ids of changed and deleted records
   * @param storedPairs gold.identity_pair without pairs of deleted records
   * @param decisions gold.identity_decision (source_a, record_id_a, source_b, record_id_b, decision)
   * @param current how many records were read (unchanged, new and changed): the denominator of term frequencies
   *     counted over the current records, for a model stored without its own
   */
  Result execute(Dataset<Row> dirtyRaw, Dataset<Row> clean, Dataset<Row> previous, Set<String> gone,
      Dataset<Row> storedPairs, Dataset<Row> decisions, long current) {
    long t = System.nanoTime();
    ReferenceLists lists = ReferenceLists.get();
    int partitions = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions", "8"));
    int rules = settings.blockingRules().size();
    // term frequencies are the model's (or counted over every current record below), not these records' alone
    PrepareRecords.Result prep = new PrepareRecords(settings.withTermFrequencyFields(Set.of()), Map.of())
        .execute(dirtyRaw);
    List<PersonField> fields = prep.fields();
    if (!model.fields().equals(fields)) {
      throw new IllegalArgumentException("the stored identity model compares " + model.fields()
          + " but the records have " + fields + ": estimate a new model (--retrain)");
    }
    List<Column> base = new ArrayList<>(List.of(col("uid"), col("source"), col("record_id")));
    for (PersonField f : fields) {
      base.add(col(f.column()));
    }
    List<Column> dirtyCols = new ArrayList<>(base);
    for (int i = 0; i < rules; i++) {
      dirtyCols.add(skippedRules.contains(i) ? lit(null).cast("string").as("key_" + i) : col("key_" + i));
    }
    Dataset<Row> dirty = prep.records().select(dirtyCols.toArray(new Column[0])).localCheckpoint();
    long dirtyCount = prep.count();
    t = StepLog.step(LOG, "prepare", t);

    // partners: unchanged records sharing a (compared) key with a new or changed record
    List<Column> cleanCols = new ArrayList<>(base);
    List<Column> keyStructs = new ArrayList<>();
    for (int i = 0; i < rules; i++) {
      keyStructs.add(functions.struct(lit(i).as("rule"), col("key_" + i).as("key")));
    }
    // the night's (rule, key) pairs are data joined by broadcast, not IN lists in the plan: with an IN list of
    // thousands of keys per rule, Spark's constraint propagation through the joins of the stored records hashed
    // the lists over and over (at 1M records, 60 s of planning for 8 s of scan)
    Dataset<Row> nightKeys = dirty.select(functions.explode(functions.array(keyStructs.toArray(new Column[0])))
        .as("k")).select("k.rule", "k.key").filter(col("key").isNotNull()).distinct().localCheckpoint();
    for (int i = 0; i < rules; i++) {
      cleanCols.add(skippedRules.contains(i) ? lit(null).cast("string").as("key_" + i)
          : col("blocking_keys").getItem(i).as("key_" + i));
    }
    // a skipped rule's key is null in the night's records, so no stored key of that rule is among them
    Dataset<Row> partnerUids = clean
        .select(col("uid"), functions.posexplode(col("blocking_keys")).as(new String[] {"rule", "key"}))
        .join(functions.broadcast(nightKeys), new String[] {"rule", "key"}, "left_semi")
        .select("uid").distinct().localCheckpoint();
    Dataset<Row> partners = clean.join(functions.broadcast(partnerUids), new String[] {"uid"}, "left_semi")
        .select(cleanCols.toArray(new Column[0])).localCheckpoint();
    long partnerCount = partners.count();
    t = StepLog.step(LOG, "partners", t);
    Dataset<Row> subset = dirty.withColumn("dirty", lit(true)).unionByName(partners.withColumn("dirty", lit(false)));
    subset = dropOversized(subset, rules);
    TermFrequencies tf = termFrequencies != null ? termFrequencies
        : TermFrequencies.of(clean.select(base.toArray(new Column[0])).unionByName(dirty.select(base.toArray(
            new Column[0]))), fields, model.termFrequencyFields(), current);
    subset = tf.apply(subset, fields, model.termFrequencyFields()).localCheckpoint();
    t = StepLog.step(LOG, "block sizes and term frequencies", t);

    GeneratePairs generate = new GeneratePairs(settings, fields, lists);
    long subsetCount = subset.count();
    Dataset<Row> pairs = subsetCount <= LOCAL_PAIR_RECORDS
        ? spark.createDataFrame(generate.localPairs(subset.collectAsList(), subset.schema()), GeneratePairs.SCHEMA)
            .localCheckpoint()
        : generate.allPairs(subset, partitions).localCheckpoint();
    long comparisons = pairs.count();
    t = StepLog.step(LOG, "pairs", t);
    ScorePairs score = new ScorePairs(model);
    Dataset<Row> candidates = score.weigh(pairs).filter(col("match_probability").geq(lit(settings.reviewThreshold())))
        .localCheckpoint();
    LOG.info("identity: incremental: {} new or changed records, {} partners, {} comparisons", dirtyCount,
        partnerCount, comparisons);

    // which persons to re-cluster
    Dataset<Row> prevRecords = previous.select(PrepareRecords.uid(col("source"), col("record_id")).as("uid"),
        col("source"), col("record_id"), col("person_id")).localCheckpoint();
    Dataset<Row> prevByUid = prevRecords.select("uid", "person_id");
    Set<Long> dirtyUids = new HashSet<>();
    for (Row r : dirty.select("uid").collectAsList()) {
      dirtyUids.add(r.getLong(0));
    }
    Set<String> seeds = new HashSet<>(gone);
    Dataset<Row> linkedUids = candidates.filter(col("match_probability").geq(lit(settings.matchThreshold())))
        .select(col("uid_l").as("uid")).unionByName(candidates
            .filter(col("match_probability").geq(lit(settings.matchThreshold()))).select(col("uid_r").as("uid")));
    Dataset<Row> ids = decisionUids(decisions);
    for (Row r : prevByUid.join(functions.broadcast(linkedUids.unionByName(ids).distinct()), "uid")
        .select("person_id").distinct()
        .collectAsList()) {
      seeds.add(r.getString(0));
    }
    // the refused and decided pairs are few: kept and broadcast, so the persons of every record are not shuffled
    Dataset<Row> barred = functions.broadcast(withPairUids(storedPairs.filter(col("status").isin("refused", "decided")))
        .select("uid_l", "uid_r").localCheckpoint());
    Map<String, Set<String>> edges = new HashMap<>();
    Dataset<Row> barredL = functions.broadcast(prevByUid.toDF("uid_l", "person_l").join(barred, "uid_l")
        .localCheckpoint());
    for (Row r : prevByUid.toDF("uid_r", "person_r").join(barredL, "uid_r")
        .filter(col("person_l").notEqual(col("person_r"))).select("person_l", "person_r").distinct()
        .collectAsList()) {
      edges.computeIfAbsent(r.getString(0), k -> new HashSet<>()).add(r.getString(1));
      edges.computeIfAbsent(r.getString(1), k -> new HashSet<>()).add(r.getString(0));
    }
    Set<String> affected = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(seeds);
    while (!todo.isEmpty()) {
      String p = todo.pop();
      if (affected.add(p)) {
        todo.addAll(edges.getOrDefault(p, Set.of()));
      }
    }
    t = StepLog.step(LOG, "affected persons", t);
    Dataset<Row> affectedDf = spark.createDataset(new ArrayList<>(affected),
        org.apache.spark.sql.Encoders.STRING()).toDF("person_id");

    // the records to re-cluster: the affected persons' unchanged records and every new or changed record
    // their unchanged records from the previous crosswalk (held in memory), not from another scan of
    // gold.identity_record: both hold the same records
    Dataset<Row> cleanR = prevRecords.join(functions.broadcast(affectedDf), "person_id")
        .join(uidsAs(dirty, "uid"), new String[] {"uid"}, "left_anti")
        .select(col("uid"), col("source"), col("record_id"), col("person_id").as("previous_id"));
    // the small sides (the night's records, the persons to re-cluster) are broadcast: the 1M-row sides stream
    Dataset<Row> dirtyPrevious = prevByUid.join(uidsAs(dirty, "uid"), "uid")
        .withColumnRenamed("person_id", "previous_id");
    Dataset<Row> dirtyR = dirty.select("uid", "source", "record_id")
        .join(functions.broadcast(dirtyPrevious), new String[] {"uid"}, "left");
    Dataset<Row> r = cleanR.unionByName(dirtyR).localCheckpoint();
    Dataset<Row> rUids = uidsAs(r, "uid");

    Dataset<Row> kept = withPairUids(touching(storedPairs, r.select("source", "record_id")))
        .join(uidsAs(dirty, "uid_l"), new String[] {"uid_l"}, "left_anti")
        .join(uidsAs(dirty, "uid_r"), new String[] {"uid_r"}, "left_anti")
        .localCheckpoint();

    t = StepLog.step(LOG, "records and stored pairs to re-cluster", t);
    Dataset<Row> dec = decidedPairs(decisions, r);
    Dataset<Row> must = dec.filter(col("decision").equalTo("must-link")).select("uid_l", "uid_r");
    Dataset<Row> cannot = dec.filter(col("decision").equalTo("cannot-link")).select("uid_l", "uid_r");
    Dataset<Row> accepted = kept.filter(col("match_probability").geq(lit(settings.matchThreshold())))
        .select("uid_l", "uid_r", "match_weight")
        .unionByName(candidates.filter(col("match_probability").geq(lit(settings.matchThreshold())))
            .select("uid_l", "uid_r", "match_weight"))
        .join(cannot, new String[] {"uid_l", "uid_r"}, "left_anti")
        .withColumn("must", lit(false));
    Dataset<Row> links = accepted.unionByName(must.select(col("uid_l"), col("uid_r"), lit(1e6).as("match_weight"),
        lit(true).as("must")));
    Dataset<Row> guard = clean.select(col("uid"), col("ssn"), col("sex")).join(rUids, "uid")
        .unionByName(dirty.select(col("uid"), guardColumn(fields, PersonField.SSN), guardColumn(fields, PersonField.SEX)));
    // the re-clustered records: on the driver up to ClusterRecords.LOCAL_RECORDS (same guard either way)
    ClusterRecords.Result clustered = new ClusterRecords(settings).execute(spark, links, guard, cannot, r.count());
    Dataset<Row> clusters = clustered.clusters().localCheckpoint();
    Dataset<Row> refused = clustered.refused().localCheckpoint();
    Dataset<Row> records = r.join(clusters, new String[] {"uid"}, "left")
        .withColumn("cluster_uid", functions.coalesce(col("cluster_uid"), col("uid"))).localCheckpoint();

    StepLog.step(LOG, "clusters", t);
    Dataset<Row> decided = dec.select("uid_l", "uid_r").distinct().withColumn("decided", lit(true));
    Dataset<Row> names = subset.select("uid", "source", "record_id");
    Dataset<Row> newPairs = status(score.explain(candidates), refused, decided)
        .join(names.toDF("uid_l", "source_l", "record_id_l"), "uid_l")
        .join(names.toDF("uid_r", "source_r", "record_id_r"), "uid_r");
    Dataset<Row> keptPairs = status(kept.drop("status", "reason"), refused, decided).drop("uid_l", "uid_r");
    keptPairs = keptPairs.localCheckpoint();
    newPairs = newPairs.localCheckpoint();
    return new Result(records, newPairs, keptPairs, dirty, affected, comparisons, partnerCount);
  }

  /** Up to this many record ids, a scan for the pairs touching them is narrowed by their ids first. */
  static final int PREFILTER_IDS = 100_000;

  /**
   * The rows of {@code pairs} (gold.identity_pair's shape) with a side among {@code records} (source, record_id; few,
   * held in memory): one scan narrowed by the record ids (which file statistics can skip on) and kept, then the
   * exact match on each side, instead of a scan of the whole table per side.
   */
  static Dataset<Row> touching(Dataset<Row> pairs, Dataset<Row> records) {
    List<Object> ids = new ArrayList<>();
    for (Row r : records.select("record_id").distinct().collectAsList()) {
      ids.add(r.getString(0));
    }
    Dataset<Row> near = pairs;
    if (ids.size() <= PREFILTER_IDS) {
      Object[] idArray = ids.toArray();
      near = pairs.filter(col("record_id_a").isin(idArray).or(col("record_id_b").isin(idArray))).localCheckpoint();
    }
    Dataset<Row> sideA = functions.broadcast(records.select(col("source").as("source_a"),
        col("record_id").as("record_id_a")));
    Dataset<Row> sideB = functions.broadcast(records.select(col("source").as("source_b"),
        col("record_id").as("record_id_b")));
    // a pair with both sides among the records is taken once, from side a
    return near.join(sideA, new String[] {"source_a", "record_id_a"}, "left_semi")
        .unionByName(near.join(sideB, new String[] {"source_b", "record_id_b"}, "left_semi")
            .join(sideA, new String[] {"source_a", "record_id_a"}, "left_anti"));
  }

  /** The uids of a few records as one broadcast column named {@code name}. */
  private static Dataset<Row> uidsAs(Dataset<Row> records, String name) {
    return functions.broadcast(records.select(col("uid").as(name)));
  }

  /** Pairs with the uids of their sides, smaller first (uid_l, uid_r). */
  private static Dataset<Row> withPairUids(Dataset<Row> pairs) {
    return pairs
        .withColumn("ua", PrepareRecords.uid(col("source_a"), col("record_id_a")))
        .withColumn("ub", PrepareRecords.uid(col("source_b"), col("record_id_b")))
        .withColumn("uid_l", functions.least(col("ua"), col("ub")))
        .withColumn("uid_r", functions.greatest(col("ua"), col("ub")))
        .drop("ua", "ub");
  }

  /** A guard column of the night's records: the field, or null when the sources do not map it. */
  private static Column guardColumn(List<PersonField> fields, PersonField f) {
    return fields.contains(f) ? col(f.column()) : lit(null).cast("string").as(f.column());
  }

  /** The status of each pair as a full run gives it: refused (with the guard's reason), decided, match or review. */
  private Dataset<Row> status(Dataset<Row> pairs, Dataset<Row> refused, Dataset<Row> decided) {
    return pairs.join(refused, new String[] {"uid_l", "uid_r"}, "left")
        .join(decided, new String[] {"uid_l", "uid_r"}, "left")
        .withColumn("status", functions
            .when(col("reason").isNotNull(), lit("refused"))
            .when(col("decided").isNotNull(), lit("decided"))
            .when(col("match_probability").geq(lit(settings.matchThreshold())), lit("match"))
            .otherwise(lit("review")))
        .drop("decided");
  }

  /** Keys of blocks that grew over max_block_size are dropped, as a full run's blocking plan drops them. */
  private Dataset<Row> dropOversized(Dataset<Row> subset, int rules) {
    List<Column> keyed = new ArrayList<>();
    for (int i = 0; i < rules; i++) {
      keyed.add(functions.struct(lit(i).as("rule"), col("key_" + i).as("key")));
    }
    List<Row> big = subset.select(functions.explode(functions.array(keyed.toArray(new Column[0]))).as("k"))
        .select("k.rule", "k.key").filter(col("key").isNotNull()).groupBy("rule", "key").count()
        .filter(col("count").gt(settings.maxBlockSize())).collectAsList();
    Map<Integer, List<Object>> byRule = new HashMap<>();
    for (Row b : big) {
      byRule.computeIfAbsent(b.getInt(0), k -> new ArrayList<>()).add(b.getString(1));
    }
    Dataset<Row> out = subset;
    for (Map.Entry<Integer, List<Object>> e : byRule.entrySet()) {
      String k = "key_" + e.getKey();
      out = out.withColumn(k, functions.when(col(k).isin(e.getValue().toArray()), lit(null).cast("string"))
          .otherwise(col(k)));
    }
    return out;
  }

  private static Dataset<Row> decisionUids(Dataset<Row> decisions) {
    return decisions.select(PrepareRecords.uid(col("source_a"), col("record_id_a")).as("uid"))
        .unionByName(decisions.select(PrepareRecords.uid(col("source_b"), col("record_id_b")).as("uid")));
  }

  /** Decisions between two re-clustered records, as (uid_l, uid_r, decision). */
  private static Dataset<Row> decidedPairs(Dataset<Row> decisions, Dataset<Row> r) {
    Dataset<Row> uids = r.select("uid");
    return decisions
        .select(PrepareRecords.uid(col("source_a"), col("record_id_a")).as("ua"),
            PrepareRecords.uid(col("source_b"), col("record_id_b")).as("ub"), col("decision"))
        .select(functions.least(col("ua"), col("ub")).as("uid_l"), functions.greatest(col("ua"), col("ub")).as("uid_r"),
            col("decision"))
        .join(uids.withColumnRenamed("uid", "uid_l"), "uid_l")
        .join(uids.withColumnRenamed("uid", "uid_r"), "uid_r");
  }
}
