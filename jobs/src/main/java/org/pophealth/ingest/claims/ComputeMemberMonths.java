package org.pophealth.ingest.claims;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;

/**
 * Job step: silver.eligibility of one source → silver.member_month (one row per member, payer, plan
 * and calendar month with at least one enrolled day). Open spans (no end date) run to the latest
 * date the source has seen (enrollment or claim). Rebuilt for the source in one replace.
 */
public final class ComputeMemberMonths {
  private final Lakehouse lakehouse;
  private final String source;

  public ComputeMemberMonths(Lakehouse lakehouse, String source) {
    this.lakehouse = lakehouse;
    this.source = source;
  }

  public record Result(long memberMonths) {}

  public Result execute() {
    String where = "source = '" + source + "'";
    lakehouse.read("silver.eligibility").filter(where).createOrReplaceTempView("mm_elig");
    lakehouse.read("silver.medical_claim").filter(where).createOrReplaceTempView("mm_med");
    lakehouse.read("silver.pharmacy_claim").filter(where).createOrReplaceTempView("mm_rx");
    Dataset<Row> months = lakehouse.spark().sql("""
        WITH h AS (SELECT max(d) AS horizon FROM (
            SELECT enrollment_start_date AS d FROM mm_elig UNION ALL SELECT enrollment_end_date FROM mm_elig
            UNION ALL SELECT coalesce(claim_end_date, claim_start_date) FROM mm_med
            UNION ALL SELECT dispensing_date FROM mm_rx)),
        s AS (SELECT e.member_id, coalesce(e.payer, '(unknown)') AS payer, coalesce(e.plan, '(unknown)') AS plan,
                     trunc(e.enrollment_start_date, 'MM') AS first_month,
                     trunc(coalesce(e.enrollment_end_date, h.horizon), 'MM') AS last_month
              FROM mm_elig e CROSS JOIN h
              WHERE coalesce(e.enrollment_end_date, h.horizon) >= e.enrollment_start_date)
        SELECT DISTINCT member_id, CAST(NULL AS STRING) AS person_id,
               date_format(m, 'yyyy-MM') AS year_month, payer, plan, '%s' AS source
        FROM s LATERAL VIEW explode(sequence(first_month, last_month, interval 1 month)) x AS m
        """.formatted(source));
    return new Result(lakehouse.replaceWhereCounted("silver.member_month", months, where));
  }
}
