package org.pophealth.risk;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.flatten;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job: risk-adjustment gaps of a payment year into {@code gold.hcc_gap}.
 * <ul>
 *   <li><b>Recapture</b>: a chronic HCC ({@code measures/risk/cms-hcc/hcc_is_chronic.csv}) that the person's
 *       score carried in one of the prior payment years ({@code measures/risk/gaps.yaml}).
 *   <li><b>Suspect</b>: clinical evidence of the data year and before (labs, vitals, surveys, prescriptions in
 *       {@code silver.event}) that a rule of {@code measures/risk/suspects/} reads as a condition, with the HCC
 *       it would add. A suspect is not repeated when a recapture gap of the person has its HCC or one above it
 *       in its hierarchy.
 * </ul>
 * A gap is open until this payment year's score carries the HCC, or an HCC above it in its hierarchy (which
 * would have excluded it): then it is closed, with the closing HCC's events. An open gap that a reviewer
 * dismissed ({@code ops.hcc_gap_review}, latest decision per gap) is dismissed. Works on the scores
 * {@code score-risk} wrote ({@code gold.risk_factor}, {@code gold.risk_score}), per model with a blend weight
 * in the payment year, so hierarchies and age/sex edits are already applied and the HCC numbers are the same
 * model's. A gap's value is the HCC's relative factor in the person's current segment. Re-running gives the
 * same rows (the payment year's rows are replaced).
 */
public final class FindHccGaps {
  private static final Logger LOG = LoggerFactory.getLogger(FindHccGaps.class);
  /** The review decisions table (optional: absent until a reviewer records a decision). */
  public static final String REVIEWS = "ops.hcc_gap_review";
  private static final String RECAPTURE = "recapture";
  private static final StructType CHRONIC = new StructType().add("c_model", DataTypes.StringType)
      .add("c_hcc", DataTypes.IntegerType);
  private static final StructType COVERS = new StructType().add("v_model", DataTypes.StringType)
      .add("v_hcc", DataTypes.IntegerType).add("coverer", DataTypes.IntegerType).add("rank", DataTypes.IntegerType);
  private static final StructType COEFFICIENTS = new StructType().add("k_model", DataTypes.StringType)
      .add("k_variable", DataTypes.StringType).add("k_value", DataTypes.DoubleType);
  private static final StructType CODES = new StructType().add("code_set", DataTypes.StringType)
      .add("k_system", DataTypes.StringType).add("k_code", DataTypes.StringType);
  private static final StructType CRITERIA = new StructType().add("rule", DataTypes.StringType)
      .add("criterion", DataTypes.IntegerType).add("c_medication", DataTypes.BooleanType)
      .add("c_code_set", DataTypes.StringType).add("at_least", DataTypes.DoubleType)
      .add("below", DataTypes.DoubleType).add("times", DataTypes.IntegerType).add("days_apart", DataTypes.IntegerType)
      .add("window_start", DataTypes.DateType);
  private static final StructType RULE_HCCS = new StructType().add("r_rule", DataTypes.StringType)
      .add("r_model", DataTypes.StringType).add("r_hcc", DataTypes.IntegerType).add("r_label", DataTypes.StringType);

  /**
   * Counts of one run.
   *
   * @param models the models with a blend weight in the payment year
   * @param priorYears the prior payment years looked back to that have scores in gold.risk_factor
   * @param rules the suspect rules applied
   * @param persons persons scored for the payment year
   * @param recapture recapture gaps (rows: one per model)
   * @param suspect suspect gaps (rows: one per model)
   * @param personsWithOpen persons with at least one open gap
   * @param openValue sum of the open gaps' values
   */
  public record Result(int paymentYear, List<String> models, List<Integer> priorYears, int rules, long persons,
      long gaps, long recapture, long suspect, long open, long closed, long dismissed, long personsWithOpen,
      double openValue, double seconds) {}

  private final Lakehouse lh;
  private final int paymentYear;

  public FindHccGaps(Lakehouse lh, int paymentYear) {
    this.lh = lh;
    this.paymentYear = paymentYear;
  }

  public Result execute() {
    long t0 = System.nanoTime();
    PaymentYearTables tables = RiskReference.forPaymentYear(paymentYear);
    int lookback = RiskReference.recaptureLookbackYears();
    Map<String, Set<Integer>> chronic = RiskReference.chronicHccs();
    RiskReference.Suspects suspects = RiskReference.suspects();
    List<String> models = tables.weights().entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
        .sorted().toList();
    Dataset<Row> factors = lh.read("gold.risk_factor")
        .filter(col("factor_kind").equalTo("hcc").and(col("model").isin(models.toArray()))
            .and(col("payment_year").between(paymentYear - lookback, paymentYear)))
        .select("payment_year", "person_key", "model", "hcc", "hcc_label", "dx_codes", "event_ids");
    List<Integer> priorYears = factors.filter(col("payment_year").lt(paymentYear)).select("payment_year").distinct()
        .collectAsList().stream().map(r -> r.getInt(0)).sorted().toList();
    Dataset<Row> scored = lh.read("gold.risk_score")
        .filter(col("payment_year").equalTo(paymentYear).and(col("model").isin(models.toArray())))
        .select(col("person_key").as("s_person"), col("model").as("s_model"), col("segment"));

    // recapture: the latest prior year that carried each chronic HCC
    var latest = Window.partitionBy("person_key", "model", "hcc").orderBy(col("payment_year").desc());
    Dataset<Row> recapture = factors.filter(col("payment_year").lt(paymentYear))
        .join(lh.spark().createDataFrame(chronic(models, chronic), CHRONIC),
            col("model").equalTo(col("c_model")).and(col("hcc").equalTo(col("c_hcc"))))
        .withColumn("rn", row_number().over(latest)).filter("rn = 1")
        .select(col("person_key"), col("model"), lit(RECAPTURE).as("gap_kind"), lit(RECAPTURE).as("rule"),
            col("hcc"), col("hcc_label"), col("payment_year").as("last_coded_payment_year"),
            col("dx_codes").as("evidence_dx_codes"), col("event_ids").as("evidence_event_ids"),
            transform(col("dx_codes"), x -> concat(x, lit(" coded for PY"), col("payment_year").cast("string")))
                .as("evidence"));
    // HCCs of interest: chronic ones and the suspects'; each with the HCCs above it in its hierarchy
    Map<String, Set<Integer>> ofInterest = new TreeMap<>();
    chronic.forEach((m, h) -> ofInterest.computeIfAbsent(m, k -> new TreeSet<>()).addAll(h));
    suspects.rules().forEach(r -> r.hccs().forEach((m, h) -> ofInterest.computeIfAbsent(m, k -> new TreeSet<>()).add(h)));
    Dataset<Row> covers = lh.spark().createDataFrame(covers(tables, models, ofInterest), COVERS).cache();
    // a suspect is not repeated when a recapture gap of the person has its HCC or one above it (closing that
    // recapture gap covers it)
    Dataset<Row> suspect = suspects(suspects, tables, models);
    Dataset<Row> coveredByRecapture = suspect.select("person_key", "model", "hcc")
        .join(covers, col("model").equalTo(col("v_model")).and(col("hcc").equalTo(col("v_hcc"))))
        .join(recapture.select(col("person_key").as("a_person"), col("model").as("a_model"), col("hcc").as("a_hcc")),
            col("person_key").equalTo(col("a_person")).and(col("model").equalTo(col("a_model")))
                .and(col("coverer").equalTo(col("a_hcc"))))
        .select(col("person_key").as("b_person"), col("model").as("b_model"), col("hcc").as("b_hcc")).distinct();
    suspect = suspect.join(coveredByRecapture, col("person_key").equalTo(col("b_person"))
        .and(col("model").equalTo(col("b_model"))).and(col("hcc").equalTo(col("b_hcc"))), "left_anti");
    Dataset<Row> candidates = recapture.unionByName(suspect)
        .join(scored, col("person_key").equalTo(col("s_person")).and(col("model").equalTo(col("s_model"))))
        .drop("s_person", "s_model");

    // closed by the HCC itself (rank 0), else by the lowest-numbered HCC above it in its hierarchy
    Dataset<Row> current = factors.filter(col("payment_year").equalTo(paymentYear))
        .select(col("person_key").as("x_person"), col("model").as("x_model"), col("hcc").as("x_hcc"),
            col("event_ids").as("closing_event_ids"));
    var closest = Window.partitionBy("person_key", "model", "hcc").orderBy(col("rank"), col("coverer"));
    Dataset<Row> closing = candidates.select("person_key", "model", "hcc").distinct()
        .join(covers, col("model").equalTo(col("v_model")).and(col("hcc").equalTo(col("v_hcc"))))
        .join(current, col("person_key").equalTo(col("x_person")).and(col("model").equalTo(col("x_model")))
            .and(col("coverer").equalTo(col("x_hcc"))))
        .withColumn("rn", row_number().over(closest)).filter("rn = 1")
        .select(col("person_key").as("c_person"), col("model").as("c_model"), col("hcc").as("c_hcc"),
            col("coverer").as("closing_hcc"), col("closing_event_ids"));

    Dataset<Row> found = candidates
        .join(closing, col("person_key").equalTo(col("c_person")).and(col("model").equalTo(col("c_model")))
            .and(col("hcc").equalTo(col("c_hcc"))), "left")
        .join(lh.spark().createDataFrame(coefficients(tables, models), COEFFICIENTS),
            col("model").equalTo(col("k_model"))
                .and(concat(col("segment"), lit("_HCC"), col("hcc").cast("string")).equalTo(col("k_variable"))), "left")
        .withColumn("status", when(col("closing_hcc").isNull(), "open").otherwise("closed"));
    Dataset<Row> gaps = reviewed(found)
        .select(lit(paymentYear).as("payment_year"), col("person_key"), col("model"), col("gap_kind"), col("rule"),
            col("hcc"), col("hcc_label"), col("status"), col("segment"), col("k_value").as("value"),
            col("last_coded_payment_year"), col("evidence_dx_codes"), col("evidence_event_ids"), col("evidence"),
            col("closing_hcc"), col("closing_event_ids"), col("reviewed_by"), col("reviewed_at"), col("review_reason"))
        .cache();
    lh.replaceWhere("gold.hcc_gap", gaps, "payment_year = " + paymentYear);
    Column isOpen = col("status").equalTo("open");
    Row c = gaps.agg(count(lit(1)), sum(when(col("gap_kind").equalTo(RECAPTURE), 1).otherwise(0)),
        sum(when(isOpen, 1).otherwise(0)), sum(when(col("status").equalTo("dismissed"), 1).otherwise(0)),
        countDistinct(when(isOpen, col("person_key"))),
        sum(when(isOpen, coalesce(col("value"), lit(0.0))).otherwise(0.0))).head();
    long persons = scored.select("s_person").distinct().count();
    gaps.unpersist();
    covers.unpersist();
    long total = c.getLong(0);
    long recaptured = c.isNullAt(1) ? 0 : c.getLong(1);
    long open = c.isNullAt(2) ? 0 : c.getLong(2);
    long dismissed = c.isNullAt(3) ? 0 : c.getLong(3);
    Result r = new Result(paymentYear, models, priorYears, suspects.rules().size(), persons, total, recaptured,
        total - recaptured, open, total - open - dismissed, dismissed, c.getLong(4),
        c.isNullAt(5) ? 0 : Math.round(c.getDouble(5) * 1000) / 1000.0, (System.nanoTime() - t0) / 1e9);
    LOG.info("find-hcc-gaps PY{}: models {}, prior years {}, {} suspect rules, {} persons, {} gaps ({} recapture,"
        + " {} suspect; {} open, {} closed, {} dismissed)", paymentYear, models, priorYears, r.rules(), persons, total,
        recaptured, r.suspect(), open, r.closed(), dismissed);
    return r;
  }

  /**
   * Suspect gaps before closing: (person_key, model, gap_kind, rule, hcc, hcc_label, last_coded_payment_year,
   * evidence_dx_codes, evidence_event_ids, evidence) for each person and rule with a criterion that holds in
   * the rule's window, which ends with the data year (the year before the payment year).
   */
  private Dataset<Row> suspects(RiskReference.Suspects suspects, PaymentYearTables tables, List<String> models) {
    LocalDate end = LocalDate.of(paymentYear - 1, 12, 31);
    List<Row> criteria = new ArrayList<>();
    List<Row> hccs = new ArrayList<>();
    LocalDate earliest = end;
    for (SuspectRule rule : suspects.rules()) {
      LocalDate start = end.minusMonths(rule.windowMonths()).plusDays(1);
      earliest = start.isBefore(earliest) ? start : earliest;
      for (int i = 0; i < rule.any().size(); i++) {
        SuspectRule.Criterion k = rule.any().get(i);
        criteria.add(RowFactory.create(rule.name(), i, k.kind().equals("medication"), k.codeSet(), k.valueAtLeast(),
            k.valueBelow(), k.times(), k.daysApart(), java.sql.Date.valueOf(start)));
      }
      for (String m : models) {
        Integer h = rule.hccs().get(m);
        if (h != null) {
          String label = tables.model(m).label(h);
          if (label == null) {
            throw new IllegalArgumentException("measures/risk/suspects/" + rule.name() + ".yaml: " + m + " has no HCC " + h);
          }
          hccs.add(RowFactory.create(rule.name(), m, h, label));
        }
      }
    }
    List<Row> codes = new ArrayList<>();
    for (String[] k : suspects.codes()) {
      codes.add(RowFactory.create(k[0], k[1], k[2]));
    }
    var spark = lh.spark();
    Column value = regexp_replace(col("value_num").cast("string"), "\\.0$", "");
    Column text = when(col("c_medication"),
            concat_ws(" ", col("k_code"), coalesce(col("display"), lit(""))))
        .otherwise(concat_ws(" ", col("k_code"), lit("="), value, coalesce(col("value_unit"), lit(""))));
    Dataset<Row> matched = (lh.exists("silver.event") ? lh.read("silver.event") : lh.empty("silver.event"))
        .filter(col("event_kind").isin("lab", "vital", "observation", "medication")
            .and(col("event_date").between(lit(earliest.toString()).cast("date"), lit(end.toString()).cast("date"))))
        .withColumn("person_key", coalesce(col("person_id"), concat_ws(":", col("source"), col("patient_id"))))
        .select(col("person_key"), col("event_id"), col("event_kind"), col("event_date"), col("display"),
            col("value_num"), col("value_unit"), explode(col("codes")).as("k"))
        .join(broadcast(spark.createDataFrame(codes, CODES)),
            col("k.system").equalTo(col("k_system")).and(col("k.code").equalTo(col("k_code"))))
        .join(broadcast(spark.createDataFrame(criteria, CRITERIA)),
            col("code_set").equalTo(col("c_code_set"))
                .and(col("c_medication").equalTo(col("event_kind").equalTo("medication")))
                .and(col("event_date").geq(col("window_start")))
                .and(col("at_least").isNull().or(col("value_num").geq(col("at_least"))))
                .and(col("below").isNull().or(col("value_num").lt(col("below")))))
        .select(col("person_key"), col("rule"), col("criterion"), col("times"), col("days_apart"), col("event_id"),
            col("event_date"), concat(text, lit(" ("), col("event_date").cast("string"), lit(")")).as("text"))
        .dropDuplicates("person_key", "rule", "criterion", "event_id");
    Dataset<Row> held = matched
        .groupBy("person_key", "rule", "criterion", "times", "days_apart")
        .agg(countDistinct("event_id").as("n"), min("event_date").as("first"), max("event_date").as("last"),
            collect_set(struct(col("event_date"), col("event_id"), col("text"))).as("ev"))
        .filter(col("n").geq(col("times")).and(datediff(col("last"), col("first")).geq(col("days_apart"))))
        .groupBy("person_key", "rule")
        .agg(sort_array(array_distinct(flatten(collect_set(col("ev"))))).as("ev"));
    return held
        .join(broadcast(spark.createDataFrame(hccs, RULE_HCCS)), col("rule").equalTo(col("r_rule")))
        .select(col("person_key"), col("r_model").as("model"), lit("suspect").as("gap_kind"), col("rule"),
            col("r_hcc").as("hcc"), col("r_label").as("hcc_label"), lit(null).cast("int").as("last_coded_payment_year"),
            array().cast("array<string>").as("evidence_dx_codes"),
            transform(col("ev"), e -> e.getField("event_id")).as("evidence_event_ids"),
            transform(col("ev"), e -> e.getField("text")).as("evidence"));
  }

  /**
   * The gaps with the latest reviewer decision that applies to each ({@code ops.hcc_gap_review}: same payment
   * year, person and rule; its model and HCC when it names them): {@code dismissed} turns an open gap
   * dismissed; {@code reopened} undoes an earlier dismissal. Closed gaps stay closed.
   */
  private Dataset<Row> reviewed(Dataset<Row> gaps) {
    lh.ensure(REVIEWS); // so that reviewers can record decisions with sql --admin from the first run on
    Dataset<Row> all = lh.read(REVIEWS).filter(col("payment_year").equalTo(paymentYear));
    long unknown = all.filter(col("decision").isin("dismissed", "reopened").unary_$bang()).count();
    if (unknown > 0) {
      LOG.warn("find-hcc-gaps PY{}: {} decisions of {} are neither dismissed nor reopened and were ignored", paymentYear,
          unknown, REVIEWS);
    }
    Dataset<Row> reviews = all.filter(col("decision").isin("dismissed", "reopened"))
        .select(col("person_key").as("v_person"), col("rule").as("v_rule"), col("model").as("v_model"),
            col("hcc").as("v_hcc"), col("decision"), col("reviewed_by"), col("reviewed_at"),
            col("reason").as("review_reason"));
    var last = Window.partitionBy("person_key", "model", "rule", "hcc")
        .orderBy(col("reviewed_at").desc_nulls_last(), col("decision"), col("reviewed_by"), col("review_reason"));
    return gaps
        .join(reviews, col("person_key").equalTo(col("v_person")).and(col("rule").equalTo(col("v_rule")))
            .and(col("v_model").isNull().or(col("v_model").equalTo(col("model"))))
            .and(col("v_hcc").isNull().or(col("v_hcc").equalTo(col("hcc")))), "left")
        .withColumn("rn", row_number().over(last)).filter("rn = 1")
        .withColumn("status", when(col("status").equalTo("open").and(col("decision").equalTo("dismissed")), "dismissed")
            .otherwise(col("status")))
        .drop("rn", "v_person", "v_rule", "v_model", "v_hcc", "decision");
  }

  private static List<Row> chronic(List<String> models, Map<String, Set<Integer>> chronic) {
    List<Row> rows = new ArrayList<>();
    for (String m : models) {
      for (int h : chronic.getOrDefault(m, Set.of())) {
        rows.add(RowFactory.create(m, h));
      }
    }
    return rows;
  }

  /**
   * (model, hcc, coverer, rank) for each HCC of interest: itself (rank 0) and every HCC above it in its
   * hierarchy, directly or through others (rank 1), any of which closes its gap.
   */
  static List<Row> covers(PaymentYearTables tables, List<String> models, Map<String, Set<Integer>> hccs) {
    List<Row> rows = new ArrayList<>();
    for (String m : models) {
      Map<Integer, Set<Integer>> parents = new HashMap<>();
      tables.model(m).children.forEach((parent, kids) -> {
        for (int k : kids) {
          parents.computeIfAbsent(k, x -> new TreeSet<>()).add(parent);
        }
      });
      for (int h : hccs.getOrDefault(m, Set.of())) {
        rows.add(RowFactory.create(m, h, h, 0));
        Set<Integer> above = new TreeSet<>();
        java.util.Deque<Integer> todo = new java.util.ArrayDeque<>(List.of(h));
        while (!todo.isEmpty()) {
          for (int p : parents.getOrDefault(todo.pop(), Set.of())) {
            if (above.add(p)) {
              todo.push(p);
            }
          }
        }
        above.remove(h);
        above.forEach(p -> rows.add(RowFactory.create(m, h, p, 1)));
      }
    }
    return rows;
  }

  private static List<Row> coefficients(PaymentYearTables tables, List<String> models) {
    List<Row> rows = new ArrayList<>();
    for (String m : models) {
      tables.model(m).coefficients.forEach((variable, value) -> rows.add(RowFactory.create(m, variable, value)));
    }
    return rows;
  }
}
