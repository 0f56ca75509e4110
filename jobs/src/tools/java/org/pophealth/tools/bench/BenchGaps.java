package org.pophealth.tools.bench;

import static org.apache.spark.sql.functions.lit;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.risk.FindHccGaps;
import org.pophealth.lakehouse.ColumnSpec;

/**
 * {@code bench gaps}: find-hcc-gaps throughput (persons per second) on synthetic tables in a scratch lakehouse:
 * PY2026 scores (V24 and V28 rows) for every person; PY2025 V28 factors with a chronic HCC for 30% of them
 * (diabetes HCC 37, or heart failure HCC 226 for a third of those) and PY2026 factors carrying HCC 37 for 15%
 * (which closes some recapture gaps); and {@code events} silver events of 2024-2025 that the packaged suspect
 * rules read (eGFR, HbA1c, BMI, PHQ-9 with values spread over their ranges, antidepressant and metformin
 * prescriptions) mixed with other labs. Deterministic for a seed (hash-based). Generation is not timed.
 */
public final class BenchGaps {
  private final Lakehouse scratch;
  private final long persons;
  private final long events;
  private final int seed;

  public BenchGaps(Lakehouse scratch, long persons, long events, int seed) {
    if (persons < 1 || events < 1) {
      throw new IllegalArgumentException("--persons and --events must be positive");
    }
    this.scratch = scratch;
    this.persons = persons;
    this.events = events;
    this.seed = seed;
  }

  /** @param first the first (cold) run; {@code second} the same inputs again (warm JVM) */
  public record Result(long persons, long events, double generateSeconds, FindHccGaps.Result first,
      FindHccGaps.Result second) {
    public double personsPerSecond() {
      return persons / second.seconds();
    }
  }

  public Result execute() {
    long t0 = System.nanoTime();
    var spark = scratch.spark();
    String h = "pmod(hash(id, " + seed + ", '%s'), %d)";
    spark.range(persons).createOrReplaceTempView("bench_gap_persons");
    Dataset<Row> scores = spark.sql(("""
        SELECT 2026 AS payment_year, concat('P', id) AS person_key, 'payer' AS source, concat('p', id) AS patient_id,
               m.model, 'CNA' AS segment, 66 + %s AS age, IF(%s = 0, 'F', 'M') AS sex, 0 AS orec, 'non' AS dual_status,
               'eligibility' AS demographics_source, 0.4 AS raw_score, 0.4 AS normalized_score, 0.4 AS payment_score,
               0 AS hcc_count, CAST(array() AS ARRAY<STRING>) AS hccs, 0 AS diagnosis_count, false AS tier_top_1pct,
               false AS tier_top_5pct, false AS tier_rising
        FROM bench_gap_persons CROSS JOIN (SELECT explode(array('V24', 'V28')) AS model) m
        """).formatted(h.formatted("age", 25), h.formatted("sex", 2)));
    Dataset<Row> factors = spark.sql(("""
        WITH p AS (SELECT id, %s AS roll FROM bench_gap_persons)
        SELECT 2025 AS payment_year, concat('P', id) AS person_key, 'V28' AS model, 'CNA' AS segment,
               IF(roll < 10, 'CNA_HCC226', 'CNA_HCC37') AS variable, 'hcc' AS factor_kind, 0.2 AS coefficient,
               IF(roll < 10, 226, 37) AS hcc, 'prior' AS hcc_label, array(IF(roll < 10, 'I5022', 'E1122')) AS dx_codes,
               array(concat('f', id)) AS event_ids, CAST(array() AS ARRAY<STRING>) AS claim_ids
        FROM p WHERE roll < 30
        UNION ALL
        SELECT 2026, concat('P', id), 'V28', 'CNA', 'CNA_HCC37', 'hcc', 0.166, 37, 'current', array('E1122'),
               array(concat('g', id)), CAST(array() AS ARRAY<STRING>)
        FROM p WHERE roll BETWEEN 20 AND 34
        """).formatted(h.formatted("factor", 100)));
    spark.range(events).createOrReplaceTempView("bench_gap_ids");
    Dataset<Row> ev = spark.sql(("""
        WITH g AS (SELECT id, %s AS person, %s AS kind, %s AS day, %s AS v FROM bench_gap_ids),
        f AS (
          SELECT g.*, element_at(array('33914-3', '4548-4', '39156-5', '44261-6', '310385', '860975', '2093-3', '3016-3',
                                       '2093-3', '3016-3'), kind + 1) AS code
          FROM g)
        SELECT substr(sha2(CAST(id AS STRING), 256), 1, 32) AS event_id, 'ehr' AS source, concat('p', person) AS patient_id,
               concat('P', person) AS person_id,
               CASE WHEN kind IN (4, 5) THEN 'medication' WHEN kind = 2 THEN 'vital' WHEN kind = 3 THEN 'observation'
                    ELSE 'lab' END AS event_kind,
               IF(kind IN (4, 5), 'http://www.nlm.nih.gov/research/umls/rxnorm', 'http://loinc.org') AS code_system, code,
               array(named_struct('system', IF(kind IN (4, 5), 'http://www.nlm.nih.gov/research/umls/rxnorm',
                                               'http://loinc.org'), 'code', code, 'display', CAST(NULL AS STRING))) AS codes,
               CASE kind WHEN 0 THEN 30 + v * 0.7 WHEN 1 THEN 5 + v * 0.05 WHEN 2 THEN 20 + v * 0.3 WHEN 3 THEN v * 0.27
                         WHEN 6 THEN 120 + v ELSE NULL END AS value_num,
               CASE kind WHEN 0 THEN 'mL/min/{1.73_m2}' WHEN 1 THEN '%%' WHEN 2 THEN 'kg/m2' WHEN 3 THEN '{score}'
                         WHEN 6 THEN 'mg/dL' ELSE NULL END AS value_unit,
               date_add(DATE '2024-01-01', day) AS event_date, 'final' AS status, 'Synthetic' AS source_resource_type,
               CAST(id AS STRING) AS source_resource_id, 0 AS component_index, 'bench' AS ingest_run_id,
               'synthetic' AS bronze_file, id AS bronze_line
        FROM f
        """).formatted(h.formatted("person", persons), h.formatted("kind", 10), h.formatted("day", 731),
            h.formatted("value", 100)));
    scratch.replaceWhere("gold.risk_score", complete(scores, "gold.risk_score"), "true");
    scratch.replaceWhere("gold.risk_factor", complete(factors, "gold.risk_factor"), "true");
    scratch.replaceWhere("silver.event", complete(ev, "silver.event"), "true");
    double generate = (System.nanoTime() - t0) / 1e9;
    FindHccGaps.Result first = new FindHccGaps(scratch, 2026).execute();
    FindHccGaps.Result second = new FindHccGaps(scratch, 2026).execute();
    return new Result(persons, events, generate, first, second);
  }

  /** The contract's columns the generator leaves out, as nulls (all of them nullable). */
  private Dataset<Row> complete(Dataset<Row> df, String table) {
    List<String> have = List.of(df.columns());
    for (ColumnSpec c : scratch.contract(table).columns()) {
      if (!have.contains(c.name())) {
        df = df.withColumn(c.name(), lit(null).cast(c.type()));
      }
    }
    return scratch.conform(df, table);
  }
}
