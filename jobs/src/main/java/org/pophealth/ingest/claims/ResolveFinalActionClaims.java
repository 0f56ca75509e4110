package org.pophealth.ingest.claims;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Job step: loaded claim rows of one source (every delivery) → final-action claim lines. The rule
 * (docs/ARCHITECTURE.md, "Claim versions"):
 * <ol>
 *   <li>Rows identical in every delivered column count once (re-sent files do not double amounts).
 *   <li>A claim's family: its {@code original_claim_id} when given, else the claim an adjustment rule links it
 *       to ({@link InferClaimFamilies}, {@code measures/claims/adjustment_rules.csv}), else its own
 *       {@code claim_id}; links are followed to the root.
 *   <li>A version is (claim_id, adjustment_sequence); the winning version of a family is an adjudicated one
 *       when the family has any (a partially adjudicated claim never outranks its adjudicated version), then
 *       has the highest adjustment_sequence, then the latest paid_date, then a version that is not an inferred reversal, then
 *       the highest claim_id.
 *   <li>A winning version with any {@code void} row removes the family.
 *   <li>Within the winning version, rows of the same line number are summed (amounts); the other
 *       columns come from the latest non-reversal row. A line that had negative (reversal) rows and
 *       nets to zero or less is removed when it is a reversal (a reversal/void row, a row of an inferred
 *       reversal, or several rows for the
 *       line); a lone negative row that reverses nothing stays. A family with no line left is removed.
 * </ol>
 * Output claim_id is the family id; source_claim_id the winning version's id; adjustment_type of a winning
 * version that an inference rule linked (delivered as {@code original}) is {@code adjustment}.
 */
public final class ResolveFinalActionClaims {
  private static final List<String> SUMMED = List.of("paid_amount", "allowed_amount", "charge_amount",
      "coinsurance_amount", "copayment_amount", "deductible_amount", "total_cost_amount");

  private final SparkSession spark;
  private final ClaimTable table;
  private final List<InferClaimFamilies.Rule> rules;

  public ResolveFinalActionClaims(SparkSession spark, ClaimTable table) {
    this(spark, table, InferClaimFamilies.packagedRules());
  }

  public ResolveFinalActionClaims(SparkSession spark, ClaimTable table, List<InferClaimFamilies.Rule> rules) {
    if (table == ClaimTable.ELIGIBILITY) {
      throw new IllegalArgumentException("eligibility has no claim versions");
    }
    this.spark = spark;
    this.table = table;
    this.rules = rules;
  }

  /** {@code rows}: loaded rows with the silver columns. Returns silver rows (eligibility_matched false). */
  public Dataset<Row> execute(Dataset<Row> rows) {
    return finalAction(families(rows));
  }

  /**
   * Steps 1 and 2: {@code rows} (loaded rows with the silver columns) without identical re-sends, with their
   * family ({@code fam}, {@code family_rule}, {@code family_confidence}, {@code inferred_rev}: see
   * {@link InferClaimFamilies}).
   */
  public Dataset<Row> families(Dataset<Row> rows) {
    List<String> cols = ValidatedRows.contract(table).columns().stream().map(c -> c.name()).toList();
    String content = cols.stream()
        .filter(c -> !List.of("source", "ingest_run_id", "bronze_file", "bronze_line").contains(c))
        .map(c -> "`" + c + "`").collect(Collectors.joining(", "));
    String view = "claims_rows_" + table.tableName();
    rows.createOrReplaceTempView(view);
    // each row's content hash, materialised once; the duplicates are found on (id, hash) alone and left out by a
    // broadcast anti-join, so the wide rows are never shuffled
    Dataset<Row> hashed = spark.sql("""
        SELECT *, monotonically_increasing_id() AS _rid, sha2(to_json(struct(%s)), 256) AS _content
        FROM %s""".formatted(content, view)).localCheckpoint(true);
    hashed.createOrReplaceTempView(view + "_hashed");
    Dataset<Row> repeats = spark.sql("""
        SELECT _rid FROM (
          SELECT _rid, row_number() OVER (PARTITION BY _content
                                          ORDER BY bronze_file, bronze_line, ingest_run_id) AS dup
          FROM %s_hashed) WHERE dup > 1""".formatted(view)).localCheckpoint(true);
    Dataset<Row> deduped = hashed.join(functions.broadcast(repeats), "_rid", "left_anti").drop("_rid", "_content");
    return new InferClaimFamilies(spark, table, rules).execute(deduped);
  }

  /** Steps 3 to 5 on the rows of {@link #families}: the final-action lines, silver columns. */
  public Dataset<Row> finalAction(Dataset<Row> families) {
    List<String> cols = ValidatedRows.contract(table).columns().stream().map(c -> c.name()).toList();
    String view = "claims_families_" + table.tableName();
    families.createOrReplaceTempView(view);
    String amounts = SUMMED.stream().filter(cols::contains)
        .map(a -> "sum(" + a + ") OVER (PARTITION BY fam, claim_line_number) AS s_" + a)
        .collect(Collectors.joining(",\n  "));
    String out = cols.stream().map(c -> switch (c) {
      case "claim_id" -> "fam AS claim_id";
      case "source_claim_id" -> "claim_id AS source_claim_id";
      case "claim_versions" -> "CAST(nver AS INT) AS claim_versions";
      // an inferred replacement delivered as an original says what it is
      case "adjustment_type" -> "CASE WHEN family_rule IS NOT NULL AND claim_id <> fam AND adjustment_type = 'original'"
          + " THEN 'adjustment' ELSE adjustment_type END AS adjustment_type";
      default -> SUMMED.contains(c) ? "CAST(s_" + c + " AS DECIMAL(18,2)) AS " + c : "`" + c + "`";
    }).collect(Collectors.joining(", "));
    // atype: the row's adjustment type, 'reversal' for the rows of a claim inferred to be a reversal
    String sql = """
        WITH r AS (SELECT *, coalesce(adjustment_sequence, 0) AS seq,
                          CASE WHEN inferred_rev AND adjustment_type IS DISTINCT FROM 'void' THEN 'reversal'
                               ELSE adjustment_type END AS atype
                   FROM %s),
        v AS (SELECT fam, claim_id AS vid, seq, max(paid_date) AS vpaid,
                     max(CASE WHEN atype = 'void' THEN 1 ELSE 0 END) AS is_void,
                     max(CASE WHEN inferred_rev THEN 1 ELSE 0 END) AS is_inferred_rev,
                     max(CASE WHEN %s THEN 1 ELSE 0 END) AS is_partial
              FROM r GROUP BY fam, claim_id, seq),
        vr AS (SELECT *, row_number() OVER (PARTITION BY fam
                                            ORDER BY is_partial, seq DESC, vpaid DESC NULLS LAST, is_inferred_rev, vid DESC) AS rk,
                      count(*) OVER (PARTITION BY fam) AS nver FROM v),
        w AS (SELECT r.*, vr.nver FROM r JOIN vr ON r.fam = vr.fam AND r.claim_id = vr.vid AND r.seq = vr.seq
              WHERE vr.rk = 1 AND vr.is_void = 0),
        l AS (SELECT w.*,
          %s,
          max(CASE WHEN coalesce(paid_amount, 0) < 0 OR coalesce(charge_amount, 0) < 0
                     OR coalesce(allowed_amount, 0) < 0 OR atype = 'reversal' THEN 1 ELSE 0 END)
            OVER (PARTITION BY fam, claim_line_number) AS has_neg,
          max(CASE WHEN atype IN ('reversal', 'void') THEN 1 ELSE 0 END)
            OVER (PARTITION BY fam, claim_line_number) AS has_rev,
          count(*) OVER (PARTITION BY fam, claim_line_number) AS nrows,
          row_number() OVER (PARTITION BY fam, claim_line_number ORDER BY
            CASE WHEN coalesce(paid_amount, 0) < 0 OR atype = 'reversal' THEN 1 ELSE 0 END,
            paid_date DESC NULLS LAST, bronze_file DESC, bronze_line DESC) AS lrk
          FROM w)
        SELECT %s FROM l
        WHERE lrk = 1 AND NOT ((nrows > 1 OR has_rev = 1) AND has_neg = 1 AND coalesce(s_paid_amount, 0) <= 0 AND coalesce(s_charge_amount, 0) <= 0
                               AND coalesce(s_allowed_amount, 0) <= 0)
        """.formatted(view, cols.contains("adjudication_status") ? "adjudication_status = 'partial'" : "false",
        amounts, out);
    return spark.sql(sql);
  }

  /** Sets eligibility_matched: an eligibility span of the member covers the service date. */
  public static Dataset<Row> matchEligibility(SparkSession spark, ClaimTable table, Dataset<Row> claims,
      Dataset<Row> eligibility) {
    String dateCol = table == ClaimTable.MEDICAL ? "coalesce(c.claim_start_date, c.claim_line_start_date)"
        : "c.dispensing_date";
    claims.createOrReplaceTempView("claims_final_" + table.tableName());
    eligibility.createOrReplaceTempView("claims_elig_" + table.tableName());
    List<String> cols = ValidatedRows.contract(table).columns().stream().map(c -> c.name()).toList();
    String select = cols.stream().map(c -> c.equals("eligibility_matched")
        ? "m.claim_id IS NOT NULL AS eligibility_matched" : "c.`" + c + "`").collect(Collectors.joining(", "));
    return spark.sql("""
        WITH m AS (
          SELECT DISTINCT c.claim_id, c.claim_line_number FROM claims_final_%1$s c
          JOIN claims_elig_%1$s e ON e.member_id = c.member_id
           AND %2$s >= e.enrollment_start_date
           AND %2$s <= coalesce(e.enrollment_end_date, DATE'9999-12-31'))
        SELECT %3$s FROM claims_final_%1$s c
        LEFT JOIN m ON m.claim_id = c.claim_id AND m.claim_line_number = c.claim_line_number
        """.formatted(table.tableName(), dateCol, select));
  }

  /** Eligibility: one row per key, the latest delivery winning; identical re-sends count once. */
  public static Dataset<Row> latestEligibility(SparkSession spark, Dataset<Row> rows) {
    rows.createOrReplaceTempView("claims_rows_eligibility");
    List<String> cols = ValidatedRows.contract(ClaimTable.ELIGIBILITY).columns().stream()
        .map(c -> c.name()).toList();
    String select = cols.stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "));
    return spark.sql("""
        SELECT %s FROM (
          SELECT *, row_number() OVER (PARTITION BY member_id, payer, plan, enrollment_start_date
                                       ORDER BY ingest_run_id DESC, bronze_file DESC, bronze_line DESC) AS rk
          FROM claims_rows_eligibility) WHERE rk = 1
        """.formatted(select));
  }
}
