package org.pophealth.risk;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
 * Job: risk-adjustment gaps of a payment year into {@code gold.hcc_gap}. Recapture: a chronic HCC
 * ({@code measures/risk/cms-hcc/hcc_is_chronic.csv}) that the person's score carried in one of the prior
 * payment years ({@code measures/risk/gaps.yaml}) is open until this payment year's score carries it, or an
 * HCC above it in its hierarchy (which would have excluded it): then it is closed, with the closing HCC's
 * events. Works on the scores {@code score-risk} wrote ({@code gold.risk_factor}, {@code gold.risk_score}),
 * per model with a blend weight in the payment year, so hierarchies and age/sex edits are already applied
 * and the HCC numbers are the same model's. A gap's value is the HCC's relative factor in the person's
 * current segment. Re-running gives the same rows (the payment year's rows are replaced).
 */
public final class FindHccGaps {
  private static final Logger LOG = LoggerFactory.getLogger(FindHccGaps.class);
  private static final StructType CHRONIC = new StructType().add("c_model", DataTypes.StringType)
      .add("c_hcc", DataTypes.IntegerType);
  private static final StructType COVERS = new StructType().add("v_model", DataTypes.StringType)
      .add("v_hcc", DataTypes.IntegerType).add("coverer", DataTypes.IntegerType).add("rank", DataTypes.IntegerType);
  private static final StructType COEFFICIENTS = new StructType().add("k_model", DataTypes.StringType)
      .add("k_variable", DataTypes.StringType).add("k_value", DataTypes.DoubleType);

  /**
   * Counts of one run.
   *
   * @param models the models with a blend weight in the payment year
   * @param priorYears the prior payment years looked back to that have scores in gold.risk_factor
   * @param persons persons scored for the payment year
   * @param personsWithOpen persons with at least one open gap
   * @param openValue sum of the open gaps' values
   */
  public record Result(int paymentYear, List<String> models, List<Integer> priorYears, long persons, long gaps,
      long open, long closed, long personsWithOpen, double openValue, double seconds) {}

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
        .select("person_key", "model", "segment");

    // the latest prior year that carried each chronic HCC
    var latest = Window.partitionBy("person_key", "model", "hcc").orderBy(col("payment_year").desc());
    Dataset<Row> prior = factors.filter(col("payment_year").lt(paymentYear))
        .join(lh.spark().createDataFrame(chronic(models, chronic), CHRONIC),
            col("model").equalTo(col("c_model")).and(col("hcc").equalTo(col("c_hcc"))))
        .withColumn("rn", row_number().over(latest)).filter("rn = 1")
        .select(col("person_key"), col("model"), col("hcc"), col("hcc_label"),
            col("payment_year").as("last_coded_payment_year"), col("dx_codes").as("evidence_dx_codes"),
            col("event_ids").as("evidence_event_ids"))
        .join(scored.select(col("person_key").as("s_person"), col("model").as("s_model"), col("segment")),
            col("person_key").equalTo(col("s_person")).and(col("model").equalTo(col("s_model"))))
        .drop("s_person", "s_model");

    // closed by the HCC itself (rank 0), else by the lowest-numbered HCC above it in its hierarchy
    Dataset<Row> current = factors.filter(col("payment_year").equalTo(paymentYear))
        .select(col("person_key").as("x_person"), col("model").as("x_model"), col("hcc").as("x_hcc"),
            col("event_ids").as("closing_event_ids"));
    var closest = Window.partitionBy("person_key", "model", "hcc").orderBy(col("rank"), col("coverer"));
    Dataset<Row> closing = prior.select("person_key", "model", "hcc")
        .join(lh.spark().createDataFrame(covers(tables, models, chronic), COVERS),
            col("model").equalTo(col("v_model")).and(col("hcc").equalTo(col("v_hcc"))))
        .join(current, col("person_key").equalTo(col("x_person")).and(col("model").equalTo(col("x_model")))
            .and(col("coverer").equalTo(col("x_hcc"))))
        .withColumn("rn", row_number().over(closest)).filter("rn = 1")
        .select(col("person_key").as("c_person"), col("model").as("c_model"), col("hcc").as("c_hcc"),
            col("coverer").as("closing_hcc"), col("closing_event_ids"));

    Dataset<Row> gaps = prior
        .join(closing, col("person_key").equalTo(col("c_person")).and(col("model").equalTo(col("c_model")))
            .and(col("hcc").equalTo(col("c_hcc"))), "left")
        .join(lh.spark().createDataFrame(coefficients(tables, models), COEFFICIENTS),
            col("model").equalTo(col("k_model"))
                .and(concat(col("segment"), lit("_HCC"), col("hcc").cast("string")).equalTo(col("k_variable"))), "left")
        .select(lit(paymentYear).as("payment_year"), col("person_key"), col("model"), lit("recapture").as("gap_kind"),
            col("hcc"), col("hcc_label"), when(col("closing_hcc").isNull(), "open").otherwise("closed").as("status"),
            col("segment"), col("k_value").as("value"), col("last_coded_payment_year"), col("evidence_dx_codes"),
            col("evidence_event_ids"), col("closing_hcc"), col("closing_event_ids"))
        .cache();
    lh.replaceWhere("gold.hcc_gap", gaps, "payment_year = " + paymentYear);
    Row c = gaps.agg(count(lit(1)), sum(when(col("status").equalTo("open"), 1).otherwise(0)),
        countDistinct(when(col("status").equalTo("open"), col("person_key"))),
        sum(when(col("status").equalTo("open"), coalesce(col("value"), lit(0.0))).otherwise(0.0))).head();
    long persons = scored.select("person_key").distinct().count();
    gaps.unpersist();
    long total = c.getLong(0);
    long open = c.isNullAt(1) ? 0 : c.getLong(1);
    Result r = new Result(paymentYear, models, priorYears, persons, total, open, total - open, c.getLong(2),
        c.isNullAt(3) ? 0 : Math.round(c.getDouble(3) * 1000) / 1000.0, (System.nanoTime() - t0) / 1e9);
    LOG.info("find-hcc-gaps PY{}: models {}, prior years {}, {} persons, {} recapture gaps ({} open, {} closed)",
        paymentYear, models, priorYears, persons, total, open, total - open);
    return r;
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
   * (model, hcc, coverer, rank) for each chronic HCC: itself (rank 0) and every HCC above it in its hierarchy,
   * directly or through others (rank 1), any of which closes its gap.
   */
  static List<Row> covers(PaymentYearTables tables, List<String> models, Map<String, Set<Integer>> chronic) {
    List<Row> rows = new ArrayList<>();
    for (String m : models) {
      Map<Integer, Set<Integer>> parents = new java.util.HashMap<>();
      tables.model(m).children.forEach((parent, kids) -> {
        for (int k : kids) {
          parents.computeIfAbsent(k, x -> new TreeSet<>()).add(parent);
        }
      });
      for (int h : chronic.getOrDefault(m, Set.of())) {
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
