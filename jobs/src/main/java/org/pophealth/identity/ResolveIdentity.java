package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.ops.RunIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code resolve-identity} job: reads every configured patient/member table, links the records
 * ({@link LinkRecords}), gives each person a stable id ({@link AssignPersonIds}), and writes
 * gold.identity_crosswalk, gold.person, gold.identity_pair, gold.identity_review,
 * gold.identity_event and ops.identity_run; then fills person_id in silver.event.
 */
public final class ResolveIdentity {
  private static final Logger LOG = LoggerFactory.getLogger(ResolveIdentity.class);
  private static final List<String> GOLDEN = SurvivorshipRules.FIELDS;

  private final Lakehouse lakehouse;
  private final PopHealthConfig.Identity config;
  private String groundTruth;
  private final SurvivorshipRules survivorship = SurvivorshipRules.packaged();

  public ResolveIdentity(Lakehouse lakehouse, PopHealthConfig.Identity config) {
    this.lakehouse = lakehouse;
    this.config = config;
    this.groundTruth = config.groundTruthFile();
  }

  /** Ground-truth CSV overriding identity.ground_truth_file. */
  public ResolveIdentity groundTruth(String file) {
    if (file != null) {
      this.groundTruth = file;
    }
    return this;
  }

  public record Result(String runId, long records, Map<String, Long> perSource, List<String> skippedTables,
      long comparisons, long persons, long matchedPairs, long reviewPairs, long kept, long minted, long events,
      long eventRowsUpdated, List<LinkRecords.RuleReport> rules, Double precision, Double recall,
      long splitQueue) {}

  public Result execute() {
    SparkSession spark = lakehouse.spark();
    Instant started = Instant.now();
    String runId = RunIds.next("resolve-identity", "all");
    List<String> skipped = new ArrayList<>();
    Map<String, Long> perSource = new LinkedHashMap<>();
    Dataset<Row> all = null;
    for (PopHealthConfig.IdentitySource s : config.sources()) {
      Dataset<Row> t = readSource(spark, s);
      if (t == null) {
        skipped.add(s.table());
        continue;
      }
      long n = t.count();
      perSource.put(s.table(), n);
      all = all == null ? t : all.unionByName(t);
    }
    if (all == null) {
      throw new IllegalArgumentException("no identity source table exists yet (configured: "
          + config.sources().stream().map(PopHealthConfig.IdentitySource::table).toList() + "); ingest first");
    }
    all = all.localCheckpoint();
    LinkageSettings settings = LinkageSettings.of(config, false);
    Dataset<Row> decisions = lakehouse.read("gold.identity_decision")
        .select("source_a", "record_id_a", "source_b", "record_id_b", "decision");
    List<Column> linkCols = new ArrayList<>(List.of(col("source"), col("record_id")));
    for (String f : GOLDEN) {
      linkCols.add(col(f));
    }
    linkCols.add(col("mrn"));
    LinkRecords.Result linked = new LinkRecords(spark, settings, Map.of()).execute(
        all.select(linkCols.toArray(new Column[0])), decisions);

    // stable ids
    Dataset<Row> previous = lakehouse.read("gold.identity_crosswalk").select(col("source"), col("record_id"),
        col("person_id").as("previous_id"));
    List<AssignPersonIds.Member> members = new ArrayList<>();
    for (Row r : linked.records().join(previous, new String[] {"source", "record_id"}, "left")
        .select("source", "record_id", "cluster_uid", "previous_id").collectAsList()) {
      members.add(new AssignPersonIds.Member(r.getString(0), r.getString(1), r.getLong(2),
          r.isNullAt(3) ? null : r.getString(3)));
    }
    AssignPersonIds.Result ids = new AssignPersonIds().execute(members);
    List<Row> idRows = new ArrayList<>();
    ids.ids().forEach((k, v) -> idRows.add(RowFactory.create(k, v)));
    Dataset<Row> clusterIds = spark.createDataFrame(idRows, new StructType()
        .add("cluster_uid", DataTypes.LongType).add("person_id", DataTypes.StringType));

    Dataset<Row> pairs = linked.pairs().localCheckpoint();
    Dataset<Row> matched = pairs.filter(col("status").equalTo("match"));
    Dataset<Row> recordWeight = matched.select(col("source_l").as("source"), col("record_id_l").as("record_id"),
            col("match_weight"))
        .unionByName(matched.select(col("source_r").as("source"), col("record_id_r").as("record_id"), col("match_weight")))
        .groupBy("source", "record_id").agg(functions.max("match_weight").as("match_weight"));
    Dataset<Row> mustRecords = decisions.filter(col("decision").equalTo("must-link"))
        .select(col("source_a").as("source"), col("record_id_a").as("record_id"))
        .unionByName(decisions.filter(col("decision").equalTo("must-link"))
            .select(col("source_b").as("source"), col("record_id_b").as("record_id")))
        .distinct().withColumn("must", lit(true));
    WindowSpec byPerson = Window.partitionBy("person_id");
    Dataset<Row> crosswalk = linked.records().join(clusterIds, "cluster_uid")
        .join(all.select("source", "record_id", "source_table"), new String[] {"source", "record_id"})
        .join(recordWeight, new String[] {"source", "record_id"}, "left")
        .join(mustRecords, new String[] {"source", "record_id"}, "left")
        .withColumn("cluster_size", functions.count(lit(1)).over(byPerson))
        .withColumn("match_status", functions.when(col("cluster_size").equalTo(1), lit("single"))
            .when(col("match_weight").isNull().and(col("must").isNotNull()), lit("must-link"))
            .otherwise(lit("linked")))
        .withColumn("resolve_run_id", lit(runId))
        .localCheckpoint();
    lakehouse.replaceWhere("gold.identity_crosswalk", crosswalk, "true");

    // golden record: per field (or group of fields surviving together, the address) the record the rules of
    // measures/identity/survivorship.csv pick, with its source/record_id as the field's lineage
    Dataset<Row> withPerson = all.join(crosswalk.select("source", "record_id", "person_id"),
        new String[] {"source", "record_id"});
    Dataset<Row> person = GoldenRecord.build(withPerson, survivorship).withColumn("resolve_run_id", lit(runId));
    lakehouse.replaceWhere("gold.person", person, "true");
    // persons whose records disagree on birth date (beyond a typo) or sex: the split queue
    Dataset<Row> splits = SplitQueue.build(withPerson, runId).localCheckpoint();
    lakehouse.replaceWhere("gold.identity_split_queue", splits, "true");

    // explained pairs (prior, exact field weights, levels, masked values, narrative) and the review queue
    Dataset<Row> pairRows = ExplainPairs.rows(pairs, linked.model(), all, runId).localCheckpoint();
    lakehouse.replaceWhere("gold.identity_pair", pairRows, "true");
    Dataset<Row> review = pairRows.filter(col("status").isin("review", "refused"));
    lakehouse.replaceWhere("gold.identity_review", review, "true");

    Timestamp now = Timestamp.from(Instant.now());
    List<Row> eventRows = new ArrayList<>();
    for (AssignPersonIds.Event e : ids.events()) {
      eventRows.add(RowFactory.create(runId, e.type(), e.oldId(), e.newId(), e.records(), now));
    }
    if (!eventRows.isEmpty()) {
      lakehouse.append("gold.identity_event", spark.createDataFrame(eventRows,
          lakehouse.contract("gold.identity_event").schema()));
    }

    long eventUpdates = fillEventPersonIds(crosswalk);
    long matchedPairs = pairs.filter(col("status").equalTo("match")).count();
    long reviewPairs = review.count();
    Double precision = null;
    Double recall = null;
    if (groundTruth != null && new java.io.File(groundTruth).isFile()) {
      double[] pr = evaluate(spark, crosswalk, all);
      precision = pr[0];
      recall = pr[1];
    } else if (groundTruth != null) {
      LOG.info("identity: ground-truth file not found, no precision/recall");
    }
    lakehouse.append("ops.identity_run", spark.createDataFrame(List.of(RowFactory.create(runId,
        Timestamp.from(started), Timestamp.from(Instant.now()), linked.recordCount(), linked.comparisons(),
        (long) ids.ids().size(), matchedPairs, reviewPairs, ids.kept(), ids.minted(), rulesJson(linked.rules()),
        linked.model().toJson(), scala.collection.JavaConverters.mapAsScalaMap(new LinkedHashMap<String, Object>(perSource))
            .toMap(scala.Predef$.MODULE$.<scala.Tuple2<String, Object>>conforms()))),
        lakehouse.contract("ops.identity_run").schema()));
    LOG.info("identity: run {}: {} records, {} persons ({} kept, {} new), {} events", runId, linked.recordCount(),
        ids.ids().size(), ids.kept(), ids.minted(), ids.events().size());
    return new Result(runId, linked.recordCount(), perSource, skipped, linked.comparisons(), ids.ids().size(),
        matchedPairs, reviewPairs, ids.kept(), ids.minted(), ids.events().size(), eventUpdates, linked.rules(),
        precision, recall, splits.count());
  }

  /** One source table as (source, record_id, source_table, kind, updated, person fields); null when absent. */
  Dataset<Row> readSource(SparkSession spark, PopHealthConfig.IdentitySource s) {
    String[] parts = s.table().split("\\.");
    String path = lakehouse.root() + "/" + parts[0] + "/" + parts[1];
    if (!DeltaTable.isDeltaTable(spark, path)) {
      LOG.info("identity: source table {} does not exist, skipped", s.table());
      return null;
    }
    Dataset<Row> t = spark.read().format("delta").load(path);
    List<String> have = List.of(t.columns());
    Column source;
    if (s.sourceColumn() != null && have.contains(s.sourceColumn())) {
      source = col(s.sourceColumn());
    } else if (s.sourceColumn() != null && have.contains("source")) {
      source = col("source");
    } else if (s.sourceName() != null) {
      source = lit(s.sourceName());
    } else {
      throw new IllegalArgumentException("identity source " + s.table() + ": no column " + s.sourceColumn()
          + " and no source_name");
    }
    if (!have.contains(s.recordIdColumn())) {
      throw new IllegalArgumentException("identity source " + s.table() + ": no column " + s.recordIdColumn());
    }
    List<Column> cols = new ArrayList<>();
    cols.add(functions.coalesce(source.cast("string"), lit(s.sourceName() == null ? s.table() : s.sourceName())).as("source"));
    cols.add(col(s.recordIdColumn()).cast("string").as("record_id"));
    cols.add(lit(s.table()).as("source_table"));
    cols.add(lit(s.kind() == null ? "ehr" : s.kind()).as("kind"));
    cols.add(s.updatedColumn() != null && have.contains(s.updatedColumn())
        ? col(s.updatedColumn()).cast("timestamp").as("updated") : lit(null).cast("timestamp").as("updated"));
    for (String f : new ArrayList<>(List.of("given_name", "family_name", "birth_date", "sex", "street", "city",
        "state", "postcode", "phone", "email", "ssn", "mrn"))) {
      String e = s.fields() == null ? null : s.fields().get(f);
      Column c = lit(null).cast("string");
      if (e != null) {
        try {
          t.select(functions.expr(e)).schema();
          c = functions.expr(e).cast("string");
        } catch (Exception ex) {
          if (!ex.getClass().getName().contains("Analysis")) {
            throw ex instanceof RuntimeException re ? re : new IllegalStateException(ex);
          }
          LOG.info("identity: {} field {} not available in {}, left empty", s.table(), f, s.table());
        }
      }
      cols.add(c.as(f));
    }
    Dataset<Row> rows = t.select(cols.toArray(new Column[0])).filter(col("record_id").isNotNull());
    // one row per record (eligibility has one per enrollment span): the most recent
    return rows.withColumn("rn", functions.row_number().over(Window.partitionBy("source", "record_id")
            .orderBy(col("updated").desc_nulls_last(), col("birth_date").asc_nulls_last())))
        .filter("rn = 1").drop("rn");
  }

  /** Sets silver.event.person_id from the crosswalk (on source and patient id); returns rows changed. */
  long fillEventPersonIds(Dataset<Row> crosswalk) {
    if (!lakehouse.exists("silver.event")) {
      return 0;
    }
    return lakehouse.merge("silver.event", crosswalk.select("source", "record_id", "person_id"),
        "t.source = s.source AND t.patient_id = s.record_id",
        "WHEN MATCHED AND NOT (t.person_id <=> s.person_id) THEN UPDATE SET person_id = s.person_id").updated();
  }

  /**
   * Pairwise precision/recall against a ground-truth CSV (header; first column a payer record id,
   * second the EHR patient id it belongs to). EHR records are their own truth id.
   */
  double[] evaluate(SparkSession spark, Dataset<Row> crosswalk, Dataset<Row> all) {
    Dataset<Row> gt = spark.read().option("header", true).csv(groundTruth);
    String[] c = gt.columns();
    Dataset<Row> truthMap = gt.select(functions.trim(col("`" + c[0] + "`")).as("record_id"),
        functions.trim(col("`" + c[1] + "`")).as("truth_id"));
    Dataset<Row> kinds = all.select("source", "record_id", "kind");
    Dataset<Row> truth = crosswalk.select("source", "record_id", "person_id").join(kinds, new String[] {"source", "record_id"})
        .join(truthMap, new String[] {"record_id"}, "left")
        .withColumn("truth", functions.when(col("kind").equalTo("ehr"), col("record_id")).otherwise(col("truth_id")))
        .filter(col("truth").isNotNull());
    double tp = pairs(truth.groupBy("person_id", "truth").count());
    double predicted = pairs(truth.groupBy("person_id").count());
    double real = pairs(truth.groupBy("truth").count());
    return new double[] {predicted == 0 ? 1.0 : tp / predicted, real == 0 ? 1.0 : tp / real};
  }

  private static double pairs(Dataset<Row> counts) {
    Row r = counts.agg(functions.sum(col("count").multiply(col("count").minus(1)).divide(2))).head();
    return r.isNullAt(0) ? 0 : r.getDouble(0);
  }

  static String rulesJson(List<LinkRecords.RuleReport> rules) {
    ObjectMapper om = new ObjectMapper();
    ArrayNode a = om.createArrayNode();
    for (LinkRecords.RuleReport r : rules) {
      a.addObject().put("rule", r.rule()).put("expressions", r.expressions()).put("blocks", r.blocks())
          .put("largest_block", r.largestBlock()).put("candidate_pairs", r.candidatePairs())
          .put("new_pairs", r.newPairs()).put("skipped_blocks", r.skippedBlocks())
          .put("skipped_rule", r.skippedRule());
    }
    return a.toString();
  }
}
