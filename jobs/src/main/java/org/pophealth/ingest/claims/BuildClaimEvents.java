package org.pophealth.ingest.claims;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;

/**
 * Job step: final-action claims of one source → silver.event, replacing that source's events (a
 * claims source's events are its claims only; EHR sources are rebuilt by BuildEvents). Facts:
 * <ul>
 *   <li>one {@code encounter} per medical claim (codes: the CPT/HCPCS of its lines; cost: the claim's sums);
 *   <li>one {@code diagnosis} per ICD-10-CM position of the claim; one {@code procedure} per ICD-10-PCS position;
 *   <li>one {@code lab} per line with a CPT 80000-89999, else one {@code procedure} per line with a CPT/HCPCS;
 *   <li>one {@code medication} per pharmacy claim line (NDC).
 * </ul>
 * patient_id is the member id; person_id comes from the identity crosswalk when the member is known (null before resolve-identity).
 */
public final class BuildClaimEvents {
  static final String ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm";
  static final String ICD10PCS = "http://www.cms.gov/Medicare/Coding/ICD10";
  static final String CPT = "http://www.ama-assn.org/go/cpt";
  static final String HCPCS = "urn:oid:2.16.840.1.113883.6.285";
  static final String NDC = "http://hl7.org/fhir/sid/ndc";

  private final Lakehouse lakehouse;
  private final String source;

  public BuildClaimEvents(Lakehouse lakehouse, String source) {
    this.lakehouse = lakehouse;
    this.source = source;
  }

  public record Result(long events) {}

  public Result execute() {
    String where = "source = '" + source + "'";
    lakehouse.read("silver.medical_claim").filter(where).createOrReplaceTempView("ce_med");
    lakehouse.read("silver.pharmacy_claim").filter(where).createOrReplaceTempView("ce_rx");
    String codeSys = "CASE WHEN hcpcs_code RLIKE '^[0-9]{4}[0-9FT]$' THEN '" + CPT + "' ELSE '" + HCPCS + "' END";
    String dx = java.util.stream.IntStream.rangeClosed(1, 25).mapToObj(i -> "diagnosis_code_" + i)
        .collect(java.util.stream.Collectors.joining(", "));
    String px = java.util.stream.IntStream.rangeClosed(1, 25)
        .mapToObj(i -> "named_struct('code', procedure_code_" + i + ", 'd', procedure_date_" + i + ")")
        .collect(java.util.stream.Collectors.joining(", "));
    String sql = """
        WITH first_line AS (
          SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY claim_id ORDER BY claim_line_number) AS rn
                         FROM ce_med) WHERE rn = 1),
        claim AS (
          SELECT claim_id, min(coalesce(claim_start_date, claim_line_start_date)) AS d0,
                 max(coalesce(claim_end_date, claim_line_end_date, claim_start_date)) AS d1,
                 sum(allowed_amount) AS allowed, sum(paid_amount) AS paid,
                 array_sort(array_distinct(flatten(collect_list(CASE WHEN hcpcs_code IS NULL THEN array()
                   ELSE array(named_struct('system', %1$s, 'code', hcpcs_code, 'display', CAST(NULL AS STRING))) END))))
                   AS codes
          FROM ce_med GROUP BY claim_id),
        facts AS (
          SELECT 'medical_claim' AS rt, f.claim_id AS rid, 0 AS component_index, f.member_id, 'encounter' AS event_kind,
                 c.codes, c.d0 AS d_start, c.d1 AS d_end, f.claim_id, CAST(NULL AS INT) AS claim_line, f.claim_type,
                 f.place_of_service_code, f.bill_type_code, CAST(NULL AS ARRAY<STRING>) AS modifiers,
                 c.allowed, c.paid, f.rendering_npi, coalesce(f.facility_npi, f.billing_npi) AS org_npi,
                 CASE WHEN f.bill_type_code LIKE '11%%' OR f.place_of_service_code = '21' THEN 'IMP'
                      WHEN f.place_of_service_code = '23' OR f.revenue_center_code LIKE '045%%' THEN 'EMER'
                      ELSE 'AMB' END AS enc_class,
                 f.ingest_run_id, f.bronze_file, f.bronze_line
          FROM first_line f JOIN claim c ON c.claim_id = f.claim_id
          UNION ALL
          SELECT 'medical_claim', f.claim_id, x.pos + 1, f.member_id, 'diagnosis',
                 array(named_struct('system', '%2$s', 'code', x.code, 'display', CAST(NULL AS STRING))),
                 coalesce(f.claim_start_date, f.claim_line_start_date), f.claim_end_date, f.claim_id, NULL,
                 f.claim_type, f.place_of_service_code, f.bill_type_code, NULL, NULL, NULL, f.rendering_npi,
                 coalesce(f.facility_npi, f.billing_npi), NULL, f.ingest_run_id, f.bronze_file, f.bronze_line
          FROM first_line f LATERAL VIEW posexplode(array(%3$s)) x AS pos, code WHERE x.code IS NOT NULL
          UNION ALL
          SELECT 'medical_claim', f.claim_id, 100 + x.pos + 1, f.member_id, 'procedure',
                 array(named_struct('system', '%4$s', 'code', x.p.code, 'display', CAST(NULL AS STRING))),
                 coalesce(x.p.d, f.claim_start_date), NULL, f.claim_id, NULL,
                 f.claim_type, f.place_of_service_code, f.bill_type_code, NULL, NULL, NULL, f.rendering_npi,
                 coalesce(f.facility_npi, f.billing_npi), NULL, f.ingest_run_id, f.bronze_file, f.bronze_line
          FROM first_line f LATERAL VIEW posexplode(array(%5$s)) x AS pos, p WHERE x.p.code IS NOT NULL
          UNION ALL
          SELECT 'medical_claim_line', claim_id, claim_line_number, member_id,
                 CASE WHEN hcpcs_code RLIKE '^8[0-9]{4}$' THEN 'lab' ELSE 'procedure' END,
                 array(named_struct('system', %1$s, 'code', hcpcs_code, 'display', CAST(NULL AS STRING))),
                 coalesce(claim_line_start_date, claim_start_date), coalesce(claim_line_end_date, claim_end_date),
                 claim_id, claim_line_number, claim_type, place_of_service_code, bill_type_code,
                 filter(array(hcpcs_modifier_1, hcpcs_modifier_2, hcpcs_modifier_3, hcpcs_modifier_4,
                              hcpcs_modifier_5), m -> m IS NOT NULL),
                 allowed_amount, paid_amount, rendering_npi, coalesce(facility_npi, billing_npi), NULL,
                 ingest_run_id, bronze_file, bronze_line
          FROM ce_med WHERE hcpcs_code IS NOT NULL
          UNION ALL
          SELECT 'pharmacy_claim', claim_id, claim_line_number, member_id, 'medication',
                 array(named_struct('system', '%6$s', 'code', ndc_code, 'display', CAST(NULL AS STRING))),
                 dispensing_date, CASE WHEN days_supply > 0 THEN date_add(dispensing_date, days_supply - 1) END,
                 claim_id, claim_line_number, 'pharmacy', NULL, NULL, NULL, allowed_amount, paid_amount,
                 prescribing_provider_npi, dispensing_provider_npi, NULL, ingest_run_id, bronze_file, bronze_line
          FROM ce_rx)
        SELECT substr(sha2(concat_ws('|', '%7$s', rt, rid, CAST(component_index AS STRING)), 256), 1, 32) AS event_id,
               '%7$s' AS source, member_id AS patient_id, CAST(NULL AS STRING) AS person_id, event_kind,
               codes[0].system AS code_system, codes[0].code AS code, codes[0].display AS display, codes,
               CAST(array() AS ARRAY<STRING>) AS category_codes, CAST(NULL AS DOUBLE) AS value_num,
               CAST(NULL AS STRING) AS value_unit,
               CAST(NULL AS ARRAY<STRUCT<system:STRING,code:STRING,display:STRING>>) AS value_codes,
               CAST(NULL AS STRING) AS value_text, CAST(d_start AS TIMESTAMP) AS start_time,
               CAST(d_end AS TIMESTAMP) AS end_time, d_start AS event_date, 'completed' AS status,
               claim_id AS encounter_id, enc_class AS encounter_class, rendering_npi AS practitioner_id,
               rendering_npi AS practitioner_npi, org_npi AS organization_id, org_npi AS organization_npi,
               claim_id, claim_line, claim_type, place_of_service_code AS place_of_service,
               bill_type_code AS bill_type, modifiers, CAST(allowed AS DECIMAL(18,2)) AS allowed_amount,
               CAST(paid AS DECIMAL(18,2)) AS paid_amount, rt AS source_resource_type, rid AS source_resource_id,
               component_index, ingest_run_id, bronze_file, bronze_line
        FROM facts
        """.formatted(codeSys, ICD10CM, dx, ICD10PCS, px, NDC, source);
    Dataset<Row> events = org.pophealth.lakehouse.PersonIds.fill(lakehouse, lakehouse.spark().sql(sql), "patient_id");
    return new Result(lakehouse.replaceWhereCounted("silver.event", events, where));
  }
}
