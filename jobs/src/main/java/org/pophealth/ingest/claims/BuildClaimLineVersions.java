package org.pophealth.ingest.claims;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Job step: the rows of {@link ResolveFinalActionClaims#families} → silver.claim_line_version, every
 * version of every claim line in paid-date order with running totals, for cash-flow analysis (Tuva's
 * cumulative amounts): one row per family, line and version (version claim id, adjustment sequence, paid
 * date), amounts summed over its rows.
 * <ul>
 *   <li>Status: {@code reversed} (paid below zero, or zero on a reversal or void), {@code denied} (paid
 *       zero), else {@code paid}; record type: {@code reversal} for a reversed version, else
 *       {@code original} for the first version, else {@code adjustment}.
 *   <li>Running totals follow the final-action rule, so the last version's totals are the final-action
 *       line's amounts: a version that is not reversed and is the first of its claim id and sequence (an
 *       original, a replacement, a denial) starts over from its own amounts; a reversal, or a later payment
 *       date of the same claim id and sequence, adds to the total; a void version sets it to zero.
 *   <li>The running charge leaves out denied versions (their billed amount would distort billed-to-allowed
 *       ratios); {@code paid_change_amount} is the running paid minus the previous version's: the cash the
 *       version moved.
 * </ul>
 */
public final class BuildClaimLineVersions {
  private final SparkSession spark;
  private final ClaimTable table;

  public BuildClaimLineVersions(SparkSession spark, ClaimTable table) {
    this.spark = spark;
    this.table = table;
  }

  public Dataset<Row> execute(Dataset<Row> families) {
    String view = "claims_versions_" + table.tableName();
    families.createOrReplaceTempView(view);
    return spark.sql("""
        WITH v AS (
          SELECT source, fam, claim_line_number, claim_id AS vid, coalesce(adjustment_sequence, 0) AS seq, paid_date,
                 min(member_id) AS member_id, sum(paid_amount) AS paid, sum(allowed_amount) AS allowed,
                 sum(charge_amount) AS charge,
                 max(CASE WHEN inferred_rev OR adjustment_type IN ('reversal', 'void') THEN 1 ELSE 0 END) AS rev,
                 max(CASE WHEN adjustment_type = 'void' THEN 1 ELSE 0 END) AS is_void,
                 max(family_rule) AS family_rule, max(family_confidence) AS family_confidence
          FROM %1$s GROUP BY source, fam, claim_line_number, claim_id, coalesce(adjustment_sequence, 0), paid_date),
        s AS (
          SELECT *, row_number() OVER (PARTITION BY source, fam, claim_line_number
                                       ORDER BY paid_date NULLS LAST, seq, vid) AS vn,
                 CASE WHEN coalesce(paid, 0) < 0 OR (coalesce(paid, 0) = 0 AND rev = 1) THEN 'reversed'
                      WHEN coalesce(paid, 0) = 0 THEN 'denied' ELSE 'paid' END AS status
          FROM v),
        f AS (
          SELECT *, CASE WHEN status <> 'reversed' AND row_number() OVER (
                           PARTITION BY source, fam, claim_line_number, vid, seq ORDER BY vn) = 1 THEN 1 ELSE 0 END
                      AS starts
          FROM s),
        g AS (
          SELECT *, sum(starts) OVER (PARTITION BY source, fam, claim_line_number ORDER BY vn
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS grp
          FROM f),
        c AS (
          SELECT *,
                 CASE WHEN is_void = 1 THEN 0
                      ELSE sum(CASE WHEN status = 'denied' THEN 0 ELSE coalesce(charge, 0) END) OVER w END AS ccharge,
                 CASE WHEN is_void = 1 THEN 0 ELSE sum(coalesce(allowed, 0)) OVER w END AS callowed,
                 CASE WHEN is_void = 1 THEN 0 ELSE sum(coalesce(paid, 0)) OVER w END AS cpaid
          FROM g
          WINDOW w AS (PARTITION BY source, fam, claim_line_number, grp ORDER BY vn
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
        SELECT '%2$s' AS claim_table, fam AS claim_id, claim_line_number, CAST(vn AS INT) AS version_number,
               vid AS version_claim_id, CAST(seq AS INT) AS adjustment_sequence, paid_date, member_id,
               CASE WHEN status = 'reversed' THEN 'reversal' WHEN vn = 1 THEN 'original' ELSE 'adjustment' END
                 AS claim_record_type,
               status AS claim_status,
               CAST(charge AS DECIMAL(18,2)) AS charge_amount, CAST(allowed AS DECIMAL(18,2)) AS allowed_amount,
               CAST(paid AS DECIMAL(18,2)) AS paid_amount,
               CAST(ccharge AS DECIMAL(18,2)) AS cumulative_charge_amount,
               CAST(callowed AS DECIMAL(18,2)) AS cumulative_allowed_amount,
               CAST(cpaid AS DECIMAL(18,2)) AS cumulative_paid_amount,
               CAST(cpaid - coalesce(lag(cpaid) OVER (PARTITION BY source, fam, claim_line_number ORDER BY vn), 0)
                    AS DECIMAL(18,2)) AS paid_change_amount,
               family_rule, family_confidence, source
        FROM c
        """.formatted(view, table.tableName()));
  }
}
