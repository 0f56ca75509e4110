package org.pophealth.conform;

import com.fasterxml.jackson.databind.JsonNode;

/** Procedure → silver.procedure. */
public final class ProcedureConverter implements ResourceConverter {
  @Override
  public String resourceType() {
    return "Procedure";
  }

  @Override
  public String table() {
    return "silver.procedure";
  }

  @Override
  public void fill(JsonNode r, RowBuilder b) throws ConformException {
    b.set("patient_id", ResourceConverter.requiredPatient(r, "subject", "Procedure"));
    b.set("status", FhirJson.text(r, "status"));
    b.set("codes", FhirJson.codings(r.get("code")));
    b.set("performed_start", FhirJson.choiceStart(r, "performed", "Procedure"));
    b.set("performed_end", FhirJson.choiceEnd(r, "performed", "Procedure"));
    b.set("reason_codes", FhirJson.codingsOfAll(r.get("reasonCode")));
    b.set("encounter_id", FhirJson.refId(r.get("encounter")));
    b.set("performer_ids", FhirJson.refIds(r.get("performer"), "actor"));
    b.set("contained_npis", FhirJson.containedNpis(r));
    b.set("location_id", FhirJson.refId(r.get("location")));
  }
}
