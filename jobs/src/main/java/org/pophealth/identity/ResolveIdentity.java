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
import org.pophealth.lakehouse.ParallelWrites;
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
  /** The person fields read from every source, linked and hashed: the golden fields and the MRN. */
  private static final List<String> PERSON_COLUMNS = java.util.stream.Stream.concat(GOLDEN.stream(),
      java.util.stream.Stream.of("mrn")).toList();

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

  /** How a run links: see ops.identity_run.mode. */
  public enum Mode { TRAINED, FULL, INCREMENTAL }

  /**
   * @param mode how this run linked; {@code modelRunId} the run whose model it used
   * @param affectedPersons persons re-clustered (every person in a trained or full run)
   * @param retired person ids retired (every record deleted at its source)
   * @param published false for a {@code --dry-run}: the figures are what the run would write
   */
  public record Result(String runId, long records, Map<String, Long> perSource, List<String> skippedTables,
      long comparisons, long persons, long matchedPairs, long reviewPairs, long kept, long minted, long events,
      long eventRowsUpdated, List<LinkRecords.RuleReport> rules, Double precision, Double recall, Mode mode,
      String modelRunId, long newRecords, long changedRecords, long deletedRecords, long affectedPersons,
      long retired, Map<String, Long> eventTypes, List<String> examples, boolean published, long splitQueue,
      ReviewerLabels.Report labels) {}

  /** Estimate a new model and link every record (the first run does). */
  public ResolveIdentity retrain(boolean on) {
    this.retrain = on;
    return this;
  }

  /** Link every record with the stored model (what an incremental run must equal). */
  public ResolveIdentity full(boolean on) {
    this.full = on;
    return this;
  }

  /** Compute and report, write nothing. */
  public ResolveIdentity dryRun(boolean on) {
    this.dryRun = on;
    return this;
  }

  private boolean retrain;
  private boolean full;
  private boolean dryRun;

  /**
   * The model of the last trained run and the settings it was last used with.
   *
   * @param termFrequencies the model's stored term frequencies; null for a model stored before they were (its
   *     runs count them over the current records)
   */
  record Stored(String runId, MatchModel model, double matchThreshold, String settings,
      java.util.Set<Integer> skippedRules, TermFrequencies termFrequencies) {}

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
      perSource.put(s.table(), 0L);
      all = all == null ? t : all.unionByName(t);
    }
    if (all == null) {
      throw new IllegalArgumentException("no identity source table exists yet (configured: "
          + config.sources().stream().map(PopHealthConfig.IdentitySource::table).toList() + "); ingest first");
    }
    all = all.withColumn("record_hash", recordHash()).localCheckpoint();
    // counted from the checkpoint: a count per source table before it read and de-duplicated (a shuffle)
    // every source a second time
    for (Row r : all.groupBy("source_table").count().collectAsList()) {
      perSource.put(r.getString(0), r.getLong(1));
    }
    LinkageSettings settings = LinkageSettings.of(config, false);
    Dataset<Row> decisions = lakehouse.read("gold.identity_decision")
        .select("source_a", "record_id_a", "source_b", "record_id_b", "decision");
    Stored stored = retrain ? null : stored();
    String settingsJson = settingsJson(settings);
    Mode mode = Mode.INCREMENTAL;
    if (stored == null) {
      mode = Mode.TRAINED;
    } else if (full) {
      mode = Mode.FULL;
    } else if (!settingsJson.equals(stored.settings())) {
      LOG.info("identity: linkage settings changed since run {}: every record is linked with its model", stored.runId());
      mode = Mode.FULL;
    } else if (!lakehouse.exists("gold.identity_record") || lakehouse.read("gold.identity_record").isEmpty()) {
      mode = Mode.FULL;
    }
    if (stored != null) {
      // the stored model links at the threshold its run chose
      settings = settings.withMatchThreshold(stored.matchThreshold());
    }
    Run run = new Run(spark, runId, started, all, settings, decisions, stored, mode, settingsJson, perSource, skipped);
    return mode == Mode.INCREMENTAL ? run.incremental() : run.full();
  }

  /** One run's state, shared by the full and the incremental paths. */
  private final class Run {
    final SparkSession spark;
    final String runId;
    final Instant started;
    final Dataset<Row> all;
    final LinkageSettings settings;
    final Dataset<Row> decisions;
    final Stored stored;
    final Mode mode;
    final String settingsJson;
    final Map<String, Long> perSource;
    final List<String> skipped;
    final Dataset<Row> previous;
    /** The match threshold linked at: a trained run's own choice (ThresholdCurve), else the stored model's. */
    double threshold;
    /** The term frequencies' denominator of the model linked with (-1: a model stored without them). */
    long termFrequencyRecords = -1;

    Run(SparkSession spark, String runId, Instant started, Dataset<Row> all, LinkageSettings settings,
        Dataset<Row> decisions, Stored stored, Mode mode, String settingsJson, Map<String, Long> perSource,
        List<String> skipped) {
      this.spark = spark;
      this.runId = runId;
      this.started = started;
      this.all = all;
      this.settings = settings;
      this.decisions = decisions;
      this.stored = stored;
      this.mode = mode;
      this.settingsJson = settingsJson;
      this.perSource = perSource;
      this.skipped = skipped;
      this.threshold = settings.matchThreshold();
      Dataset<Row> xw = lakehouse.read("gold.identity_crosswalk");
      // a crosswalk written before record hashes: every record counts as changed
      Column hash = List.of(xw.columns()).contains("record_hash") ? col("record_hash") : lit(null).cast("long");
      this.previous = xw.select(col("source"), col("record_id"), col("person_id"), hash.as("record_hash"))
          .localCheckpoint();
    }

    Dataset<Row> linkColumns(Dataset<Row> rows) {
      List<Column> linkCols = new ArrayList<>(List.of(col("source"), col("record_id")));
      for (String f : PERSON_COLUMNS) {
        linkCols.add(col(f));
      }
      return rows.select(linkCols.toArray(new Column[0]));
    }

    Result full() {
      LinkRecords link = new LinkRecords(spark, settings, Map.of());
      if (mode == Mode.FULL) {
        link.model(stored.model()).termFrequencies(stored.termFrequencies());
      }
      LinkRecords.Result linked = link.execute(linkColumns(all), decisions);
      long t = System.nanoTime();
      threshold = linked.matchThreshold();
      String modelRunId = mode == Mode.FULL ? stored.runId() : runId;
      Dataset<Row> prev = previous.select(col("source"), col("record_id"), col("person_id").as("previous_id"));
      Dataset<Row> members = linked.records().join(prev, new String[] {"source", "record_id"}, "left")
          .select("source", "record_id", "cluster_uid", "previous_id");
      Ids ids = assign(members, java.util.Set.of());
      Dataset<Row> pairs = linked.pairs().localCheckpoint();
      Dataset<Row> crosswalk = crosswalk(ids.personOf(), pairs.select("source_l", "record_id_l", "source_r",
          "record_id_r", "status", "match_weight"), all, runId);
      Dataset<Row> pairRows = pairRows(pairs, linked.model(), all, runId).localCheckpoint();
      java.util.Set<String> before = new java.util.HashSet<>();
      for (Row r : previous.select("person_id").distinct().collectAsList()) {
        before.add(r.getString(0));
      }
      List<AssignPersonIds.Event> events = withRetired(ids.result(), before, deletedCounts());
      Impact impact = impact(events, before.size());
      t = StepLog.step(LOG, "ids and explained pairs", t);
      if (dryRun) {
        return result(linked.recordCount(), linked.comparisons(), ids.result(), events, pairs, linked.rules(),
            modelRunId, new long[4], before.size(), impact, false, 0);
      }
      if (mode == Mode.TRAINED) {
        // the model's term frequencies: later runs with it weigh with these, whatever records come and go
        lakehouse.append("ops.identity_term_frequency", linked.termFrequencies().counts()
            .select(lit(runId).as("model_run_id"), col("field"), col("value"), col("records")));
        termFrequencyRecords = linked.termFrequencies().total();
      } else if (stored.termFrequencies() != null) {
        termFrequencyRecords = stored.termFrequencies().total();
      }
      // silver.event's person ids (from the crosswalk computed here, not the table; the largest write of a
      // trained demo run) and the identity tables, side by side: one write's driver work and last tasks overlap
      // another's
      java.util.concurrent.atomic.AtomicLong eventsFilled = new java.util.concurrent.atomic.AtomicLong();
      ParallelWrites.run(4, "identity", List.of(
          () -> eventsFilled.set(fillEventPersonIds(crosswalk, false)),
          () -> lakehouse.replaceWhere("gold.identity_crosswalk", crosswalk, "true"),
          () -> lakehouse.replaceAll("gold.identity_record", recordRows(linked.prepared(), all)),
          () -> writePersons(crosswalk, null, all),
          () -> {
            lakehouse.replaceWhere("gold.identity_pair", pairRows, "true");
            lakehouse.replaceWhere("gold.identity_review", pairRows.filter(col("status").isin("review", "refused")),
                "true");
          }));
      appendEvents(events);
      StepLog.step(LOG, "identity tables and silver.event written", t);
      long eventUpdates = eventsFilled.get();
      return finish(linked.recordCount(), linked.comparisons(), ids.result(), events, linked.rules(),
          linked.model(), modelRunId, new long[4], -1, impact, eventUpdates);
    }

    Result incremental() {
      long t = System.nanoTime();
      if (stored.termFrequencies() != null) {
        termFrequencyRecords = stored.termFrequencies().total();
      }
      // new, changed and deleted records from one outer join of the records read with the previous crosswalk
      // (not an anti-join each way: each was a shuffle of both sides); only those few rows are kept
      Dataset<Row> diff = all.select(col("source"), col("record_id"), col("record_hash").as("current_hash"))
          .join(previous, new String[] {"source", "record_id"}, "full_outer")
          .filter(col("current_hash").isNull().or(col("person_id").isNull())
              .or(functions.not(col("current_hash").eqNullSafe(col("record_hash")))))
          .localCheckpoint();
      Dataset<Row> dirtyKeys = diff.filter(col("current_hash").isNotNull()).select("source", "record_id")
          .localCheckpoint();
      deleted = diff.filter(col("current_hash").isNull()).select("source", "record_id", "person_id", "record_hash")
          .localCheckpoint();
      Dataset<Row> changed = diff.filter(col("current_hash").isNotNull().and(col("person_id").isNotNull()))
          .select("source", "record_id", "person_id", "record_hash");
      long dirtyCount = dirtyKeys.count();
      long deletedCount = deleted.count();
      long changedCount = changed.count();
      long[] counts = {dirtyCount - changedCount, changedCount, deletedCount, 0};
      java.util.Set<String> gone = new java.util.HashSet<>();
      for (Row r : changed.select("person_id").unionByName(deleted.select("person_id")).distinct().collectAsList()) {
        gone.add(r.getString(0));
      }
      Dataset<Row> storedRecords = lakehouse.read("gold.identity_record");
      // the night's few keys are broadcast: the stored records are streamed, never shuffled
      Dataset<Row> clean = storedRecords.join(functions.broadcast(dirtyKeys), new String[] {"source", "record_id"},
              "left_anti")
          .join(functions.broadcast(deleted.select("source", "record_id")), new String[] {"source", "record_id"},
              "left_anti");
      Dataset<Row> deletedPairsA = deleted.select(col("source").as("source_a"), col("record_id").as("record_id_a"));
      Dataset<Row> deletedPairsB = deleted.select(col("source").as("source_b"), col("record_id").as("record_id_b"));
      Dataset<Row> storedPairs = lakehouse.read("gold.identity_pair")
          .join(functions.broadcast(deletedPairsA), new String[] {"source_a", "record_id_a"}, "left_anti")
          .join(functions.broadcast(deletedPairsB), new String[] {"source_b", "record_id_b"}, "left_anti");
      Dataset<Row> dirtyRaw = linkColumns(all.join(functions.broadcast(dirtyKeys), new String[] {"source", "record_id"}));
      // decisions count only when they changed since the last run: their persons are re-clustered
      boolean decided = !decisions.isEmpty() && decisionsChanged();
      long records = perSource.values().stream().mapToLong(Long::longValue).sum();
      LinkIncrementally.Result inc = dirtyCount == 0 && gone.isEmpty() && !decided ? null
          : new LinkIncrementally(spark, settings, stored.model(), stored.skippedRules(), stored.termFrequencies())
              .execute(dirtyRaw, clean, previous.join(functions.broadcast(deleted.select("source", "record_id")),
                  new String[] {"source", "record_id"}, "left_anti"), gone, storedPairs,
                  decided ? decisions : decisions.limit(0), records);
      t = StepLog.step(LOG, "link", t);
      if (inc == null) {
        LOG.info("identity: no record changed since the last run; nothing to link");
        AssignPersonIds.Result none = new AssignPersonIds.Result(Map.of(), List.of(), 0, 0);
        long eventUpdates = dryRun ? 0 : fillEventPersonIds(lakehouse.read("gold.identity_crosswalk"), true);
        Impact impact = impact(List.of(), 0);
        return dryRun ? result(records, 0, none, List.of(), null, List.of(), stored.runId(), counts, 0, impact,
            false, 0) : finish(records, 0, none, List.of(), List.of(), stored.model(), stored.runId(), counts, 0,
            impact, eventUpdates);
      }
      counts[3] = inc.affectedPersons().size();
      Ids ids = assign(inc.records().select("source", "record_id", "cluster_uid", "previous_id"),
          java.util.Set.of());
      // a minted id must not be one an untouched person holds
      Dataset<Row> untouched = previous.select("person_id").distinct()
          .filter(functions.not(col("person_id").isin(inc.affectedPersons().toArray())));
      List<Object> minted = ids.result().ids().values().stream().filter(id -> !inc.affectedPersons().contains(id))
          .map(id -> (Object) id).toList();
      if (!minted.isEmpty()) {
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (Row r : untouched.filter(col("person_id").isin(minted.toArray())).collectAsList()) {
          taken.add(r.getString(0));
        }
        if (!taken.isEmpty()) {
          ids = assign(inc.records().select("source", "record_id", "cluster_uid", "previous_id"), taken);
        }
      }
      Dataset<Row> newPairs = inc.newPairs().localCheckpoint();
      Dataset<Row> keptPairs = inc.keptPairs().withColumn("resolve_run_id", lit(runId)).localCheckpoint();
      Dataset<Row> statusPairs = newPairs.select("source_l", "record_id_l", "source_r", "record_id_r", "status",
              "match_weight")
          .unionByName(keptPairs.select(col("source_a").as("source_l"), col("record_id_a").as("record_id_l"),
              col("source_b").as("source_r"), col("record_id_b").as("record_id_r"), col("status"), col("match_weight")));
      // the rows read of the re-clustered records and of the new pairs' sides, taken in one streamed pass: the
      // joins below (crosswalk, explained pairs, stored records, golden records) read these few, not every
      // record read (a shuffle of the whole population each)
      Dataset<Row> nightRecordKeys = inc.records().select("source", "record_id")
          .unionByName(newPairs.select(col("source_l").as("source"), col("record_id_l").as("record_id")))
          .unionByName(newPairs.select(col("source_r").as("source"), col("record_id_r").as("record_id")))
          .distinct().localCheckpoint();
      Dataset<Row> night = all.join(functions.broadcast(nightRecordKeys), new String[] {"source", "record_id"},
          "left_semi").localCheckpoint();
      Dataset<Row> crosswalk = crosswalk(ids.personOf(), statusPairs, night, runId);
      Dataset<Row> explained = pairRows(newPairs, stored.model(), night, runId);
      Dataset<Row> pairRows = explained.unionByName(keptPairs.select(java.util.Arrays.stream(explained.columns())
          .map(functions::col).toArray(Column[]::new))).localCheckpoint();
      List<AssignPersonIds.Event> events = withRetired(ids.result(), inc.affectedPersons(), deletedCounts());
      Impact impact = impact(events, inc.affectedPersons().size());
      t = StepLog.step(LOG, "ids and explained pairs", t);
      if (dryRun) {
        return result(records, inc.comparisons(), ids.result(), events, null, List.of(), stored.runId(),
            counts, inc.affectedPersons().size(), impact, false, 0);
      }
      // the identity tables' MERGEs, side by side (at 1M records each scans its whole table: one's driver work
      // and last tasks overlap another's): crosswalk and stored records (the re-clustered records replace
      // theirs; deleted records go), pairs and the review queue, golden records and the split queue
      Dataset<Row> goneKeys = deleted.select("source", "record_id");
      ParallelWrites.run(4, "identity", List.of(
          () -> lakehouse.upsert("gold.identity_crosswalk", crosswalk, goneKeys, List.of("source", "record_id")),
          () -> lakehouse.upsert("gold.identity_record", recordRows(inc.prepared(), night), goneKeys,
              List.of("source", "record_id")),
          () -> writePairs(pairRows, inc.records().select("source", "record_id").unionByName(goneKeys)),
          () -> writePersons(crosswalk, inc.affectedPersons(), night)));
      appendEvents(events);
      t = StepLog.step(LOG, "identity tables written", t);
      long eventUpdates = fillEventPersonIds(crosswalk, true);
      StepLog.step(LOG, "silver.event", t);
      return finish(records, inc.comparisons(), ids.result(), events, List.of(), stored.model(), stored.runId(), counts,
          inc.affectedPersons().size(), impact, eventUpdates);
    }

    /** Every stored pair touching one of {@code records} (re-clustered or deleted) is replaced by {@code pairRows}. */
    void writePairs(Dataset<Row> pairRows, Dataset<Row> records) {
      List<String> pairKey = List.of("source_a", "record_id_a", "source_b", "record_id_b");
      Column[] pairKeyCols = pairKey.stream().map(functions::col).toArray(Column[]::new);
      Dataset<Row> oldTouched = LinkIncrementally.touching(lakehouse.read("gold.identity_pair"),
          records.localCheckpoint()).select(pairKeyCols).localCheckpoint();
      lakehouse.upsert("gold.identity_pair", pairRows, oldTouched.join(pairRows.select(pairKeyCols),
          pairKey.toArray(new String[0]), "left_anti"), pairKey);
      // the review queue is the pairs under review or refused: only the replaced pairs' rows change (a MERGE
      // like the pairs', not a rewrite of the queue from a read of every pair)
      Dataset<Row> reviewRows = pairRows.filter(col("status").isin("review", "refused"));
      lakehouse.upsert("gold.identity_review", reviewRows, oldTouched.unionByName(pairRows.select(pairKeyCols)).distinct()
          .join(reviewRows.select(pairKeyCols), pairKey.toArray(new String[0]), "left_anti"), pairKey);
    }

    /** Whether reviewers decided anything since the last run (gold.identity_decision's Delta version moved). */
    boolean decisionsChanged() {
      Dataset<Row> history = lakehouse.read("ops.identity_run");
      if (!List.of(history.columns()).contains("decisions_version")) {
        return true;
      }
      List<Row> last = history.orderBy(col("finished_at").desc(), col("run_id").desc())
          .select("decisions_version").limit(1).collectAsList();
      return last.isEmpty() || last.get(0).isNullAt(0) || last.get(0).getLong(0) != decisionsVersion();
    }

    long decisionsVersion() {
      return lakehouse.exists("gold.identity_decision") ? lakehouse.version("gold.identity_decision") : -1;
    }

    /**
     * gold.identity_record rows of prepared records: the normalised fields and every rule's raw key (before a run
     * skipped a rule or a block), recomputed from the fields.
     *
     * @param records the records read (at least those prepared), for their record hash
     */
    Dataset<Row> recordRows(Dataset<Row> prepared, Dataset<Row> records) {
      List<Column> cols = new ArrayList<>(List.of(col("uid"), col("source"), col("record_id")));
      for (PersonField f : PersonField.values()) {
        cols.add(List.of(prepared.columns()).contains(f.column()) ? col(f.column())
            : lit(null).cast("string").as(f.column()));
      }
      List<Column> keys = new ArrayList<>();
      for (List<String> rule : settings.blockingRules()) {
        keys.add(PrepareRecords.blockingKey(rule));
      }
      cols.add(functions.array(keys.toArray(new Column[0])).as("blocking_keys"));
      cols.add(lit(runId).as("resolve_run_id"));
      return prepared.select(cols.toArray(new Column[0]))
          .join(records.select("source", "record_id", "record_hash"), new String[] {"source", "record_id"});
    }

    private Dataset<Row> deleted;

    /** The previous crosswalk's records no longer read from any source (computed once). */
    Dataset<Row> deleted() {
      if (deleted == null) {
        deleted = previous.join(all.select("source", "record_id"), new String[] {"source", "record_id"}, "left_anti")
            .localCheckpoint();
      }
      return deleted;
    }

    /** Records deleted at their source, counted per previous person. */
    Map<String, Long> deletedCounts() {
      Map<String, Long> out = new java.util.HashMap<>();
      for (Row r : deleted().groupBy("person_id").count().collectAsList()) {
        out.put(r.getString(0), r.getLong(1));
      }
      return out;
    }

    /**
     * gold.person rows of the given persons (all when null) from their records, by the survivorship rules.
     *
     * @param records the records read (at least those of the crosswalk's rows)
     */
    void writePersons(Dataset<Row> crosswalk, java.util.Set<String> affected, Dataset<Row> records) {
      Dataset<Row> withPerson = records.join(crosswalk.select("source", "record_id", "person_id"),
          new String[] {"source", "record_id"});
      Dataset<Row> person = GoldenRecord.build(withPerson, survivorship).withColumn("resolve_run_id", lit(runId))
          .localCheckpoint();
      // persons whose records disagree on birth date (beyond a typo) or sex: the split queue
      Dataset<Row> splits = SplitQueue.build(withPerson, runId).localCheckpoint();
      if (affected == null) {
        lakehouse.replaceWhere("gold.person", person, "true");
        lakehouse.replaceWhere("gold.identity_split_queue", splits, "true");
        return;
      }
      Dataset<Row> before = spark.createDataset(new ArrayList<>(affected), org.apache.spark.sql.Encoders.STRING())
          .toDF("person_id");
      lakehouse.upsert("gold.person", person, before.join(person.select("person_id"), new String[] {"person_id"},
          "left_anti"), List.of("person_id"));
      lakehouse.upsert("gold.identity_split_queue", splits, before.unionByName(person.select("person_id"))
          .join(splits.select("person_id"), new String[] {"person_id"}, "left_anti"), List.of("person_id"));
    }


    void appendEvents(List<AssignPersonIds.Event> events) {
      Timestamp now = Timestamp.from(Instant.now());
      List<Row> eventRows = new ArrayList<>();
      for (AssignPersonIds.Event e : events) {
        eventRows.add(RowFactory.create(runId, e.type(), e.oldId(), e.newId(), e.records(), now));
      }
      if (!eventRows.isEmpty()) {
        lakehouse.append("gold.identity_event", spark.createDataFrame(eventRows,
            lakehouse.contract("gold.identity_event").schema()));
      }
    }

    Result finish(long records, long comparisons, AssignPersonIds.Result ids, List<AssignPersonIds.Event> events,
        List<LinkRecords.RuleReport> rules, MatchModel model, String modelRunId, long[] counts, long affected,
        Impact impact, long eventUpdates) {
      Dataset<Row> pairs = lakehouse.read("gold.identity_pair");
      long persons = lakehouse.read("gold.person").count();
      long matchedPairs = pairs.filter(col("status").equalTo("match")).count();
      long reviewPairs = lakehouse.read("gold.identity_review").count();
      Double precision = null;
      Double recall = null;
      if (groundTruth != null && new java.io.File(groundTruth).isFile()) {
        double[] pr = evaluate(spark, lakehouse.read("gold.identity_crosswalk"), all);
        precision = pr[0];
        recall = pr[1];
      } else if (groundTruth != null) {
        LOG.info("identity: ground-truth file not found, no precision/recall");
      }
      long affectedPersons = affected < 0 ? persons : affected;
      // reviewers' decisions as labels: a precision/recall curve and m from labelled matches
      ReviewerLabels.Report labels = decisions.isEmpty() ? null : ReviewerLabels.of(
          ReviewerLabels.read(lakehouse.read("gold.identity_decision"), pairs), model, ReviewerLabels.THRESHOLDS);
      lakehouse.append("ops.identity_run", spark.createDataFrame(List.of(RowFactory.create(runId,
          Timestamp.from(started), Timestamp.from(Instant.now()), records, comparisons,
          persons, matchedPairs, reviewPairs, ids.kept(), ids.minted(), rulesJson(rules),
          modelJson(model, threshold, termFrequencyRecords), scala.collection.JavaConverters.mapAsScalaMap(new LinkedHashMap<String, Object>(perSource))
              .toMap(scala.Predef$.MODULE$.<scala.Tuple2<String, Object>>conforms()),
          mode.name().toLowerCase(java.util.Locale.ROOT), modelRunId, settingsJson, counts[0], counts[1], counts[2],
          affectedPersons, decisionsVersion(), labels == null ? null : labels.toJson())),
          lakehouse.contract("ops.identity_run").schema()));
      LOG.info("identity: run {} ({}): {} records, {} persons, {} re-clustered ({} kept, {} new), {} events", runId,
          mode, records, persons, affectedPersons, ids.kept(), ids.minted(), events.size());
      return new Result(runId, records, perSource, skipped, comparisons, persons, matchedPairs, reviewPairs,
          ids.kept(), ids.minted(), events.size(), eventUpdates, rules, precision, recall, mode, modelRunId, counts[0],
          counts[1], counts[2], affectedPersons, impact.retired(), impact.types(), impact.examples(), true,
          lakehouse.exists("gold.identity_split_queue") ? lakehouse.read("gold.identity_split_queue").count() : 0,
          labels);
    }

    Result result(long records, long comparisons, AssignPersonIds.Result ids, List<AssignPersonIds.Event> events,
        Dataset<Row> pairs, List<LinkRecords.RuleReport> rules, String modelRunId, long[] counts,
        long affected, Impact impact, boolean published, long eventUpdates) {
      long matched = pairs == null ? 0 : pairs.filter(col("status").equalTo("match")).count();
      long review = pairs == null ? 0 : pairs.filter(col("status").isin("review", "refused")).count();
      return new Result(runId, records, perSource, skipped, comparisons, ids.ids().size(), matched, review, ids.kept(),
          ids.minted(), events.size(), eventUpdates, rules, null, null, mode, modelRunId, counts[0], counts[1],
          counts[2], affected, impact.retired(), impact.types(), impact.examples(), published, 0, null);
    }
  }

  /** What a run changes for persons: event counts by type and a few examples (person ids only). */
  record Impact(Map<String, Long> types, List<String> examples, long retired) {}

  static Impact impact(List<AssignPersonIds.Event> events, long scope) {
    Map<String, Long> types = new java.util.TreeMap<>();
    List<String> examples = new ArrayList<>();
    long retired = 0;
    for (AssignPersonIds.Event e : events) {
      types.merge(e.type(), 1L, Long::sum);
      if (e.type().equals("retire")) {
        retired++;
      }
      if (examples.size() < 5) {
        examples.add(e.type() + " " + e.oldId() + (e.newId() == null ? "" : " -> " + e.newId()) + " (" + e.records()
            + " records)");
      }
    }
    return new Impact(types, examples, retired);
  }

  /** The events of an id assignment plus a retire event for each previous id left without any record. */
  static List<AssignPersonIds.Event> withRetired(AssignPersonIds.Result ids, java.util.Set<String> before,
      Map<String, Long> deleted) {
    java.util.Set<String> live = new java.util.HashSet<>(ids.ids().values());
    java.util.Set<String> moved = new java.util.HashSet<>();
    for (AssignPersonIds.Event e : ids.events()) {
      moved.add(e.oldId());
    }
    List<AssignPersonIds.Event> out = new ArrayList<>(ids.events());
    for (String id : new java.util.TreeSet<>(before)) {
      if (!live.contains(id) && !moved.contains(id)) {
        out.add(new AssignPersonIds.Event("retire", id, null, deleted.getOrDefault(id, 0L)));
      }
    }
    return out;
  }

  /** Stable ids for clustered records: (source, record_id, person_id) and the assignment. */
  record Ids(Dataset<Row> personOf, AssignPersonIds.Result result) {}

  Ids assign(Dataset<Row> members, java.util.Set<String> reserved) {
    List<AssignPersonIds.Member> list = new ArrayList<>();
    List<Row> rows = members.collectAsList();
    for (Row r : rows) {
      list.add(new AssignPersonIds.Member(r.getString(0), r.getString(1), r.getLong(2),
          r.isNullAt(3) ? null : r.getString(3)));
    }
    AssignPersonIds.Result ids = new AssignPersonIds().reserve(reserved).execute(list);
    List<Row> idRows = new ArrayList<>();
    for (Row r : rows) {
      idRows.add(RowFactory.create(r.getString(0), r.getString(1), ids.ids().get(r.getLong(2))));
    }
    Dataset<Row> personOf = lakehouse.spark().createDataFrame(idRows, new StructType()
        .add("source", DataTypes.StringType).add("record_id", DataTypes.StringType)
        .add("person_id", DataTypes.StringType)).localCheckpoint();
    return new Ids(personOf, ids);
  }

  /**
   * Crosswalk rows of the clustered records (source, record_id, person_id) from the scored pairs (source_l,
   * record_id_l, source_r, record_id_r, status, match_weight) and the decisions.
   */
  Dataset<Row> crosswalk(Dataset<Row> personOf, Dataset<Row> pairs, Dataset<Row> all, String runId) {
    Dataset<Row> matched = pairs.filter(col("status").equalTo("match"));
    Dataset<Row> recordWeight = matched.select(col("source_l").as("source"), col("record_id_l").as("record_id"),
            col("match_weight"))
        .unionByName(matched.select(col("source_r").as("source"), col("record_id_r").as("record_id"), col("match_weight")))
        .groupBy("source", "record_id").agg(functions.max("match_weight").as("match_weight"));
    Dataset<Row> decisions = lakehouse.read("gold.identity_decision");
    Dataset<Row> mustRecords = decisions.filter(col("decision").equalTo("must-link"))
        .select(col("source_a").as("source"), col("record_id_a").as("record_id"))
        .unionByName(decisions.filter(col("decision").equalTo("must-link"))
            .select(col("source_b").as("source"), col("record_id_b").as("record_id")))
        .distinct().withColumn("must", lit(true));
    WindowSpec byPerson = Window.partitionBy("person_id");
    return personOf
        .join(all.select("source", "record_id", "source_table", "record_hash"), new String[] {"source", "record_id"})
        .join(recordWeight, new String[] {"source", "record_id"}, "left")
        .join(mustRecords, new String[] {"source", "record_id"}, "left")
        .withColumn("cluster_size", functions.count(lit(1)).over(byPerson))
        .withColumn("match_status", functions.when(col("cluster_size").equalTo(1), lit("single"))
            .when(col("match_weight").isNull().and(col("must").isNotNull()), lit("must-link"))
            .otherwise(lit("linked")))
        .withColumn("resolve_run_id", lit(runId))
        .localCheckpoint();
  }

  /**
   * gold.identity_pair rows from scored pairs (as {@link LinkRecords.Result#pairs()} shapes them): prior, exact
   * field weights, levels, masked values and the narrative ({@link ExplainPairs}).
   */
  static Dataset<Row> pairRows(Dataset<Row> pairs, MatchModel model, Dataset<Row> all, String runId) {
    return ExplainPairs.rows(pairs, model, all, runId);
  }

  /** The model of the last trained run, and the settings and skipped rules of the last run that used it. */
  Stored stored() {
    if (!lakehouse.exists("ops.identity_run")) {
      return null;
    }
    // runs before models were reused have no mode (a table written by an earlier version lacks the column until
    // this run appends to it): their model is not taken up
    Dataset<Row> history = lakehouse.read("ops.identity_run");
    if (!List.of(history.columns()).contains("mode")) {
      return null;
    }
    List<Row> runs = history.filter(col("mode").isNotNull())
        .orderBy(col("finished_at").desc(), col("run_id").desc()).select("run_id", "mode", "model_run_id", "settings")
        .limit(1).collectAsList();
    if (runs.isEmpty()) {
      return null;
    }
    String modelRun = runs.get(0).getString(2);
    List<Row> trained = lakehouse.read("ops.identity_run").filter(col("run_id").equalTo(modelRun))
        .select("model", "blocking_report").collectAsList();
    if (trained.isEmpty()) {
      return null;
    }
    MatchModel model;
    try {
      model = MatchModel.fromJson(trained.get(0).getString(0));
    } catch (IllegalArgumentException e) {
      LOG.warn("identity: stored model of run {} cannot be used ({}); estimating a new one", modelRun, e.getMessage());
      return null;
    }
    java.util.Set<Integer> skippedRules = new java.util.HashSet<>();
    try {
      for (com.fasterxml.jackson.databind.JsonNode r : new ObjectMapper().readTree(trained.get(0).getString(1))) {
        if (r.path("skipped_rule").asBoolean(false)) {
          skippedRules.add(r.path("rule").asInt());
        }
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("ops.identity_run.blocking_report of run " + modelRun + " is not JSON", e);
    }
    double threshold;
    try {
      threshold = new ObjectMapper().readTree(trained.get(0).getString(0)).path("match_threshold")
          .asDouble(config.matchThreshold());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("ops.identity_run.model of run " + modelRun + " is not JSON", e);
    }
    return new Stored(modelRun, model, threshold, runs.get(0).getString(3), skippedRules,
        termFrequencies(modelRun, trained.get(0).getString(0)));
  }

  /** The stored term frequencies of a trained run's model; null when it was stored without them. */
  TermFrequencies termFrequencies(String modelRun, String modelJson) {
    long total;
    try {
      total = new ObjectMapper().readTree(modelJson).path("term_frequency_records").asLong(-1);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("ops.identity_run.model of run " + modelRun + " is not JSON", e);
    }
    if (total < 0 || !lakehouse.exists("ops.identity_term_frequency")) {
      LOG.info("identity: the model of run {} has no stored term frequencies; they are counted over the current "
          + "records (resolve-identity --retrain stores them)", modelRun);
      return null;
    }
    // read once: each term-frequency field filters it
    return new TermFrequencies(lakehouse.read("ops.identity_term_frequency")
        .filter(col("model_run_id").equalTo(lit(modelRun))).select("field", "value", "records").localCheckpoint(),
        total);
  }

  /**
   * The model's JSON with the match threshold it links at and its term frequencies' denominator (what later runs
   * reuse).
   */
  static String modelJson(MatchModel model, double threshold, long termFrequencyRecords) {
    try {
      com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode)
          new ObjectMapper().readTree(model.toJson());
      o.put("match_threshold", threshold);
      if (termFrequencyRecords >= 0) {
        o.put("term_frequency_records", termFrequencyRecords);
      }
      return o.toString();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The settings a stored model is used with, as JSON (an incremental run needs the same). */
  static String settingsJson(LinkageSettings s) {
    ObjectMapper om = new ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode o = om.createObjectNode();
    ArrayNode rules = o.putArray("blocking_rules");
    for (List<String> r : s.blockingRules()) {
      ArrayNode a = rules.addArray();
      r.forEach(a::add);
    }
    o.put("match_threshold", s.matchThreshold()).put("review_threshold", s.reviewThreshold())
        .put("max_block_size", s.maxBlockSize()).put("max_rule_comparisons", s.maxRuleComparisons())
        .put("ssn_max_edits", s.ssnMaxEdits()).put("sex_guard", s.sexGuard()).put("link_only", s.linkOnly())
        .put("weak_fields_match_threshold", s.weakFieldsMatchThreshold())
        .put("min_estimated_precision", s.minEstimatedPrecision());
    ArrayNode tf = o.putArray("term_frequency_fields");
    s.termFrequencyFields().stream().map(PersonField::column).sorted().forEach(tf::add);
    return o.toString();
  }

  /** Hash of a record's person fields as read: a record whose hash is unchanged is not linked again. */
  static Column recordHash() {
    List<Column> parts = new ArrayList<>();
    for (String f : PERSON_COLUMNS) {
      parts.add(functions.coalesce(col(f), lit("\u0002")));
    }
    return functions.xxhash64(functions.concat_ws("\u0001", parts.toArray(new Column[0])));
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
    for (String f : PERSON_COLUMNS) {
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
  long fillEventPersonIds(Dataset<Row> crosswalk, boolean incremental) {
    if (!lakehouse.exists("silver.event")) {
      return 0;
    }
    if (incremental) {
      // the re-clustered records' events and those of records ingested since (person_id still null): the whole
      // crosswalk, as written
      crosswalk = lakehouse.read("gold.identity_crosswalk");
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
