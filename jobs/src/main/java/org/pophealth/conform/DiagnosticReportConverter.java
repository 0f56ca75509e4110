package org.pophealth.conform;

import com.fasterxml.jackson.databind.JsonNode;

/** DiagnosticReport → silver.diagnostic_report. */
public final class DiagnosticReportConverter implements ResourceConverter {
  @Override
  public String resourceType() {
    return "DiagnosticReport";
  }

  @Override
  public String table() {
    return "silver.diagnostic_report";
  }

  @Override
  public void fill(JsonNode r, RowBuilder b) throws ConformException {
    b.set("patient_id", ResourceConverter.requiredPatient(r, "subject", "DiagnosticReport"));
    b.set("status", FhirJson.text(r, "status"));
    b.set("category_codes", FhirJson.codesOfAll(r.get("category")));
    b.set("codes", FhirJson.codings(r.get("code")));
    b.set("effective_start", FhirJson.choiceStart(r, "effective", "DiagnosticReport"));
    b.set("effective_end", FhirJson.choiceEnd(r, "effective", "DiagnosticReport"));
    b.set("issued", FhirJson.dateTime(r, "issued", "DiagnosticReport.issued"));
    b.set("encounter_id", FhirJson.refId(r.get("encounter")));
    b.set("performer_ids", FhirJson.refIds(r.get("performer"), null));
    b.set("contained_npis", FhirJson.containedNpis(r));
    b.set("result_ids", FhirJson.refIds(r.get("result"), null));
  }
}
