package org.pophealth.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.pophealth.cohorts.BuildCohorts;
import org.pophealth.cohorts.CohortDefinition;
import org.pophealth.cohorts.ImportOutreach;
import org.pophealth.cohorts.LoadCohortDefinitions;
import org.pophealth.cohorts.PublishCohorts;
import org.pophealth.lakehouse.Lakehouse;

/**
 * {@code bench cohorts}: build-cohorts (attribution included) and publish of the packaged cohorts on
 * synthetic gold and silver rows for N persons (seeded): gold.person; care gaps on CMS125/130/124/122/165
 * for about 30% of persons each measure family; BLEND risk scores with top 1%/5% and rising tiers; two
 * primary-care visits per person in 2025 among 2,000 providers; an ED visit for 8% and an inpatient
 * claim for 3%. Times generation apart from build and publish. Then the care teams' side of the worklist: an
 * outcomes file with one attempt for every fourth open ops.worklist item (no answer, reached, declined, scheduled
 * in turn) imported with {@code worklist import}, and a second publish of the same publications, which carries
 * every item (keeps the attempts, holds back the reached and declined persons).
 */
public final class BenchCohorts {
  private final Lakehouse scratch;
  private final long persons;
  private final String publishDir;

  public BenchCohorts(Lakehouse scratch, long persons, String publishDir) {
    this.scratch = scratch;
    this.persons = persons;
    this.publishDir = publishDir;
  }

  public record Result(long persons, long events, double generateSeconds, BuildCohorts.Result build,
      PublishCohorts.Result publish, long openItems, ImportOutreach.Result imported, PublishCohorts.Result republish) {}

  public Result execute() throws IOException {
    long t0 = System.nanoTime();
    var spark = scratch.spark();
    spark.range(persons).selectExpr("id", "concat('P', lpad(CAST(id AS STRING), 9, '0')) AS pk",
        "abs(hash(id, 7)) % 1000 AS h").createOrReplaceTempView("bench_p");
    scratch.replaceWhere("gold.person", spark.sql("""
        SELECT pk AS person_id, concat('Given', h) AS given_name, concat('Family', id % 5000) AS family_name,
               date_add(DATE'1940-01-01', CAST(h * 17 % 25000 AS INT)) AS birth_date,
               CASE WHEN h % 2 = 0 THEN 'female' ELSE 'male' END AS sex, concat(id, ' Main St') AS street,
               'Springfield' AS city, 'MA' AS state, lpad(CAST(h AS STRING), 5, '0') AS postcode,
               concat('555-', lpad(CAST(id % 10000 AS STRING), 4, '0')) AS phone, CAST(NULL AS STRING) AS email,
               CAST(NULL AS STRING) AS ssn, 1L AS record_count, array('ehr') AS sources,
               CAST(NULL AS MAP<STRING, STRING>) AS lineage, 'bench' AS resolve_run_id
        FROM bench_p"""), "true");
    scratch.replaceWhere("gold.care_gap", spark.sql("""
        SELECT pk AS person_key, pk AS person_id, array(concat('ehr:', id)) AS patient_refs, m AS measure,
               concat(m, 'FHIR') AS cms_id, m AS measure_title, DATE'2025-01-01' AS period_start,
               DATE'2025-12-31' AS period_end, 1 AS group_index, 'open' AS status, DATE'2025-12-31' AS due_date,
               m = 'CMS122' AS inverse, 'bench' AS to_close, CAST(NULL AS STRING) AS organization,
               CAST(array() AS ARRAY<STRING>) AS close_with, CAST(array() AS ARRAY<STRING>) AS evidence,
               CAST(NULL AS MAP<STRING, DATE>) AS evidence_dates, CAST(NULL AS DATE) AS last_evidence_date
        FROM (SELECT *, explode(array('CMS125', 'CMS130', 'CMS124', 'CMS122', 'CMS165')) AS m FROM bench_p)
        WHERE abs(hash(id, m)) % 100 < 30"""), "true");
    scratch.replaceWhere("gold.risk_score", spark.sql("""
        SELECT 2026 AS payment_year, pk AS person_key, pk AS person_id, 'ehr' AS source, CAST(id AS STRING) AS patient_id,
               'BLEND' AS model, 'CNA' AS segment, 70 AS age, 'F' AS sex, 0 AS orec, 'non' AS dual_status,
               'patient' AS demographics_source, s AS raw_score, s AS normalized_score, s AS payment_score,
               'V28' AS payment_model, 0 AS hcc_count,
               CAST(array() AS ARRAY<STRING>) AS hccs, 0 AS diagnosis_count, s - c AS prior_payment_score, c AS score_change,
               h < 10 AS tier_top_1pct, h < 50 AS tier_top_5pct, c > 0.45 AS tier_rising
        FROM (SELECT *, round(0.3 + (1000 - h) / 250.0, 3) AS s, round((abs(hash(id, 3)) % 100) / 200.0, 3) AS c FROM bench_p)
        """), "true");
    scratch.replaceWhere("silver.event", spark.sql("""
        SELECT concat('ev', id, '-', k) AS event_id, CASE WHEN k = 3 THEN 'payer' ELSE 'ehr' END AS source,
               CAST(id AS STRING) AS patient_id, pk AS person_id, CASE WHEN k = 3 THEN 'procedure' ELSE 'encounter' END AS event_kind,
               CAST(NULL AS STRING) AS code_system, CAST(NULL AS STRING) AS code, CAST(NULL AS STRING) AS display,
               array(named_struct('system', CASE WHEN k = 3 THEN 'http://www.ama-assn.org/go/cpt' ELSE 'http://snomed.info/sct' END,
                 'code', CASE WHEN k = 2 THEN '50849002' WHEN k = 3 THEN '99213' ELSE '185349003' END, 'display', CAST(NULL AS STRING))) AS codes,
               CAST(array() AS ARRAY<STRING>) AS category_codes, CAST(NULL AS DOUBLE) AS value_num, CAST(NULL AS STRING) AS value_unit,
               CAST(NULL AS ARRAY<STRUCT<system: STRING, code: STRING, display: STRING>>) AS value_codes, CAST(NULL AS STRING) AS value_text,
               CAST(d AS TIMESTAMP) AS start_time, CAST(NULL AS TIMESTAMP) AS end_time, d AS event_date, 'finished' AS status,
               concat('enc', id, '-', k) AS encounter_id, CASE WHEN k = 2 THEN 'EMER' WHEN k = 3 THEN NULL ELSE 'AMB' END AS encounter_class,
               CAST(NULL AS STRING) AS practitioner_id, lpad(CAST(1000000000 + (h + k) % 2000 AS STRING), 10, '0') AS practitioner_npi,
               CAST(NULL AS STRING) AS organization_id, CAST(2000000000 + h % 200 AS STRING) AS organization_npi,
               CASE WHEN k = 3 THEN concat('c', id) END AS claim_id, CASE WHEN k = 3 THEN 1 END AS claim_line,
               CASE WHEN k = 3 THEN 'professional' END AS claim_type, CASE WHEN k = 3 THEN '11' END AS place_of_service,
               CAST(NULL AS STRING) AS bill_type, CAST(NULL AS ARRAY<STRING>) AS modifiers, CAST(NULL AS DECIMAL(18,2)) AS allowed_amount,
               CAST(NULL AS DECIMAL(18,2)) AS paid_amount, 'bench' AS source_resource_type, concat('r', id, '-', k) AS source_resource_id,
               0 AS component_index, 'bench' AS ingest_run_id, 'bench' AS bronze_file, 0L AS bronze_line
        FROM (SELECT *, date_add(DATE'2025-01-01', CAST((h + k * 97) % 360 AS INT)) AS d
              FROM (SELECT *, explode(sequence(0, 3)) AS k FROM bench_p))
        WHERE k IN (0, 1, 3) OR (k = 2 AND h % 100 < 8)
        """), "true");
    long events = scratch.read("silver.event").count();
    double gen = (System.nanoTime() - t0) / 1e9;
    LoadCohortDefinitions.Result defs = new LoadCohortDefinitions(null).execute();
    BuildCohorts.Result b = new BuildCohorts(scratch, defs, LocalDate.of(2025, 12, 31), LocalDate.of(2025, 1, 1),
        LocalDate.of(2025, 12, 31), 2026).only(List.of()).execute();
    PublishCohorts.Result p = new PublishCohorts(scratch, defs, publishDir).execute();
    List<Row> open = scratch.read("ops.worklist").filter("closed_at IS NULL").select("cohort", "person_id")
        .orderBy("cohort", "person_id").collectAsList();
    List<String> lines = new ArrayList<>(List.of("cohort,person_id,date,channel,outcome,next_contact_date"));
    String[] outcomes = {"no_answer", "reached", "declined", "scheduled"};
    for (int i = 0; i < open.size(); i += 4) {
      String outcome = outcomes[(i / 4) % outcomes.length];
      lines.add(open.get(i).getString(0) + "," + open.get(i).getString(1) + ",2026-01-05,phone," + outcome + ","
          + (outcome.equals("no_answer") ? "2026-01-09" : ""));
    }
    Path file = Path.of(scratch.root().replaceFirst("^file:", ""), "outreach.csv");
    Files.createDirectories(file.getParent());
    Files.write(file, lines);
    ImportOutreach.Result imported = new ImportOutreach(scratch, file,
        defs.definitions().stream().map(CohortDefinition::name).collect(Collectors.toSet()), "bench").execute();
    PublishCohorts.Result again = new PublishCohorts(scratch, defs, publishDir).execute();
    return new Result(persons, events, gen, b, p, open.size(), imported, again);
  }
}
