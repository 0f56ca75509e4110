package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole linkage of a set of person records: prepare → blocking report → u from random pairs →
 * m by EM per training rule → λ → score every blocked pair → cluster (GraphX + guard) → review band.
 * Reviewer decisions, when given, win: must-links are always linked, cannot-links never.
 */
public final class LinkRecords {
  private static final Logger LOG = LoggerFactory.getLogger(LinkRecords.class);

  /** Up to this many records, a full link makes its pairs on the driver (see {@link GeneratePairs#localPairs}). */
  static final long LOCAL_PAIR_RECORDS = 100_000;

  private final SparkSession spark;
  private LinkageSettings settings;
  private final Map<PersonField, String> dateFormats;
  private MatchModel frozen;

  public LinkRecords(SparkSession spark, LinkageSettings settings, Map<PersonField, String> dateFormats) {
    this.spark = spark;
    this.settings = settings;
    this.dateFormats = dateFormats;
  }

  /**
   * Links with this model instead of estimating one (u, EM and λ are skipped): a stored run's model, so that
   * persons move only when their records change. Its fields must be the records' fields.
   */
  public LinkRecords model(MatchModel model) {
    this.frozen = model;
    return this;
  }

  private TermFrequencies frozenFrequencies;

  /** Weighs with a stored model's term frequencies (null: the records' own, as a trained run counts them). */
  public LinkRecords termFrequencies(TermFrequencies tf) {
    this.frozenFrequencies = tf;
    return this;
  }

  /** Comparisons one blocking rule generates. */
  public record RuleReport(int rule, String expressions, long blocks, long largestBlock, long candidatePairs,
      long newPairs, long skippedBlocks, boolean skippedRule) {
    RuleReport withNewPairs(long n) {
      return new RuleReport(rule, expressions, blocks, largestBlock, candidatePairs, n, skippedBlocks, skippedRule);
    }
  }

  /**
   * @param records (uid, source, record_id, cluster_uid) for every input record
   * @param pairs every pair at or above the review threshold, with {@code status} (match, review,
   *     refused), {@code reason}, match weight, probability and {@code w_<field>} contributions, and the
   *     sources and record ids of both sides
   * @param prepared the normalised records with every rule's blocking key (before any rule or block was skipped)
   *     and term frequencies, as {@link PrepareRecords} made them
   * @param termFrequencies the term frequencies the pairs were weighed with (a trained run's own, to store)
   */
  public record Result(Dataset<Row> records, Dataset<Row> pairs, MatchModel model, List<PersonField> fields,
      List<RuleReport> rules, long recordCount, long comparisons, long uPairs, long clusters,
      List<ThresholdCurve.Point> curve, double matchThreshold, Dataset<Row> prepared,
      TermFrequencies termFrequencies) {}

  public Result execute(Dataset<Row> raw, Dataset<Row> decisions) {
    long t = System.nanoTime();
    ReferenceLists lists = ReferenceLists.get();
    int partitions = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions", "8"));
    settings = usableRules(settings, List.of(raw.columns()));
    PrepareRecords.Result prepared = new PrepareRecords(settings, dateFormats).termFrequencies(frozenFrequencies)
        .execute(raw);
    Dataset<Row> recs = prepared.records();
    List<PersonField> fields = prepared.fields();
    long recordCount = prepared.count();
    LOG.info("identity: {} records, fields {}", recordCount, fields.stream().map(PersonField::column).toList());
    t = StepLog.step(LOG, "prepare", t);

    // the blocking report comes first: rules over the comparison budget are skipped and oversized blocks
    // dropped before any pair is compared (their keys become null, so no later rule treats them as done)
    List<RuleReport> reports = new ArrayList<>();
    recs = planBlocking(recs, reports).localCheckpoint();
    GeneratePairs generate = new GeneratePairs(settings, fields, lists);
    // local checkpoints cut the lineage: later plans stay small (planning deep plans dominated small runs)
    // a few records are paired on the driver: the same blocks and comparisons without a shuffle per rule
    Dataset<Row> pairs = recordCount <= LOCAL_PAIR_RECORDS
        ? spark.createDataFrame(generate.localPairs(recs.collectAsList(), recs.schema()), GeneratePairs.SCHEMA)
            .localCheckpoint()
        : generate.allPairs(recs, partitions).localCheckpoint();
    Map<Integer, Long> perRule = new HashMap<>();
    for (Row r : pairs.groupBy("rule").count().collectAsList()) {
      perRule.put(r.getInt(0), r.getLong(1));
    }
    reports.replaceAll(r -> r.withNewPairs(perRule.getOrDefault(r.rule(), 0L)));
    long comparisons = perRule.values().stream().mapToLong(Long::longValue).sum();
    LOG.info("identity: {} comparisons from {} blocking rules", comparisons, reports.size());
    t = StepLog.step(LOG, "blocking and pairs", t);

    MatchModel model;
    long uPairs = 0;
    if (frozen != null) {
      if (!frozen.fields().equals(fields)) {
        throw new IllegalArgumentException("the stored identity model compares " + frozen.fields()
            + " but the records have " + fields + ": estimate a new model (--retrain)");
      }
      model = frozen;
      LOG.info("identity: stored model used, lambda {}", model.lambda());
    } else {
      EstimateU.Result u = new EstimateU(settings, fields, lists).execute(recs, recordCount);
      uPairs = u.pairs();
      t = StepLog.step(LOG, "u from random pairs", t);
      List<EstimateModel.Round> rounds = new ArrayList<>();
      for (List<String> rule : settings.trainingRules()) {
        Dataset<Row> keyed = sampleTraining(recs.withColumn("key_train", PrepareRecords.blockingKey(rule)), rule);
        Dataset<Row> trainPairs = generate.rulePairs(keyed, "key_train", 0, false, partitions);
        rounds.add(new EstimateModel.Round(patterns(trainPairs), PrepareRecords.fieldsUsed(rule, fields)));
      }
      double possible = possiblePairs(recs);
      EstimateModel.Result em = new EstimateModel(fields, settings.emIterations())
          .execute(u.u(), rounds, patterns(pairs), possible == 0 ? 1 : comparisons / possible);
      model = em.model().withTermFrequency(settings.termFrequencyFields());
      LOG.info("identity: model estimated, lambda {} (probability that two random records match)", model.lambda());
    }
    t = StepLog.step(LOG, "model", t);

    ScorePairs score = new ScorePairs(model);
    // not checkpointed: weighing again for the review filter is cheaper than a second copy of every pair
    Dataset<Row> weighed = score.weigh(pairs);
    double wanted = settings.thresholdFor(fields);
    List<ThresholdCurve.Point> curve = ThresholdCurve.of(weighed, curveThresholds(wanted));
    for (ThresholdCurve.Point p : curve) {
      LOG.info("identity: threshold {}: {} pairs, estimated precision {}, estimated recall {}", p.threshold(), p.pairs(),
          String.format("%.4f", p.precision()), String.format("%.4f", p.recall()));
    }
    // a stored model links at the threshold its run chose (the caller's settings carry it)
    double threshold = frozen != null ? settings.matchThreshold()
        : ThresholdCurve.thresholdFor(curve, wanted, settings.minEstimatedPrecision());
    if (frozen != null) {
      LOG.info("identity: stored model's match threshold {}", threshold);
    } else if (threshold != wanted) {
      LOG.warn("identity: estimated precision at match threshold {} is under identity.min_estimated_precision {}: "
          + "linking at {}", wanted, settings.minEstimatedPrecision(), threshold);
    } else if (wanted != settings.matchThreshold()) {
      LOG.info("identity: no strong identifier ({}) mapped: match threshold {} (identity.weak_fields_match_threshold)",
          LinkageSettings.STRONG_IDENTIFIERS.stream().map(PersonField::column).toList(), wanted);
    }
    settings = settings.withMatchThreshold(threshold);
    Dataset<Row> candidates = weighed
        .filter(col("match_probability").geq(lit(settings.reviewThreshold())))
        .localCheckpoint();
    t = StepLog.step(LOG, "scores and threshold curve", t);

    Dataset<Row> ids = recs.select("uid", "source", "record_id");
    Dataset<Row> must = spark.emptyDataFrame();
    Dataset<Row> cannot;
    if (decisions != null) {
      Dataset<Row> d = decisions
          .join(ids.toDF("uid_a", "source_a", "record_id_a"), new String[] {"source_a", "record_id_a"})
          .join(ids.toDF("uid_b", "source_b", "record_id_b"), new String[] {"source_b", "record_id_b"})
          .select(functions.least(col("uid_a"), col("uid_b")).as("uid_l"),
              functions.greatest(col("uid_a"), col("uid_b")).as("uid_r"), col("decision"))
          .persist(StorageLevel.MEMORY_AND_DISK());
      must = d.filter(col("decision").equalTo("must-link")).select("uid_l", "uid_r");
      cannot = d.filter(col("decision").equalTo("cannot-link")).select("uid_l", "uid_r");
    } else {
      cannot = spark.createDataFrame(new ArrayList<Row>(), new org.apache.spark.sql.types.StructType()
          .add("uid_l", "long").add("uid_r", "long"));
      must = cannot;
    }
    Dataset<Row> accepted = candidates.filter(col("match_probability").geq(lit(settings.matchThreshold())))
        .join(cannot, new String[] {"uid_l", "uid_r"}, "left_anti")
        .select(col("uid_l"), col("uid_r"), col("match_weight"), lit(false).as("must"));
    Dataset<Row> links = accepted.unionByName(must.select(col("uid_l"), col("uid_r"),
        lit(1e6).as("match_weight"), lit(true).as("must")));
    Dataset<Row> guard = recs.select(col("uid"),
        fields.contains(PersonField.SSN) ? col("ssn") : lit(null).cast("string").as("ssn"),
        fields.contains(PersonField.SEX) ? col("sex") : lit(null).cast("string").as("sex"));
    ClusterRecords.Result clustered = new ClusterRecords(settings).execute(spark, links, guard, cannot, recordCount);
    Dataset<Row> clusters = clustered.clusters().localCheckpoint();
    Dataset<Row> refused = clustered.refused().localCheckpoint();
    Dataset<Row> records = ids.join(clusters, new String[] {"uid"}, "left")
        .withColumn("cluster_uid", functions.coalesce(col("cluster_uid"), col("uid")))
        .localCheckpoint();
    long clusterCount = records.select("cluster_uid").distinct().count();
    StepLog.step(LOG, "clusters", t);

    Dataset<Row> decided = decisions == null ? cannot : cannot.unionByName(must);
    Dataset<Row> explained = score.explain(candidates)
        .join(refused, new String[] {"uid_l", "uid_r"}, "left")
        .join(decided.withColumn("decided", lit(true)), new String[] {"uid_l", "uid_r"}, "left")
        .withColumn("status", functions
            .when(col("reason").isNotNull(), lit("refused"))
            .when(col("decided").isNotNull(), lit("decided"))
            .when(col("match_probability").geq(lit(settings.matchThreshold())), lit("match"))
            .otherwise(lit("review")))
        .drop("decided")
        .join(ids.toDF("uid_l", "source_l", "record_id_l"), "uid_l")
        .join(ids.toDF("uid_r", "source_r", "record_id_r"), "uid_r");
    return new Result(records, explained, model, fields, reports, recordCount, comparisons, uPairs,
        clusterCount, curve, settings.matchThreshold(), prepared.records(), prepared.termFrequencies());
  }

  /** {@link ThresholdCurve#DEFAULT_THRESHOLDS} and the match threshold, ascending. */
  static double[] curveThresholds(double matchThreshold) {
    return java.util.stream.DoubleStream.concat(java.util.Arrays.stream(ThresholdCurve.DEFAULT_THRESHOLDS),
        java.util.stream.DoubleStream.of(matchThreshold)).distinct().sorted().toArray();
  }

  /** The settings with only the rules whose person fields are all mapped. */
  static LinkageSettings usableRules(LinkageSettings s, List<String> columns) {
    List<PersonField> absent = new ArrayList<>();
    for (PersonField f : PersonField.values()) {
      if (!columns.contains(f.column())) {
        absent.add(f);
      }
    }
    java.util.function.Predicate<List<String>> usable = rule -> {
      for (boolean b : PrepareRecords.fieldsUsed(rule, absent)) {
        if (b) {
          return false;
        }
      }
      return true;
    };
    List<List<String>> blocking = s.blockingRules().stream().filter(usable).toList();
    if (blocking.isEmpty()) {
      throw new IllegalArgumentException("no blocking rule uses only mapped fields; rules: " + s.blockingRules());
    }
    if (blocking.size() < s.blockingRules().size()) {
      LOG.info("identity: {} blocking rules use fields not mapped and are skipped", s.blockingRules().size() - blocking.size());
    }
    return new LinkageSettings(blocking, s.trainingRules().stream().filter(usable).toList(), s.matchThreshold(),
        s.reviewThreshold(), s.maxBlockSize(), s.maxRuleComparisons(), s.trainingMaxPairs(), s.emIterations(),
        s.uSampleRecords(), s.uRandomPairs(), s.seed(),
        s.ssnMaxEdits(), s.sexGuard(), s.linkOnly(), s.termFrequencyFields(),
        s.weakFieldsMatchThreshold(), s.minEstimatedPrecision());
  }

  private static List<EstimateModel.Pattern> patterns(Dataset<Row> pairs) {
    List<EstimateModel.Pattern> out = new ArrayList<>();
    int n = -1;
    for (Row r : pairs.groupBy("pattern").count().collectAsList()) {
      out.add(new EstimateModel.Pattern(GeneratePairs.unpack(r.getLong(0), 16), r.getLong(1)));
    }
    return out;
  }

  /** All pairs the records make: every pair, or with link-only every pair across sources. */
  private double possiblePairs(Dataset<Row> recs) {
    double n = 0;
    double sameSource = 0;
    for (Row r : recs.groupBy("source").count().collectAsList()) {
      double c = r.getLong(1);
      n += c;
      sameSource += c * (c - 1) / 2;
    }
    double all = n * (n - 1) / 2;
    return settings.linkOnly() ? all - sameSource : all;
  }

  /** Blocks, largest block, candidate pairs and blocks over max_block_size, of block sizes ({@code count}). */
  private Column[] blockStats() {
    return new Column[] {functions.count(lit(1)), functions.max("count"),
        functions.sum(col("count").multiply(col("count").minus(1)).divide(2)),
        functions.sum(functions.when(col("count").gt(settings.maxBlockSize()), 1).otherwise(0))};
  }

  /** {@link #blockStats()} of one key column's block sizes. */
  private Row blockStats(Dataset<Row> counts) {
    Column[] c = blockStats();
    return counts.agg(c[0], java.util.Arrays.copyOfRange(c, 1, c.length)).head();
  }

  /**
   * Reports every blocking rule's blocks and candidate pairs before comparing, and returns the records with
   * the keys of skipped rules and of oversized blocks set to null.
   */
  private Dataset<Row> planBlocking(Dataset<Row> recs, List<RuleReport> reports) {
    int rules = settings.blockingRules().size();
    // every rule's block sizes from one aggregation (a job and a shuffle per rule cost seconds on small inputs)
    List<Column> keys = new ArrayList<>();
    for (int i = 0; i < rules; i++) {
      keys.add(functions.struct(lit(i).as("rule"), col("key_" + i).as("key")));
    }
    Dataset<Row> counts = recs.select(functions.explode(functions.array(keys.toArray(new Column[0]))).as("k"))
        .select("k.rule", "k.key").filter(col("key").isNotNull()).groupBy("rule", "key").count().localCheckpoint();
    Map<Integer, Row> stats = new HashMap<>();
    Column[] c = blockStats();
    for (Row r : counts.groupBy("rule").agg(c[0], java.util.Arrays.copyOfRange(c, 1, c.length)).collectAsList()) {
      stats.put(r.getInt(0), r);
    }
    Map<Integer, List<Object>> big = new HashMap<>();
    if (stats.values().stream().anyMatch(r -> !r.isNullAt(4) && r.getLong(4) > 0)) {
      for (Row r : counts.filter(col("count").gt(settings.maxBlockSize())).select("rule", "key").collectAsList()) {
        big.computeIfAbsent(r.getInt(0), k -> new ArrayList<>()).add(r.getString(1));
      }
    }
    Dataset<Row> out = recs;
    for (int i = 0; i < rules; i++) {
      String key = "key_" + i;
      Row s = stats.get(i);
      long blocks = s == null ? 0 : s.getLong(1);
      long largest = s == null || s.isNullAt(2) ? 0 : s.getLong(2);
      long candidates = s == null || s.isNullAt(3) ? 0 : (long) s.getDouble(3);
      long oversized = s == null || s.isNullAt(4) ? 0 : s.getLong(4);
      boolean skip = candidates > settings.maxRuleComparisons();
      String expressions = String.join(" + ", settings.blockingRules().get(i));
      reports.add(new RuleReport(i, expressions, blocks, largest, candidates, 0, oversized, skip));
      if (skip) {
        LOG.warn("identity: blocking rule {} ({}) would compare {} pairs, over identity.max_rule_comparisons {}: "
            + "rule skipped; make its key tighter", i, expressions, candidates, settings.maxRuleComparisons());
        out = out.withColumn(key, lit(null).cast("string"));
      } else if (oversized > 0) {
        LOG.info("identity: blocking rule {}: {} blocks over identity.max_block_size {} skipped", i, oversized,
            settings.maxBlockSize());
        out = out.withColumn(key, functions.when(col(key).isin(big.get(i).toArray()), lit(null).cast("string"))
            .otherwise(col(key)));
      }
    }
    counts.unpersist();
    return out;
  }

  /**
   * Training pairs of one rule, sampled by whole blocks (a seeded hash of the key) when the rule would compare
   * more than {@code training_max_pairs}: EM needs the shape of the comparison patterns, not every pair.
   */
  private Dataset<Row> sampleTraining(Dataset<Row> keyed, List<String> rule) {
    Row s = blockStats(keyed.filter(col("key_train").isNotNull()).groupBy("key_train").count());
    double candidates = s.isNullAt(2) ? 0 : s.getDouble(2);
    if (candidates <= settings.trainingMaxPairs()) {
      return keyed;
    }
    long keep = Math.max(1, Math.round(1_000_000 * settings.trainingMaxPairs() / candidates));
    LOG.info("identity: training rule {} would compare {} pairs; blocks sampled ({} per million)", rule,
        (long) candidates, keep);
    return keyed.filter(functions.pmod(functions.xxhash64(col("key_train"), lit(settings.seed())), lit(1_000_000L))
        .lt(lit(keep)));
  }
}
