package org.pophealth.measures;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.io.Messages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step {@code evaluate-measures}: every person's FHIR evidence ({@link CollectPersonResources}) →
 * the official eCQM logic of the package on the CQL engine inside Spark partitions
 * ({@link EvaluatePersons}) → gold.measure_result, then gold.measure_summary (rates, strata, small-cell
 * suppression) and gold.care_gap. Re-running for a period replaces that period's rows.
 *
 * <p>A nightly run costs what changed: each person's evidence is fingerprinted from content hashes, without its
 * raw JSON ({@code input_hash}: the person's id and resources, the shared resources, the package's files, the
 * build; {@link CollectPersonResources#fingerprints}). A person whose fingerprint equals the one on their rows
 * of the period keeps those rows; only the others have their evidence gathered and go to the CQL engine. The
 * summary, care gaps and diagnostics are then computed over every row of the period, as a full run does.
 * {@link #full} evaluates everyone.
 */
public final class EvaluateMeasures {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateMeasures.class);
  private static final String[] DIMENSIONS = {"age_band", "sex", "payer", "organization", "race", "ethnicity"};

  private final Lakehouse lakehouse;
  private final String packageLocation;
  private final LocalDate start;
  private final LocalDate end;
  private int smallCell = 11;
  private Map<String, String> measureByPerson;
  private boolean writeTables = true;
  private int trendYears;
  private boolean full;

  public EvaluateMeasures(Lakehouse lakehouse, String packageLocation, LocalDate start, LocalDate end) {
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("measurement period ends before it starts: " + start + " .. " + end);
    }
    this.lakehouse = lakehouse;
    this.packageLocation = packageLocation;
    this.start = start;
    this.end = end;
  }

  public EvaluateMeasures smallCellThreshold(int n) {
    this.smallCell = n;
    return this;
  }

  /** Conformance: evaluate only the given measure for the given persons, and write nothing. */
  public EvaluateMeasures onlyCases(Map<String, String> measureByPerson) {
    this.measureByPerson = measureByPerson;
    this.writeTables = false;
    return this;
  }

  /**
   * Evaluate every person again, reusing no earlier rows (a full rebuild: {@code evaluate-measures --full});
   * by default a person whose evidence, package and build did not change keeps the rows it has.
   */
  public EvaluateMeasures full(boolean full) {
    this.full = full;
    return this;
  }

  /**
   * Also evaluate the {@code years} periods before the period, each shifted by whole years, earliest first
   * (the dashboard's trend): over one collection of the person resources, and written together with the
   * period, one commit per table for all of them.
   */
  public EvaluateMeasures trend(int years) {
    if (years < 0) {
      throw new IllegalArgumentException("the trend is 0 or more periods, not " + years);
    }
    this.trendYears = years;
    return this;
  }

  /**
   * One period's counts, and the rows evaluated in this run (cached, with the person resources they came
   * from) until {@link #release} (the rows kept from an earlier run are in the table); {@code trend}: the
   * earlier periods' (earliest first; none without {@link #trend}). {@code evaluations} and {@code resultRows}
   * count the period's rows, kept or not; {@code evaluatedPersons} and {@code evaluatedNow} the persons and
   * person-measure evaluations the CQL ran for in this run; {@code reusedPersons} those whose earlier rows
   * were kept (evidence unchanged).
   */
  public record Result(long persons, long evaluations, long resultRows, long errors, long summaryRows, long gaps,
      double seconds, double evaluateSeconds, Dataset<Row> results, Dataset<Row> personResources,
      List<Result> trend, long evaluatedPersons, long evaluatedNow, long reusedPersons) {
    public Result {
      trend = List.copyOf(trend);
    }

    /** Person-measure evaluations the CQL ran per second in this run. */
    public double evaluationsPerSecond() {
      return evaluateSeconds <= 0 ? 0 : evaluatedNow / evaluateSeconds;
    }

    /**
     * Frees the cached rows: results first (the trend's too), then the person resources. The other order would
     * invalidate the results' cache (Spark re-caches a cached dataset's dependants), and the next use would
     * run the CQL again.
     */
    public void release() {
      for (Result t : trend) {
        t.results().unpersist();
      }
      results.unpersist();
      personResources.unpersist();
    }
  }

  /**
   * One period's rows, those evaluated now (cached) and those kept from the table (null: none, a full run),
   * and their counts, before anything is written.
   */
  private record Evaluated(LocalDate start, LocalDate end, Dataset<Row> results, Dataset<Row> kept, long rows,
      long evaluations, long errors, double seconds, long evaluatedPersons, long evaluatedNow, long reusedPersons) {
    /** Every row of the period. */
    Dataset<Row> all() {
      return kept == null ? results : results.unionByName(kept);
    }

    String where() {
      return "(" + period(start, end) + ")";
    }
  }

  public Result execute() {
    long t0 = System.nanoTime();
    MeasurePackage pkg = LoadMeasurePackage.cached(packageLocation);
    Timestamp now = Timestamp.from(Instant.now());
    CollectPersonResources collect = new CollectPersonResources(lakehouse, pkg);
    List<LocalDate[]> spans = new ArrayList<>();
    for (int k = trendYears; k >= 0; k--) {
      spans.add(new LocalDate[] {start.minusYears(k), end.minusYears(k)});
    }
    List<Dataset<Row>> reusable = new ArrayList<>();
    Dataset<Row> persons;
    long personCount;
    // nothing to reuse in the empty first version, nor in a table written before input_hash existed (the write
    // adds the column)
    boolean reuse = writeTables && !full && lakehouse.exists("gold.measure_result")
        && lakehouse.version("gold.measure_result") > 0
        && List.of(lakehouse.read("gold.measure_result").columns()).contains("input_hash");
    if (writeTables) {
      // every person's evidence fingerprinted first (content hashes, no raw JSON), once for every period
      CollectPersonResources.Fingerprints fp = collect.fingerprints();
      Dataset<Row> hashes = withInputHash(fp.persons(), scope(pkg, now) + "|" + fp.shared())
          .select("person_key", "patients", "input_hash").localCheckpoint(true);
      personCount = hashes.count();
      Dataset<Row> wanted = null;
      if (reuse) {
        for (LocalDate[] p : spans) {
          Dataset<Row> r = reusable(hashes, p[0], p[1]);
          reusable.add(r);
          Dataset<Row> stale = hashes.select("person_key").join(broadcast(r), CollectPersonResources.seq("person_key"),
              "left_anti");
          wanted = wanted == null ? stale : wanted.union(stale);
        }
      }
      // the evidence of the persons to evaluate in some period (everyone's without reuse, or when most changed)
      Dataset<Row> keys = wanted == null ? null : wanted.distinct().localCheckpoint(true);
      long toCollect = keys == null ? personCount : keys.count();
      if (keys != null && toCollect * 2 <= personCount) {
        collect.onlyPatients(hashes.join(broadcast(keys), CollectPersonResources.seq("person_key"), "left_semi")
            .select(org.apache.spark.sql.functions.explode(col("patients")).as("p"))
            .select(col("p.source").as("source"), col("p.patient_id").as("patient_id")).localCheckpoint(true));
      }
      LOG.info("{} persons; evidence collected for {} (fingerprint changed, or no rows to keep)", personCount,
          toCollect);
      persons = collect.execute()
          .join(hashes.select("person_key", "input_hash"), CollectPersonResources.seq("person_key"))
          .persist(StorageLevel.MEMORY_AND_DISK());
    } else {
      // conformance cases: nothing written, nothing to keep or fingerprint
      persons = collect.execute().withColumn("input_hash", lit(null).cast("string"))
          .persist(StorageLevel.MEMORY_AND_DISK());
      personCount = persons.count();
    }
    List<Evaluated> periods = new ArrayList<>();
    for (int i = 0; i < spans.size(); i++) {
      periods.add(evaluate(persons, spans.get(i)[0], spans.get(i)[1], now, reuse ? reusable.get(i) : null));
    }
    Map<String, Long> summaryRows = Map.of();
    Map<String, Long> gaps = Map.of();
    if (writeTables) {
      // every period in one write per table: one commit each (a trend of three periods made three per table)
      String where = String.join(" OR ", periods.stream().map(Evaluated::where).toList());
      Dataset<Row> results = periods.get(0).all();
      for (Evaluated e : periods.subList(1, periods.size())) {
        results = results.unionByName(e.all());
      }
      long w0 = System.nanoTime();
      lakehouse.replaceWhere("gold.measure_result", results, where);
      // summary, gaps and diagnostics read every row of the periods back from the table, kept or evaluated now,
      // not from the cache: a plan over the cached rows carries the whole evaluation plan in each of its many
      // scans (the summary's 18), and it took far longer (44 s for the summary of 5 persons in a test JVM;
      // 7-17 s from the table)
      Dataset<Row> written = lakehouse.read("gold.measure_result").filter(where);
      long w1 = System.nanoTime();
      lakehouse.replaceWhere("gold.measure_summary", summarize(written, now), where);
      long w2 = System.nanoTime();
      // a gap's status (open or prospective) as of this run, also for the rows kept from an earlier one
      lakehouse.replaceWhere("gold.care_gap", careGaps(written, pkg, lit(now)), where);
      long w3 = System.nanoTime();
      lakehouse.replaceWhere("gold.measure_diagnostic", diagnose(written, pkg, now), where);
      long w4 = System.nanoTime();
      summaryRows = perPeriod(lakehouse.read("gold.measure_summary").filter(where));
      gaps = perPeriod(lakehouse.read("gold.care_gap").filter(where).filter(col("status").isin("open", "prospective")));
      LOG.info("{} period(s) written in {} s: gold.measure_result {} s, gold.measure_summary {} s, gold.care_gap {} s,"
          + " gold.measure_diagnostic {} s", periods.size(), Messages.seconds(w4 - w0), Messages.seconds(w1 - w0),
          Messages.seconds(w2 - w1), Messages.seconds(w3 - w2), Messages.seconds(w4 - w3));
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<Result> out = new ArrayList<>();
    for (Evaluated e : periods) {
      String key = e.start() + ".." + e.end();
      out.add(new Result(personCount, e.evaluations(), e.rows(), e.errors(), summaryRows.getOrDefault(key, 0L),
          gaps.getOrDefault(key, 0L), seconds, e.seconds(), e.results(), persons, List.of(), e.evaluatedPersons(),
          e.evaluatedNow(), e.reusedPersons()));
    }
    Result main = out.get(out.size() - 1);
    return new Result(main.persons(), main.evaluations(), main.resultRows(), main.errors(), main.summaryRows(),
        main.gaps(), seconds, main.evaluateSeconds(), main.results(), persons, out.subList(0, out.size() - 1),
        main.evaluatedPersons(), main.evaluatedNow(), main.reusedPersons());
  }

  /**
   * What every person's evaluation depends on besides their evidence: the package's files, the build (another
   * build may evaluate differently), and the day when the package's logic asks for Now() or Today().
   */
  private String scope(MeasurePackage pkg, Timestamp now) {
    String day = LoadMeasurePackage.usesEvaluationTime(pkg) ? now.toInstant().toString().substring(0, 10) : "";
    return LoadMeasurePackage.fingerprint(packageLocation) + "|" + org.pophealth.ops.Provenance.current().gitCommit()
        + "|" + day;
  }

  /**
   * The fingerprinted person rows ({@link CollectPersonResources#fingerprints}) with {@code input_hash}: SHA-256
   * over the scope, the person's key and id, and their evidence's resource hashes (sorted: the order the
   * resources were gathered in does not matter).
   */
  static Dataset<Row> withInputHash(Dataset<Row> persons, String scope) {
    return persons.withColumn("input_hash", org.apache.spark.sql.functions.sha2(org.apache.spark.sql.functions.concat_ws(
        "|", lit(scope), col("person_key"), coalesce(col("person_id"), lit("")), col("evidence")), 256));
  }

  /**
   * The persons whose rows of a period can be kept: the fingerprint on their rows equals this run's, and none has
   * a CQL error (a person's rows of a period are written together, with one hash). Materialised, its plan cut
   * from the table: the rows evaluated later are cached, and a cached plan reading gold.measure_result would be
   * re-cached (the CQL run again) when the table is written.
   */
  private Dataset<Row> reusable(Dataset<Row> hashes, LocalDate from, LocalDate to) {
    Dataset<Row> prior = lakehouse.read("gold.measure_result").filter(period(from, to));
    Dataset<Row> unusable = prior.filter(col("errors").isNotNull().or(col("input_hash").isNull())).select("person_key");
    return prior.select("person_key", "input_hash").distinct()
        .join(hashes.select("person_key", "input_hash"), CollectPersonResources.seq("person_key", "input_hash"), "left_semi")
        .join(unusable, CollectPersonResources.seq("person_key"), "left_anti").select("person_key")
        .localCheckpoint(true);
  }

  private static String period(LocalDate from, LocalDate to) {
    return "period_start = DATE'" + from + "' AND period_end = DATE'" + to + "'";
  }

  /**
   * One period over the cached person resources: the rows of persons whose fingerprint is unchanged kept from
   * the table (when {@code reuse}), the others evaluated, their rows cached; counted in one query each.
   */
  private Evaluated evaluate(Dataset<Row> persons, LocalDate from, LocalDate to, Timestamp now, Dataset<Row> reusable) {
    long t1 = System.nanoTime();
    Dataset<Row> todo = persons;
    Dataset<Row> kept = null;
    if (reusable != null) {
      // broadcast: the cached person rows keep their partitioning, and so the CQL its parallelism
      todo = persons.join(broadcast(reusable), CollectPersonResources.seq("person_key"), "left_anti");
      kept = lakehouse.read("gold.measure_result").filter(period(from, to))
          .join(broadcast(reusable), CollectPersonResources.seq("person_key"), "left_semi");
    }
    StructType schema = lakehouse.contract("gold.measure_result").schema();
    Dataset<Row> results = todo
        .mapPartitions(new EvaluatePersons(packageLocation, from, to, now, measureByPerson), Encoders.row(schema))
        .persist(StorageLevel.MEMORY_AND_DISK());
    // the counts in one query (it also fills the cache: the CQL runs here); the kept rows are not cached (see above)
    Row c = counts(results);
    double evalSeconds = (System.nanoTime() - t1) / 1e9;
    Row k = kept == null ? null : counts(kept);
    long evaluatedNow = c.getLong(1);
    long reused = k == null ? 0 : k.getLong(3);
    LOG.info("{}..{}: {} person-measure evaluations of {} persons in {} s ({} /s), {} rows with CQL errors; the rows"
        + " of {} persons kept (evidence unchanged)", from, to, evaluatedNow, c.getLong(3),
        String.format("%.1f", evalSeconds), String.format("%.0f", evaluatedNow / Math.max(evalSeconds, 1e-9)),
        c.getLong(2), reused);
    return new Evaluated(from, to, results, kept, c.getLong(0) + (k == null ? 0 : k.getLong(0)),
        evaluatedNow + (k == null ? 0 : k.getLong(1)), c.getLong(2), evalSeconds, c.getLong(3), evaluatedNow, reused);
  }

  /** Rows, person-measure pairs, rows with a CQL error and persons, in one query. */
  private static Row counts(Dataset<Row> rows) {
    return rows.agg(org.apache.spark.sql.functions.count(lit(1)),
        org.apache.spark.sql.functions.countDistinct(col("person_key"), col("measure")),
        org.apache.spark.sql.functions.count(when(col("errors").isNotNull(), lit(1))),
        org.apache.spark.sql.functions.countDistinct(col("person_key"))).first();
  }

  /** Rows per period ({@code start..end}), in one query. */
  private static Map<String, Long> perPeriod(Dataset<Row> rows) {
    Map<String, Long> out = new java.util.HashMap<>();
    for (Row r : rows.groupBy("period_start", "period_end").count().collectAsList()) {
      out.put(r.get(0) + ".." + r.get(1), r.getLong(2));
    }
    return out;
  }

  /**
   * gold.measure_diagnostic from the evaluation rows: the funnel of every group, data elements the logic
   * retrieves among persons outside the initial population and outside the numerator, and encounter codes
   * no encounter value set of the measure holds.
   */
  static Dataset<Row> diagnose(Dataset<Row> rows, MeasurePackage pkg, Timestamp now) {
    rows.createOrReplaceTempView("md_rows");
    List<Row> titles = new ArrayList<>();
    for (MeasurePackage.MeasureDefinition m : pkg.measures()) {
      titles.add(RowFactory.create(m.name(), m.title()));
    }
    rows.sparkSession().createDataFrame(titles, new StructType().add("measure", DataTypes.StringType)
        .add("measure_title", DataTypes.StringType)).createOrReplaceTempView("md_titles");
    Dataset<Row> d = rows.sparkSession().sql("""
        WITH r AS (
          SELECT measure, cms_id, period_start, period_end, group_index, person_key, data_found,
                 unmatched_encounter_codes, initial_population AS ip, denominator AS den,
                 denominator_exclusion AS excl, denominator_exception AS exc, numerator AS num,
                 denominator AND NOT denominator_exclusion AND NOT denominator_exception AND NOT numerator AS not_num
          FROM md_rows),
        steps AS (
          SELECT measure, cms_id, period_start, period_end, group_index, person_key, data_found,
                 unmatched_encounter_codes, s.step, s.member
          FROM r LATERAL VIEW inline(array(
            named_struct('step', 'evaluated', 'member', true),
            named_struct('step', 'initial_population', 'member', ip),
            named_struct('step', 'denominator', 'member', den),
            named_struct('step', 'denominator_exclusion', 'member', excl),
            named_struct('step', 'denominator_exception', 'member', exc),
            named_struct('step', 'numerator', 'member', num),
            named_struct('step', 'not_in_numerator', 'member', not_num),
            named_struct('step', 'not_in_initial_population', 'member', NOT ip))) s),
        base AS (
          SELECT measure, cms_id, period_start, period_end, group_index, step, count_if(member) AS of_persons
          FROM steps GROUP BY measure, cms_id, period_start, period_end, group_index, step),
        funnel AS (
          SELECT measure, cms_id, period_start, period_end, group_index, 'funnel' AS kind, step, '' AS item,
                 of_persons AS persons, of_persons
          FROM base WHERE step <> 'not_in_initial_population'),
        elements AS (
          SELECT measure, cms_id, period_start, period_end, group_index, 'data_element' AS kind, step, item,
                 count(DISTINCT person_key) AS persons
          FROM (SELECT *, explode(data_found) AS item FROM steps
                WHERE member AND step IN ('not_in_initial_population', 'not_in_numerator'))
          GROUP BY measure, cms_id, period_start, period_end, group_index, step, item),
        codes AS (
          SELECT measure, cms_id, period_start, period_end, group_index, 'unmatched_encounter_code' AS kind, step,
                 item, count(DISTINCT person_key) AS persons
          FROM (SELECT *, explode(unmatched_encounter_codes) AS item FROM steps
                WHERE member AND step = 'not_in_initial_population')
          GROUP BY measure, cms_id, period_start, period_end, group_index, step, item),
        detail AS (
          SELECT x.measure, x.cms_id, x.period_start, x.period_end, x.group_index, x.kind, x.step, x.item,
                 x.persons, b.of_persons
          FROM (SELECT * FROM elements UNION ALL SELECT * FROM codes) x
          JOIN base b ON b.measure = x.measure AND b.period_start = x.period_start AND b.period_end = x.period_end
            AND b.group_index = x.group_index AND b.step = x.step)
        SELECT f.*, t.measure_title FROM (SELECT * FROM funnel UNION ALL SELECT * FROM detail) f
        LEFT JOIN md_titles t USING (measure)
        """);
    // the names go, the data stays: Catalog.dropTempView would also uncache the view's plan, which is the
    // caller's persisted evaluation rows, and writing this lazy result would then evaluate every person again
    rows.sparkSession().sessionState().catalog().dropTempView("md_rows");
    rows.sparkSession().sessionState().catalog().dropTempView("md_titles");
    return d.withColumn("computed_at", lit(now));
  }

  /** Group columns every summary row carries. */
  private static final String[] GROUP_KEYS = {"measure", "cms_id", "measure_version", "period_start", "period_end",
      "group_index", "improvement_notation"};

  /**
   * Counts per measure, group and stratum; the group's score by its scoring; small cells suppressed. Strata:
   * ours (age band, sex, payer, organisation, race, ethnicity) and the measure's own stratifiers
   * ({@code measure:<stratifier id>}: strata true / false, or {@code episodes} for a stratifier that returns
   * episodes).
   */
  Dataset<Row> summarize(Dataset<Row> results, Timestamp now) {
    Dataset<Row> stacked = null;
    List<String> dims = new ArrayList<>(List.of("all"));
    dims.addAll(List.of(DIMENSIONS));
    for (String d : dims) {
      Column stratum = d.equals("all") ? lit("all") : coalesce(col(d), lit("(none)"));
      Dataset<Row> s = results.select(cols(col("person_key"), lit(d).as("stratifier"), stratum.as("stratum"),
          col("initial_population"), col("denominator"), col("denominator_exclusion"), col("denominator_exception"),
          col("numerator"), col("episode_counts"), col("observations")));
      stacked = stacked == null ? s : stacked.unionByName(s);
    }
    // the measure's own boolean stratifiers: the person's value is the stratum
    Dataset<Row> own = results.select(cols(col("person_key"), org.apache.spark.sql.functions.explode(col("strata")),
            col("initial_population"), col("denominator"), col("denominator_exclusion"), col("denominator_exception"),
            col("numerator"), col("episode_counts"), col("observations")))
        .withColumn("stratifier", org.apache.spark.sql.functions.concat(lit("measure:"), col("key")))
        .withColumn("stratum", coalesce(col("value"), lit("(none)"))).drop("key", "value");
    // ... and those returning episodes: the episodes of each population the stratifier returns
    Column counts = col("value");
    Dataset<Row> ownEpisodes = results.filter(col("stratum_episodes").isNotNull())
        .select(cols(col("person_key"), org.apache.spark.sql.functions.explode(col("stratum_episodes"))))
        .select(cols(col("person_key"), org.apache.spark.sql.functions.concat(lit("measure:"), col("key")).as("stratifier"),
            lit(EvaluatePersons.EPISODES).as("stratum"), inStratum(counts, "initial-population").as("initial_population"),
            inStratum(counts, "denominator").as("denominator"), inStratum(counts, "denominator-exclusion").as("denominator_exclusion"),
            inStratum(counts, "denominator-exception").as("denominator_exception"), inStratum(counts, "numerator").as("numerator"),
            counts.as("episode_counts"), lit(null).cast(results.schema().apply("observations").dataType()).as("observations")));
    stacked = stacked.unionByName(own).unionByName(ownEpisodes);
    List<String> keys = new ArrayList<>(List.of(GROUP_KEYS));
    keys.addAll(List.of("stratifier", "stratum"));
    // counts of episodes (persons for patient-based groups); the persons behind them are counted too, as
    // small cells are about persons: 12 episodes of 2 people are a small cell
    Dataset<Row> agg = stacked.groupBy(keys.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new))
        .agg(count("initial_population"), count("denominator"), count("denominator_exclusion"),
            count("denominator_exception"), count("numerator"), episodes("measure-population"),
            episodes("measure-population-exclusion"), persons("denominator"), persons("numerator"),
            sum(when(col("episode_counts").getItem("measure-population").gt(0), 1L).otherwise(0L))
                .as("persons_measure_population"),
            org.apache.spark.sql.functions.max(col("episode_counts").isNotNull()).as("episode_based"));
    Dataset<Row> scored = agg.join(groupDefinitions(results), scala.collection.JavaConverters
            .asScalaBuffer(List.of("measure", "group_index")).toSeq(), "left")
        .join(observationAggregates(stacked, keys), scala.collection.JavaConverters.asScalaBuffer(keys).toSeq(), "left")
        .withColumn("scoring", coalesce(col("scoring"), lit("proportion"))); // a measure the package does not define
    Column cv = col("scoring").equalTo("continuous-variable");
    Column ratio = col("scoring").equalTo("ratio");
    Column measurePop = col("measure_population").minus(col("measure_population_exclusion"));
    Column perfDenom = when(cv, measurePop)
        .otherwise(col("denominator").minus(col("denominator_exclusion")).minus(col("denominator_exception")));
    // primary: a small count, or a small count of those not meeting the measure (denominator minus numerator);
    // for an episode-based group also a small count of persons in the denominator, numerator or measure population
    Column small = cell(perfDenom).or(cell(col("numerator"))).or(when(cv, lit(false)).otherwise(cell(perfDenom.minus(col("numerator")))))
        .or(col("episode_based").and(cell(col("persons_denominator")).or(cell(col("persons_numerator")))
            .or(cell(col("persons_measure_population")))));
    Dataset<Row> c = scored.withColumn("suppressed", small)
        .drop("persons_denominator", "persons_numerator", "persons_measure_population", "episode_based");
    Column rate = when(perfDenom.gt(0).and(cv.unary_$bang()).and(ratio.unary_$bang()),
        col("numerator").cast("double").divide(perfDenom));
    Column ratioScore = when(col("denominator_value").isNotNull().and(col("numerator_value").isNotNull()),
            when(col("denominator_value").notEqual(0), col("numerator_value").divide(col("denominator_value"))))
        .otherwise(when(col("denominator").minus(col("denominator_exclusion")).gt(0),
            col("numerator").cast("double").divide(col("denominator").minus(col("denominator_exclusion")))));
    Column score = when(cv, col("measure_population_value")).when(ratio, ratioScore)
        .when(col("scoring").equalTo("cohort"), lit(null).cast("double")).otherwise(rate);
    Dataset<Row> withRate = complementary(c.withColumn("perf_denominator", perfDenom))
        .drop("perf_denominator").withColumn("performance_rate", rate).withColumn("measure_score", score)
        .drop("measure_population_value", "numerator_value", "denominator_value");
    for (String col : List.of("initial_population", "denominator", "denominator_exclusion", "denominator_exception",
        "numerator", "performance_rate", "measure_population", "measure_population_exclusion", "observations",
        "measure_score")) {
      withRate = withRate.withColumn(col, when(col("suppressed"), lit(null)).otherwise(col(col)));
    }
    return withRate.withColumn("computed_at", lit(now));
  }

  /** The group columns followed by {@code more}. */
  private static Column[] cols(Column... more) {
    List<Column> out = new ArrayList<>();
    for (String k : GROUP_KEYS) {
      out.add(col(k));
    }
    out.addAll(List.of(more));
    return out.toArray(Column[]::new);
  }

  private static Column inStratum(Column counts, String population) {
    return coalesce(counts.getItem(population), lit(0)).gt(0);
  }

  /** Scoring of every group of the package, and its observations' aggregate methods (one row per group). */
  private Dataset<Row> groupDefinitions(Dataset<Row> results) {
    MeasurePackage pkg = LoadMeasurePackage.cached(packageLocation);
    List<Row> defs = new ArrayList<>();
    for (MeasurePackage.MeasureDefinition m : pkg.measures()) {
      for (MeasurePackage.Group g : m.groups()) {
        defs.add(RowFactory.create(m.name(), g.index(), g.scoring() == null ? m.scoring() : g.scoring()));
      }
    }
    StructType shape = new StructType().add("measure", DataTypes.StringType).add("group_index", DataTypes.IntegerType)
        .add("scoring", DataTypes.StringType);
    return results.sparkSession().createDataFrame(defs, shape);
  }

  /**
   * Per group and stratum, each observed population's values aggregated by the observation's method (Sum,
   * Count, Average, Median, Minimum, Maximum): {@code measure_population_value}, {@code numerator_value},
   * {@code denominator_value}, and how many values there were ({@code observations}).
   */
  private Dataset<Row> observationAggregates(Dataset<Row> stacked, List<String> keys) {
    MeasurePackage pkg = LoadMeasurePackage.cached(packageLocation);
    List<Row> defs = new ArrayList<>();
    for (MeasurePackage.MeasureDefinition m : pkg.measures()) {
      for (MeasurePackage.Group g : m.groups()) {
        for (MeasurePackage.Observation o : g.observations()) {
          defs.add(RowFactory.create(m.name(), g.index(), o.population(), o.aggregate()));
        }
      }
    }
    StructType shape = new StructType().add("measure", DataTypes.StringType).add("group_index", DataTypes.IntegerType)
        .add("population", DataTypes.StringType).add("aggregate", DataTypes.StringType);
    Dataset<Row> methods = stacked.sparkSession().createDataFrame(defs, shape);
    List<Column> k = new ArrayList<>(keys.stream().map(org.apache.spark.sql.functions::col).toList());
    List<Column> select = new ArrayList<>(k);
    select.add(org.apache.spark.sql.functions.explode(col("observations")).as(new String[] {"population", "values"}));
    Dataset<Row> values = stacked.filter(col("observations").isNotNull()).select(select.toArray(Column[]::new))
        .withColumn("v", org.apache.spark.sql.functions.explode(col("values")));
    List<Column> byPopulation = new ArrayList<>(k);
    byPopulation.add(col("population"));
    Column v = col("v");
    Dataset<Row> perPopulation = values.groupBy(byPopulation.toArray(Column[]::new))
        .agg(sum(v).as("o_sum"), org.apache.spark.sql.functions.count(v).as("o_count"),
            org.apache.spark.sql.functions.avg(v).as("o_avg"),
            org.apache.spark.sql.functions.expr("percentile(v, 0.5)").as("o_median"),
            org.apache.spark.sql.functions.min(v).as("o_min"), org.apache.spark.sql.functions.max(v).as("o_max"))
        .join(methods, scala.collection.JavaConverters.asScalaBuffer(List.of("measure", "group_index", "population")).toSeq());
    Column method = col("aggregate");
    Column value = when(method.equalTo("Sum"), col("o_sum")).when(method.equalTo("Count"), col("o_count").cast("double"))
        .when(method.equalTo("Average"), col("o_avg")).when(method.equalTo("Median"), col("o_median"))
        .when(method.equalTo("Minimum"), col("o_min")).when(method.equalTo("Maximum"), col("o_max"));
    return perPopulation.withColumn("value", value).groupBy(k.toArray(Column[]::new)).agg(
        org.apache.spark.sql.functions.max(when(col("population").equalTo("measure-population"), col("value")))
            .as("measure_population_value"),
        org.apache.spark.sql.functions.max(when(col("population").equalTo("numerator"), col("value"))).as("numerator_value"),
        org.apache.spark.sql.functions.max(when(col("population").equalTo("denominator"), col("value")))
            .as("denominator_value"),
        sum(col("o_count")).as("observations"));
  }

  /**
   * Complementary suppression: the strata of one stratifier add up to the published "all" row, so a lone
   * suppressed stratum (or several whose counts add up to a small cell) could be recovered by subtraction.
   * Then the smallest unsuppressed stratum of that stratifier (by performance denominator, then name) is
   * suppressed too.
   */
  private Dataset<Row> complementary(Dataset<Row> counts) {
    var strata = org.apache.spark.sql.expressions.Window.partitionBy("measure", "measure_version", "period_start",
        "period_end", "group_index", "stratifier");
    Column hidden = when(col("suppressed"), col("perf_denominator")).otherwise(lit(0L));
    Column hiddenNumer = when(col("suppressed"), col("numerator")).otherwise(lit(0L));
    Dataset<Row> w = counts
        .withColumn("n_suppressed", sum(when(col("suppressed"), 1L).otherwise(0L)).over(strata))
        .withColumn("hidden_denominator", sum(hidden).over(strata))
        .withColumn("hidden_numerator", sum(hiddenNumer).over(strata))
        .withColumn("open_rank", org.apache.spark.sql.functions.row_number().over(strata
            .orderBy(col("suppressed").asc(), col("perf_denominator").asc(), col("stratum").asc())));
    Column recoverable = col("n_suppressed").equalTo(1).or(col("n_suppressed").gt(1)
        .and(cell(col("hidden_denominator")).or(cell(col("hidden_numerator")))
            .or(cell(col("hidden_denominator").minus(col("hidden_numerator"))))));
    Column complement = col("stratifier").notEqual(lit("all")).and(col("suppressed").unary_$bang())
        .and(col("open_rank").equalTo(1)).and(recoverable);
    return w.withColumn("suppressed", col("suppressed").or(complement))
        .drop("n_suppressed", "hidden_denominator", "hidden_numerator", "open_rank");
  }

  private Column cell(Column n) {
    return n.gt(0).and(n.lt(smallCell));
  }

  /**
   * Members of a population: episodes for an episode-based group ({@code episode_counts}, keyed by population
   * code), else persons.
   */
  private static Column count(String flag) {
    Column episodes = col("episode_counts").getItem(flag.replace('_', '-')).cast("long");
    return sum(coalesce(episodes, when(col(flag), 1L).otherwise(0L))).as(flag);
  }

  /** Episodes of a population the table has no flag column for (measure-population, ...); 0 when none. */
  private static Column episodes(String population) {
    return sum(coalesce(col("episode_counts").getItem(population).cast("long"), lit(0L))).as(population.replace('-', '_'));
  }

  /** Persons in a population, whatever the group's basis. */
  private static Column persons(String flag) {
    return sum(when(col(flag), 1L).otherwise(0L)).as("persons_" + flag);
  }

  /**
   * Care-gap status of every person in a measure group's initial population, as the DEQM gaps-in-care
   * report defines them: {@code not-applicable} (not in the denominator, or excluded, or an exception),
   * {@code closed} (meets the measure: in the numerator, or for an inverse measure outside it),
   * {@code open} (does not, and the period — the date by which it had to — is over at evaluation time),
   * {@code prospective} (does not yet, and the period is still running: the gap can still be closed). Each
   * row says what was found (the evidence of the population behind the status, with dates), what closes
   * it (the measure's numerator criterion and the data elements its logic looks for) and by when.
   */
  static Dataset<Row> careGaps(Dataset<Row> results, MeasurePackage pkg) {
    return careGaps(results, pkg, col("evaluated_at"));
  }

  /** {@link #careGaps(Dataset, MeasurePackage)} with the period over when {@code asOf} is after its last day. */
  static Dataset<Row> careGaps(Dataset<Row> results, MeasurePackage pkg, Column asOf) {
    List<Row> defs = new ArrayList<>();
    for (MeasurePackage.MeasureDefinition m : pkg.measures()) {
      for (MeasurePackage.Group g : m.groups()) {
        boolean inverse = "decrease".equals(g.improvementNotation());
        String numer = g.descriptions().getOrDefault("numerator", "").strip();
        String close = (inverse ? "Inverse measure: leave the numerator — " : "Meet the numerator — ")
            + (numer.isEmpty() ? g.populations().getOrDefault("numerator", "") : numer);
        java.util.Set<String> others = new java.util.HashSet<>(g.populations().values());
        String numerator = g.populations().get("numerator");
        List<String> closeWith = numerator == null ? List.of()
            : MeasureDataElements.reachedFrom(pkg, m, numerator, others);
        defs.add(RowFactory.create(m.name(), g.index(), m.title(), inverse, close,
            scala.collection.JavaConverters.asScalaBuffer(closeWith).toSeq()));
      }
    }
    StructType shape = new StructType().add("measure", DataTypes.StringType).add("group_index", DataTypes.IntegerType)
        .add("measure_title", DataTypes.StringType).add("inverse", DataTypes.BooleanType)
        .add("to_close", DataTypes.StringType).add("close_with", DataTypes.createArrayType(DataTypes.StringType));
    Dataset<Row> d = results.sparkSession().createDataFrame(defs, shape);
    Column applicable = col("denominator").and(col("denominator_exclusion").unary_$bang())
        .and(col("denominator_exception").unary_$bang());
    Column meets = when(col("inverse"), col("numerator").unary_$bang()).otherwise(col("numerator"));
    // the period is over when evaluated (or, for rows kept from an earlier run, this run is) after its last day
    Column over = org.apache.spark.sql.functions.to_date(asOf).gt(col("period_end"));
    Column status = when(applicable.unary_$bang(), lit("not-applicable")).when(meets, lit("closed"))
        .when(over, lit("open")).otherwise(lit("prospective"));
    Column ev = col("evidence");
    Column evidence = when(col("status").equalTo("closed"),
            when(col("inverse"), ev.getItem("denominator")).otherwise(ev.getItem("numerator")))
        .when(col("status").equalTo("not-applicable"), coalesce(ev.getItem("denominator-exclusion"),
            ev.getItem("denominator-exception"), ev.getItem("initial-population")))
        .otherwise(ev.getItem("denominator"));
    Dataset<Row> gaps = results.filter(col("initial_population"))
        .join(d, scala.collection.JavaConverters.asScalaBuffer(List.of("measure", "group_index")).toSeq())
        .withColumn("status", status)
        .withColumn("evidence", evidence)
        .withColumn("due_date", col("period_end"))
        .withColumn("evidence_dates", org.apache.spark.sql.functions.expr(
            "CASE WHEN evidence IS NULL OR evidence_dates IS NULL THEN NULL"
                + " ELSE map_filter(evidence_dates, (k, v) -> array_contains(evidence, k)) END"));
    return gaps.withColumn("last_evidence_date", org.apache.spark.sql.functions.expr(
        "array_max(map_values(evidence_dates))"));
  }
}
