package org.pophealth.conform;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.pophealth.lakehouse.Lakehouse;

/**
 * Rebuilds {@code silver.event} for one source from its silver tables, in one atomic replace of that
 * source's rows. Deterministic: the same silver tables give the same events and ids.
 */
public final class BuildEvents {
  /** Preferred code systems for an event's primary code, most specific first. */
  static final List<String> PREFERRED_SYSTEMS = List.of(
      "http://loinc.org",
      "http://snomed.info/sct",
      "http://hl7.org/fhir/sid/icd-10-cm",
      "http://www.ama-assn.org/go/cpt",
      "urn:oid:2.16.840.1.113883.6.285",
      "http://www.cms.gov/Medicare/Coding/ICD10",
      "http://www.nlm.nih.gov/research/umls/rxnorm",
      "http://hl7.org/fhir/sid/cvx",
      "http://hl7.org/fhir/sid/ndc");

  private final Lakehouse lakehouse;
  private final String source;

  public BuildEvents(Lakehouse lakehouse, String source) {
    this.lakehouse = lakehouse;
    this.source = source;
  }

  public record Result(long events) {}

  public Result execute() {
    SparkSession spark = lakehouse.spark();
    for (String t : List.of("encounter", "condition", "procedure", "observation", "medication_request",
        "medication", "immunization", "diagnostic_report", "practitioner", "organization")) {
      lakehouse.read("silver." + t).filter("source = '" + source.replace("'", "") + "'")
          .createOrReplaceTempView("ev_" + t);
    }
    String facts = String.join("\nUNION ALL\n", List.of(
        """
        SELECT 'Encounter' AS rt, id AS rid, 0 AS component_index, patient_id, 'encounter' AS event_kind,
               type_codes AS codes, array() AS category_codes, CAST(NULL AS DOUBLE) AS value_num,
               CAST(NULL AS STRING) AS value_unit, CAST(array() AS ARRAY<STRUCT<system:STRING,code:STRING,display:STRING>>) AS value_codes,
               CAST(NULL AS STRING) AS value_text, start_time, end_time, status, id AS encounter_id,
               practitioner_ids[0] AS own_practitioner, ingest_run_id, bronze_file, bronze_line,
               contained_npis FROM ev_encounter
        """,
        """
        SELECT 'Condition', id, 0, patient_id, 'diagnosis', codes, category_codes, NULL, NULL, array(), NULL,
               coalesce(onset_time, recorded_date), abatement_time, clinical_status, encounter_id, NULL,
               ingest_run_id, bronze_file, bronze_line, CAST(NULL AS MAP<STRING,STRING>) FROM ev_condition
        """,
        """
        SELECT 'Procedure', id, 0, patient_id, 'procedure', codes, array(), NULL, NULL, array(), NULL,
               performed_start, performed_end, status, encounter_id, performer_ids[0],
               ingest_run_id, bronze_file, bronze_line, contained_npis FROM ev_procedure
        """,
        """
        SELECT 'Observation', id, 0, patient_id,
               CASE WHEN array_contains(category_codes, 'laboratory') THEN 'lab'
                    WHEN array_contains(category_codes, 'vital-signs') THEN 'vital' ELSE 'observation' END,
               codes, category_codes, value_num, value_unit, value_codes, value_text,
               effective_start, effective_end, status, encounter_id, performer_ids[0],
               ingest_run_id, bronze_file, bronze_line, contained_npis
        FROM ev_observation WHERE size(components) = 0 OR value_type IS NOT NULL
        """,
        """
        SELECT 'Observation', id, pos + 1, patient_id,
               CASE WHEN array_contains(category_codes, 'laboratory') THEN 'lab'
                    WHEN array_contains(category_codes, 'vital-signs') THEN 'vital' ELSE 'observation' END,
               c.codes, category_codes, c.value_num, c.value_unit, c.value_codes, c.value_text,
               effective_start, effective_end, status, encounter_id, performer_ids[0],
               ingest_run_id, bronze_file, bronze_line, contained_npis
        FROM ev_observation LATERAL VIEW posexplode(components) p AS pos, c
        """,
        """
        SELECT 'MedicationRequest', r.id, 0, r.patient_id, 'medication',
               CASE WHEN size(r.medication_codes) > 0 THEN r.medication_codes ELSE coalesce(m.codes, array()) END,
               array(), NULL, NULL, array(), r.dosage_text, r.authored_on, NULL, r.status, r.encounter_id,
               r.requester_id, r.ingest_run_id, r.bronze_file, r.bronze_line, r.contained_npis
        FROM ev_medication_request r LEFT JOIN ev_medication m ON m.id = r.medication_id
        """,
        """
        SELECT 'Immunization', id, 0, patient_id, 'immunization', vaccine_codes, array(), NULL, NULL, array(),
               NULL, occurrence_time, NULL, status, encounter_id, NULL, ingest_run_id, bronze_file, bronze_line,
               CAST(NULL AS MAP<STRING,STRING>) FROM ev_immunization
        """,
        """
        SELECT 'DiagnosticReport', id, 0, patient_id, 'diagnostic_report', codes, category_codes, NULL, NULL,
               array(), NULL, effective_start, effective_end, status, encounter_id, performer_ids[0],
               ingest_run_id, bronze_file, bronze_line, contained_npis FROM ev_diagnostic_report
        """));
    String primary = PREFERRED_SYSTEMS.stream()
        .map(s -> "filter(f.codes, x -> x.system = '" + s + "')[0]")
        .collect(Collectors.joining(", ", "coalesce(", ", f.codes[0])"));
    String sql = """
        WITH f AS (%s),
        pr_key AS (SELECT k, max(npi) AS npi FROM (
            SELECT id AS k, npi FROM ev_practitioner UNION ALL
            SELECT npi AS k, npi FROM ev_practitioner WHERE npi IS NOT NULL) GROUP BY k),
        org_key AS (SELECT k, max(npi) AS npi FROM (
            SELECT id AS k, npi FROM ev_organization UNION ALL
            SELECT npi AS k, npi FROM ev_organization WHERE npi IS NOT NULL) GROUP BY k),
        p AS (SELECT f.*, %s AS primary_coding FROM f)
        SELECT substr(sha2(concat_ws('|', '%s', p.rt, p.rid, CAST(p.component_index AS STRING)), 256), 1, 32) AS event_id,
               '%s' AS source, p.patient_id, CAST(NULL AS STRING) AS person_id, p.event_kind,
               p.primary_coding.system AS code_system, p.primary_coding.code AS code,
               p.primary_coding.display AS display, coalesce(p.codes, array()) AS codes, p.category_codes,
               p.value_num, p.value_unit, p.value_codes, p.value_text, p.start_time, p.end_time,
               to_date(p.start_time) AS event_date, p.status, p.encounter_id, e.class_code AS encounter_class,
               coalesce(p.own_practitioner, e.practitioner_ids[0]) AS practitioner_id,
               coalesce(pr.npi, CASE WHEN p.own_practitioner IS NOT NULL THEN p.contained_npis[p.own_practitioner]
                                     ELSE e.contained_npis[e.practitioner_ids[0]] END) AS practitioner_npi,
               e.organization_id, coalesce(o.npi, e.contained_npis[e.organization_id]) AS organization_npi,
               CAST(NULL AS STRING) AS claim_id, CAST(NULL AS INT) AS claim_line, CAST(NULL AS STRING) AS claim_type,
               CAST(NULL AS STRING) AS place_of_service,
               CAST(NULL AS STRING) AS bill_type, CAST(NULL AS ARRAY<STRING>) AS modifiers,
               CAST(NULL AS DECIMAL(18,2)) AS allowed_amount, CAST(NULL AS DECIMAL(18,2)) AS paid_amount,
               p.rt AS source_resource_type, p.rid AS source_resource_id, p.component_index,
               p.ingest_run_id, p.bronze_file, p.bronze_line
        FROM p
        LEFT JOIN ev_encounter e ON e.id = p.encounter_id
        LEFT JOIN pr_key pr ON pr.k = coalesce(p.own_practitioner, e.practitioner_ids[0])
        LEFT JOIN org_key o ON o.k = e.organization_id
        """.formatted(facts, primary.replace("f.codes", "f.codes"), source, source);
    Dataset<Row> events = org.pophealth.lakehouse.PersonIds.fill(lakehouse, spark.sql(sql), "patient_id");
    long n = lakehouse.replaceWhereCounted("silver.event", events, "source = '" + source + "'");
    return new Result(n);
  }
}
