package org.pophealth.conform;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds {@code silver.event} for one source from its silver tables, in one atomic replace of that
 * source's rows. Deterministic: the same silver tables give the same events and ids.
 *
 * <p>After an ingest run ({@link #changedIn}), only the events of the patients that run touched are built
 * again: patients of the clinical rows it inserted or updated ({@code ingest_run_id}), of the resources it
 * deleted, of the events that point at an encounter it changed or deleted, and of the medication requests that
 * name a Medication it changed or deleted. Those patients' events are merged into the table (new and changed
 * inserted or updated, gone deleted) in one commit, and every other event stays: the table is the one a full
 * rebuild gives. A run that changed a Practitioner or Organization (any patient's events may name it, by id or
 * NPI), a run that touches a row or event without a patient, and the source's first run rebuild the whole
 * source.
 */
public final class BuildEvents {
  private static final Logger LOG = LoggerFactory.getLogger(BuildEvents.class);
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

  /** Clinical silver tables: each row belongs to one patient ({@code patient_id}). */
  private static final List<String> CLINICAL = List.of("encounter", "condition", "procedure", "observation",
      "medication_request", "immunization", "diagnostic_report");
  /** Silver tables any patient's events may join to. */
  private static final List<String> SHARED = List.of("medication", "practitioner", "organization");
  /** Of those, the ones whose change rebuilds the whole source (joined by id or NPI). */
  private static final List<String> REBUILD_ALL = List.of("practitioner", "organization");

  private final Lakehouse lakehouse;
  private final String source;
  private String runId;

  public BuildEvents(Lakehouse lakehouse, String source) {
    this.lakehouse = lakehouse;
    this.source = source;
  }

  /**
   * @param events rows written: the source's events after a full rebuild, the affected patients' events (inserted
   *     or updated) after an incremental one
   * @param patients patients whose events were built again; -1 for a full rebuild
   * @param deleted events deleted (incremental: a resource or fact that is gone)
   */
  public record Result(long events, long patients, long deleted) {
    public boolean full() {
      return patients < 0;
    }
  }

  /**
   * Build only the events of the patients the ingest run {@code runId} touched in this source's silver tables
   * (see the class comment); null: every event of the source.
   */
  public BuildEvents changedIn(String runId) {
    this.runId = runId;
    return this;
  }

  public Result execute() {
    String src = source.replace("'", "");
    Dataset<Row> affected = runId == null ? null : affectedPatients(src);
    SparkSession spark = lakehouse.spark();
    for (String t : CLINICAL) {
      Dataset<Row> rows = lakehouse.read("silver." + t).filter("source = '" + src + "'");
      // the facts: the affected patients' rows only; the encounters the facts join to: all of them
      rows.createOrReplaceTempView("ev_all_" + t);
      (affected == null ? rows : rows.join(org.apache.spark.sql.functions.broadcast(affected),
          scala.collection.JavaConverters.asScalaBuffer(List.of("patient_id")).toSeq(), "left_semi"))
          .createOrReplaceTempView("ev_" + t);
    }
    for (String t : SHARED) {
      lakehouse.read("silver." + t).filter("source = '" + src + "'").createOrReplaceTempView("ev_" + t);
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
        LEFT JOIN ev_all_encounter e ON e.id = p.encounter_id
        LEFT JOIN pr_key pr ON pr.k = coalesce(p.own_practitioner, e.practitioner_ids[0])
        LEFT JOIN org_key o ON o.k = e.organization_id
        """.formatted(facts, primary.replace("f.codes", "f.codes"), source, source);
    Dataset<Row> events = org.pophealth.lakehouse.PersonIds.fill(lakehouse, spark.sql(sql), "patient_id");
    if (affected == null) {
      long n = lakehouse.replaceWhereCounted("silver.event", events, "source = '" + source + "'");
      return new Result(n, -1, 0);
    }
    // the affected patients' events as they are now, and the ids of theirs that are gone
    Dataset<Row> now = events.localCheckpoint(true);
    Dataset<Row> gone = lakehouse.read("silver.event").filter("source = '" + src + "'")
        .join(org.apache.spark.sql.functions.broadcast(affected),
            scala.collection.JavaConverters.asScalaBuffer(List.of("patient_id")).toSeq(), "left_semi")
        .select("event_id").join(now.select("event_id"),
            scala.collection.JavaConverters.asScalaBuffer(List.of("event_id")).toSeq(), "left_anti");
    long patients = affected.count();
    Lakehouse.MergeCounts n = lakehouse.upsert("silver.event", now, gone, List.of("event_id"),
        "t.source = '" + src + "'");
    LOG.info("silver.event of {}: {} patients' events built again ({} inserted, {} updated, {} deleted)", src,
        patients, n.inserted(), n.updated(), n.deleted());
    return new Result(n.inserted() + n.updated(), patients, n.deleted());
  }

  /**
   * The patients (one column, {@code patient_id}, materialised) whose events the run may have changed; null
   * when only a full rebuild is exact: the source has no events yet, the run changed a Practitioner or
   * Organization, or a row it wrote or an event it touches names no patient.
   */
  private Dataset<Row> affectedPatients(String src) {
    if (lakehouse.read("silver.event").filter("source = '" + src + "'").limit(1).count() == 0) {
      return null;
    }
    String mine = "source = '" + src + "' AND ingest_run_id = '" + runId.replace("'", "") + "'";
    for (String t : REBUILD_ALL) {
      if (lakehouse.read("silver." + t).filter(mine).limit(1).count() > 0) {
        LOG.info("silver.event of {}: the run changed silver.{}, shared by every patient's events: full rebuild", src, t);
        return null;
      }
    }
    // resources the run deleted: tombstones it loaded
    Dataset<Row> deleted = lakehouse.read("bronze.fhir_resource").filter(mine + " AND is_deleted")
        .select("resource_type", "resource_id").distinct();
    if (deleted.filter(org.apache.spark.sql.functions.col("resource_type")
        .isin("Practitioner", "Organization")).limit(1).count() > 0) {
      LOG.info("silver.event of {}: the run deleted a shared resource: full rebuild", src);
      return null;
    }
    Dataset<Row> written = null;
    for (String t : CLINICAL) {
      Dataset<Row> rows = lakehouse.read("silver." + t).filter(mine).select("patient_id");
      written = written == null ? rows : written.union(rows);
    }
    if (written.filter("patient_id IS NULL").limit(1).count() > 0) {
      LOG.info("silver.event of {}: the run wrote a clinical row without a patient: full rebuild", src);
      return null;
    }
    // events of deleted resources, and those pointing at an encounter the run changed or deleted
    Dataset<Row> encounters = lakehouse.read("silver.encounter").filter(mine).select(
            org.apache.spark.sql.functions.col("id").as("encounter_id"))
        .union(deleted.filter("resource_type = 'Encounter'").select("resource_id"));
    Dataset<Row> events = lakehouse.read("silver.event").filter("source = '" + src + "'");
    Dataset<Row> ofDeleted = events.join(deleted, events.col("source_resource_type").equalTo(deleted.col("resource_type"))
        .and(events.col("source_resource_id").equalTo(deleted.col("resource_id"))), "left_semi").select("patient_id");
    Dataset<Row> atEncounters = events.join(encounters, scala.collection.JavaConverters.asScalaBuffer(
        List.of("encounter_id")).toSeq(), "left_semi").select("patient_id");
    if (ofDeleted.union(atEncounters).filter("patient_id IS NULL").limit(1).count() > 0) {
      LOG.info("silver.event of {}: the run deleted or changed what an event without a patient stems from: full rebuild",
          src);
      return null;
    }
    Dataset<Row> medications = lakehouse.read("silver.medication").filter(mine).select(
            org.apache.spark.sql.functions.col("id").as("medication_id"))
        .union(deleted.filter("resource_type = 'Medication'").select("resource_id"));
    Dataset<Row> requesting = lakehouse.read("silver.medication_request").filter("source = '" + src + "'")
        .join(medications, scala.collection.JavaConverters.asScalaBuffer(List.of("medication_id")).toSeq(), "left_semi")
        .select("patient_id");
    return written.union(ofDeleted).union(atEncounters).union(requesting).filter("patient_id IS NOT NULL").distinct()
        .localCheckpoint(true);
  }
}
