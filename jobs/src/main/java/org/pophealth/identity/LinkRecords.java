package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  private final SparkSession spark;
  private LinkageSettings settings;
  private final Map<PersonField, String> dateFormats;

  public LinkRecords(SparkSession spark, LinkageSettings settings, Map<PersonField, String> dateFormats) {
    this.spark = spark;
    this.settings = settings;
    this.dateFormats = dateFormats;
  }

  /** Comparisons one blocking rule generates. */
  public record RuleReport(int rule, String expressions, long blocks, long largestBlock, long candidatePairs,
      long newPairs, long skippedBlocks) {}

  /**
   * @param records (uid, source, record_id, cluster_uid) for every input record
   * @param pairs every pair at or above the review threshold, with {@code status} (match, review,
   *     refused), {@code reason}, match weight, probability and {@code w_<field>} contributions, and the
   *     sources and record ids of both sides
   */
  public record Result(Dataset<Row> records, Dataset<Row> pairs, MatchModel model, List<PersonField> fields,
      List<RuleReport> rules, long recordCount, long comparisons, long uPairs, long clusters) {}

  public Result execute(Dataset<Row> raw, Dataset<Row> decisions) {
    ReferenceLists lists = ReferenceLists.get();
    int partitions = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions", "8"));
    settings = usableRules(settings, List.of(raw.columns()));
    PrepareRecords.Result prepared = new PrepareRecords(settings, dateFormats).execute(raw);
    Dataset<Row> recs = prepared.records();
    List<PersonField> fields = prepared.fields();
    LOG.info("identity: {} records, fields {}", prepared.count(), fields.stream().map(PersonField::column).toList());

    GeneratePairs generate = new GeneratePairs(settings, fields, lists);
    // local checkpoints cut the lineage: later plans stay small (planning deep plans dominated small runs)
    Dataset<Row> pairs = generate.allPairs(recs, partitions).localCheckpoint();
    Map<Integer, Long> perRule = new HashMap<>();
    for (Row r : pairs.groupBy("rule").count().collectAsList()) {
      perRule.put(r.getInt(0), r.getLong(1));
    }
    List<RuleReport> reports = blockingReport(recs, perRule);
    long comparisons = perRule.values().stream().mapToLong(Long::longValue).sum();
    LOG.info("identity: {} comparisons from {} blocking rules", comparisons, reports.size());

    EstimateU.Result u = new EstimateU(settings, fields, lists).execute(recs, prepared.count());
    List<EstimateModel.Round> rounds = new ArrayList<>();
    for (List<String> rule : settings.trainingRules()) {
      Dataset<Row> keyed = recs.withColumn("key_train", PrepareRecords.blockingKey(rule));
      Dataset<Row> trainPairs = generate.rulePairs(keyed, "key_train", 0, false, partitions);
      rounds.add(new EstimateModel.Round(patterns(trainPairs), PrepareRecords.fieldsUsed(rule, fields)));
    }
    EstimateModel.Result em = new EstimateModel(fields, settings.emIterations()).execute(u.u(), rounds, patterns(pairs));
    MatchModel model = em.model();
    LOG.info("identity: model estimated, lambda {}", model.lambda());

    ScorePairs score = new ScorePairs(model);
    Dataset<Row> candidates = score.weigh(pairs)
        .filter(col("match_probability").geq(lit(settings.reviewThreshold())))
        .localCheckpoint();

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
    ClusterRecords.Result clustered = new ClusterRecords(settings).execute(spark, links, guard, cannot);
    Dataset<Row> clusters = clustered.clusters().localCheckpoint();
    Dataset<Row> refused = clustered.refused().localCheckpoint();
    Dataset<Row> records = ids.join(clusters, new String[] {"uid"}, "left")
        .withColumn("cluster_uid", functions.coalesce(col("cluster_uid"), col("uid")))
        .localCheckpoint();
    long clusterCount = records.select("cluster_uid").distinct().count();

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
    return new Result(records, explained, model, fields, reports, prepared.count(), comparisons, u.pairs(),
        clusterCount);
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
        s.reviewThreshold(), s.maxBlockSize(), s.emIterations(), s.uSampleRecords(), s.uRandomPairs(), s.seed(),
        s.ssnMaxEdits(), s.sexGuard(), s.linkOnly());
  }

  private static List<EstimateModel.Pattern> patterns(Dataset<Row> pairs) {
    List<EstimateModel.Pattern> out = new ArrayList<>();
    int n = -1;
    for (Row r : pairs.groupBy("pattern").count().collectAsList()) {
      out.add(new EstimateModel.Pattern(GeneratePairs.unpack(r.getLong(0), 16), r.getLong(1)));
    }
    return out;
  }

  private List<RuleReport> blockingReport(Dataset<Row> recs, Map<Integer, Long> perRule) {
    List<RuleReport> out = new ArrayList<>();
    for (int i = 0; i < settings.blockingRules().size(); i++) {
      Row s = recs.filter(col("key_" + i).isNotNull()).groupBy("key_" + i).count()
          .agg(functions.count(lit(1)), functions.max("count"),
              functions.sum(col("count").multiply(col("count").minus(1)).divide(2)),
              functions.sum(functions.when(col("count").gt(settings.maxBlockSize()), 1).otherwise(0)))
          .head();
      out.add(new RuleReport(i, String.join(" + ", settings.blockingRules().get(i)), s.getLong(0),
          s.isNullAt(1) ? 0 : s.getLong(1), s.isNullAt(2) ? 0 : (long) s.getDouble(2),
          perRule.getOrDefault(i, 0L), s.isNullAt(3) ? 0 : s.getLong(3)));
    }
    return out;
  }
}
