package org.pophealth.measures;

import static org.apache.spark.sql.functions.coalesce;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step {@code evaluate-measures}: every person's FHIR evidence ({@link CollectPersonResources}) →
 * the official eCQM logic of the package on the CQL engine inside Spark partitions
 * ({@link EvaluatePersons}) → gold.measure_result, then gold.measure_summary (rates, strata, small-cell
 * suppression) and gold.care_gap. Re-running for a period replaces that period's rows.
 */
public final class EvaluateMeasures {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateMeasures.class);
  private static final String[] DIMENSIONS = {"age_band", "sex", "payer", "organization"};

  private final Lakehouse lakehouse;
  private final String packageLocation;
  private final LocalDate start;
  private final LocalDate end;
  private int smallCell = 11;
  private Map<String, String> measureByPerson;
  private boolean writeTables = true;
  private Dataset<Row> reusePersons;

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

  /** The counts, and the evaluation rows (cached, with the person resources they came from) until {@link #release}. */
  public record Result(long persons, long evaluations, long resultRows, long errors, long summaryRows, long gaps,
      double seconds, double evaluateSeconds, Dataset<Row> results, Dataset<Row> personResources) {
    public double evaluationsPerSecond() {
      return evaluateSeconds <= 0 ? 0 : evaluations / evaluateSeconds;
    }

    /**
     * Frees the cached rows: results first, then the person resources. The other order would invalidate the
     * results' cache (Spark re-caches a cached dataset's dependants), and the next use would run the CQL again.
     */
    public void release() {
      results.unpersist();
      personResources.unpersist();
    }
  }

  /**
   * Evaluates over person resources an earlier evaluation of the same package collected (its
   * {@link Result#personResources}, still cached): they do not depend on the period, so a trend of several
   * periods collects them once.
   */
  public EvaluateMeasures personResources(Dataset<Row> cached) {
    this.reusePersons = cached;
    return this;
  }

  public Result execute() {
    long t0 = System.nanoTime();
    MeasurePackage pkg = LoadMeasurePackage.cached(packageLocation);
    Dataset<Row> persons = reusePersons != null ? reusePersons
        : new CollectPersonResources(lakehouse, pkg).execute().persist(StorageLevel.MEMORY_AND_DISK());
    long personCount = persons.count();
    long t1 = System.nanoTime();
    Timestamp now = Timestamp.from(Instant.now());
    StructType schema = EvaluatePersons.rowSchema(lakehouse.contract("gold.measure_result").schema());
    Dataset<Row> results = persons
        .mapPartitions(new EvaluatePersons(packageLocation, start, end, now, measureByPerson), Encoders.row(schema))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long rows = results.count();
    double evalSeconds = (System.nanoTime() - t1) / 1e9;
    long evaluations = results.select("person_key", "measure").distinct().count();
    long errors = results.filter(col("errors").isNotNull()).count();
    LOG.info("{} persons, {} person-measure evaluations in {} s ({} /s), {} with CQL errors", personCount,
        evaluations, String.format("%.1f", evalSeconds), String.format("%.0f", evaluations / Math.max(evalSeconds, 1e-9)),
        errors);
    long summaryRows = 0;
    long gaps = 0;
    if (writeTables) {
      String where = "period_start = DATE'" + start + "' AND period_end = DATE'" + end + "'";
      lakehouse.replaceWhere("gold.measure_result", results, where);
      Dataset<Row> written = lakehouse.read("gold.measure_result").filter(where);
      Dataset<Row> summary = summarize(written, now);
      lakehouse.replaceWhere("gold.measure_summary", summary, where);
      summaryRows = lakehouse.read("gold.measure_summary").filter(where).count();
      Dataset<Row> gapRows = careGaps(written, pkg);
      lakehouse.replaceWhere("gold.care_gap", gapRows, where);
      gaps = lakehouse.read("gold.care_gap").filter(where).count();
      lakehouse.replaceWhere("gold.measure_diagnostic", diagnose(results, pkg, now), where);
    }
    return new Result(personCount, evaluations, rows, errors, summaryRows, gaps, (System.nanoTime() - t0) / 1e9,
        evalSeconds, results, persons);
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
    rows.sparkSession().catalog().dropTempView("md_rows");
    rows.sparkSession().catalog().dropTempView("md_titles");
    return d.withColumn("computed_at", lit(now));
  }

  /** Counts per measure, group and stratum; rate; small cells suppressed. */
  Dataset<Row> summarize(Dataset<Row> results, Timestamp now) {
    Dataset<Row> stacked = null;
    List<String> dims = new ArrayList<>(List.of("all"));
    dims.addAll(List.of(DIMENSIONS));
    for (String d : dims) {
      Column stratum = d.equals("all") ? lit("all") : coalesce(col(d), lit("(none)"));
      Dataset<Row> s = results.select(col("measure"), col("cms_id"), col("measure_version"), col("period_start"),
          col("period_end"), col("group_index"), col("improvement_notation"), lit(d).as("stratifier"),
          stratum.as("stratum"), col("initial_population"), col("denominator"), col("denominator_exclusion"),
          col("denominator_exception"), col("numerator"), col("episode_counts"));
      stacked = stacked == null ? s : stacked.unionByName(s);
    }
    // counts of episodes (persons for patient-based groups); the persons behind them are counted too, as
    // small cells are about persons: 12 episodes of 2 people are a small cell
    Dataset<Row> counts = stacked.groupBy("measure", "cms_id", "measure_version", "period_start", "period_end",
            "group_index", "improvement_notation", "stratifier", "stratum")
        .agg(count("initial_population"), count("denominator"), count("denominator_exclusion"),
            count("denominator_exception"), count("numerator"), persons("denominator"), persons("numerator"),
            org.apache.spark.sql.functions.max(col("episode_counts").isNotNull()).as("episode_based"));
    Column perfDenom = col("denominator").minus(col("denominator_exclusion")).minus(col("denominator_exception"));
    // primary: a small count, or a small count of those not meeting the measure (denominator minus numerator);
    // for an episode-based group also a small count of persons in the denominator or the numerator
    Column small = cell(perfDenom).or(cell(col("numerator"))).or(cell(perfDenom.minus(col("numerator"))))
        .or(col("episode_based").and(cell(col("persons_denominator")).or(cell(col("persons_numerator")))));
    counts = counts.withColumn("suppressed", small).drop("persons_denominator", "persons_numerator", "episode_based");
    Column rate = when(perfDenom.gt(0), col("numerator").cast("double").divide(perfDenom));
    Dataset<Row> withRate = complementary(counts.withColumn("perf_denominator", perfDenom))
        .drop("perf_denominator").withColumn("performance_rate", rate);
    for (String c : List.of("initial_population", "denominator", "denominator_exclusion", "denominator_exception",
        "numerator", "performance_rate")) {
      withRate = withRate.withColumn(c, when(col("suppressed"), lit(null)).otherwise(col(c)));
    }
    return withRate.withColumn("computed_at", lit(now));
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

  /** Persons in a population, whatever the group's basis. */
  private static Column persons(String flag) {
    return sum(when(col(flag), 1L).otherwise(0L)).as("persons_" + flag);
  }

  /** Open gaps: in the denominator, not excluded or excepted, and not meeting the measure. */
  static Dataset<Row> careGaps(Dataset<Row> results, MeasurePackage pkg) {
    List<Row> defs = new ArrayList<>();
    for (MeasurePackage.MeasureDefinition m : pkg.measures()) {
      for (MeasurePackage.Group g : m.groups()) {
        boolean inverse = "decrease".equals(g.improvementNotation());
        String numer = g.descriptions().getOrDefault("numerator", "").strip();
        String close = (inverse ? "Inverse measure: leave the numerator — " : "Meet the numerator — ")
            + (numer.isEmpty() ? g.populations().get("numerator") : numer);
        defs.add(RowFactory.create(m.name(), g.index(), m.title(), inverse, close));
      }
    }
    StructType shape = new StructType().add("measure", DataTypes.StringType).add("group_index", DataTypes.IntegerType)
        .add("measure_title", DataTypes.StringType).add("inverse", DataTypes.BooleanType)
        .add("to_close", DataTypes.StringType);
    Dataset<Row> d = results.sparkSession().createDataFrame(defs, shape);
    Dataset<Row> open = results.join(d, scala.collection.JavaConverters.asScalaBuffer(List.of("measure", "group_index")).toSeq())
        .filter(col("denominator").and(col("denominator_exclusion").unary_$bang())
            .and(col("denominator_exception").unary_$bang())
            .and(when(col("inverse"), col("numerator")).otherwise(col("numerator").unary_$bang())));
    return open.withColumn("evidence", col("evidence").getItem("denominator"));
  }
}
