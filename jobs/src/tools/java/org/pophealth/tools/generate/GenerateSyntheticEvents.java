package org.pophealth.tools.generate;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;

/**
 * Writes a synthetic {@code silver.event} for benchmarks: lab and imaging events (LOINC in the EHR
 * source, CPT on claims of a payer source, 25%), spread over persons, three years, 500 providers and
 * 50 organizations, with some ED tests, 91/26/TC modifiers, and trauma/cancer diagnoses. Deterministic
 * for a seed (hash-based, no random state).
 */
public final class GenerateSyntheticEvents {
  private final Lakehouse lakehouse;
  private final long events;
  private final long persons;
  private final int seed;

  public GenerateSyntheticEvents(Lakehouse lakehouse, long events, long persons, int seed) {
    if (events < 1 || persons < 1) {
      throw new IllegalArgumentException("--events and --persons must be positive");
    }
    this.lakehouse = lakehouse;
    this.events = events;
    this.persons = persons;
    this.seed = seed;
  }

  public record Result(long events, double seconds) {}

  public Result execute() {
    long t0 = System.nanoTime();
    lakehouse.spark().range(events).createOrReplaceTempView("gen_ids");
    String h = "pmod(hash(id, %d, '%s'), %s)";
    Dataset<Row> rows = lakehouse.spark().sql(("""
        WITH g AS (
          SELECT id, %s AS person, %s AS fam, %s AS day, %s AS claim_roll, %s AS pr, %s AS org, %s AS flag
          FROM gen_ids),
        f AS (
          SELECT g.*, claim_roll < 25 AS is_claim,
                 element_at(array('4548-4','2093-3','3016-3','1989-3','57698-3','4548-4','4548-4','2093-3'), fam + 1) AS loinc,
                 element_at(array('83036','80061','84443','82306','80061','83036','70450','71250'), fam + 1) AS cpt,
                 flag < 3 AS dx
          FROM g)
        SELECT substr(sha2(CAST(id AS STRING), 256), 1, 32) AS event_id,
               CASE WHEN is_claim THEN 'payer' ELSE 'ehr' END AS source,
               concat('p', CAST(person AS STRING)) AS patient_id, concat('P', CAST(person AS STRING)) AS person_id,
               CASE WHEN dx THEN 'diagnosis' WHEN is_claim THEN 'procedure' ELSE 'lab' END AS event_kind,
               CASE WHEN dx THEN 'http://hl7.org/fhir/sid/icd-10-cm' WHEN is_claim THEN 'http://www.ama-assn.org/go/cpt' ELSE 'http://loinc.org' END AS code_system,
               CASE WHEN dx THEN IF(flag = 0, 'S06.0X0A', 'C34.90') WHEN is_claim THEN cpt ELSE loinc END AS code,
               CAST(NULL AS STRING) AS display,
               array(named_struct('system', CASE WHEN dx THEN 'http://hl7.org/fhir/sid/icd-10-cm' WHEN is_claim THEN 'http://www.ama-assn.org/go/cpt' ELSE 'http://loinc.org' END,
                                  'code', CASE WHEN dx THEN IF(flag = 0, 'S06.0X0A', 'C34.90') WHEN is_claim THEN cpt ELSE loinc END,
                                  'display', CAST(NULL AS STRING))) AS codes,
               CAST(array() AS ARRAY<STRING>) AS category_codes, CAST(NULL AS DOUBLE) AS value_num, CAST(NULL AS STRING) AS value_unit,
               CAST(NULL AS ARRAY<STRUCT<system:STRING,code:STRING,display:STRING>>) AS value_codes, CAST(NULL AS STRING) AS value_text,
               CAST(date_add(DATE '2023-01-01', day) AS TIMESTAMP) + make_interval(0, 0, 0, 0, 8 + pmod(id, 9), 0, 0) AS start_time,
               CAST(NULL AS TIMESTAMP) AS end_time, date_add(DATE '2023-01-01', day) AS event_date,
               IF(dx, 'active', 'final') AS status, CAST(NULL AS STRING) AS encounter_id,
               CASE WHEN is_claim THEN NULL WHEN flag BETWEEN 3 AND 7 THEN 'EMER' ELSE 'AMB' END AS encounter_class,
               concat('pr', CAST(pr AS STRING)) AS practitioner_id, CAST(1000000000 + pr AS STRING) AS practitioner_npi,
               concat('o', CAST(org AS STRING)) AS organization_id, CAST(2000000000 + org AS STRING) AS organization_npi,
               IF(is_claim, concat('c', CAST(id AS STRING)), NULL) AS claim_id, IF(is_claim, 1, NULL) AS claim_line,
               IF(is_claim, 'professional', NULL) AS claim_type, IF(is_claim, IF(flag BETWEEN 8 AND 10, '23', '11'), NULL) AS place_of_service,
               CAST(NULL AS STRING) AS bill_type,
               IF(is_claim, CASE WHEN flag BETWEEN 11 AND 13 THEN array('91') WHEN cpt IN ('70450', '71250') THEN array(IF(flag < 50, '26', 'TC'))
                                 ELSE CAST(array() AS ARRAY<STRING>) END, NULL) AS modifiers,
               IF(is_claim, CAST(10 + pmod(id, 90) AS DECIMAL(18,2)), NULL) AS allowed_amount,
               IF(is_claim, CAST(8 + pmod(id, 70) AS DECIMAL(18,2)), NULL) AS paid_amount,
               'Synthetic' AS source_resource_type, CAST(id AS STRING) AS source_resource_id, 0 AS component_index,
               'bench' AS ingest_run_id, 'synthetic' AS bronze_file, id AS bronze_line
        FROM f
        """).formatted(
            h.formatted(seed, "person", persons), h.formatted(seed, "family", 8), h.formatted(seed, "day", 1095),
            h.formatted(seed, "claim", 100), h.formatted(seed, "provider", 500), h.formatted(seed, "org", 50),
            h.formatted(seed, "flag", 100)));
    lakehouse.replaceWhere("silver.event", rows, "true");
    return new Result(events, (System.nanoTime() - t0) / 1e9);
  }
}
