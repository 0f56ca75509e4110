package org.pophealth.conform;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** MedicationRequest → silver.medication_request. */
public final class MedicationRequestConverter implements ResourceConverter {
  @Override
  public String resourceType() {
    return "MedicationRequest";
  }

  @Override
  public String table() {
    return "silver.medication_request";
  }

  @Override
  public void fill(JsonNode r, RowBuilder b) throws ConformException {
    b.set("patient_id", ResourceConverter.requiredPatient(r, "subject", "MedicationRequest"));
    b.set("status", FhirJson.text(r, "status"));
    b.set("intent", FhirJson.text(r, "intent"));
    b.set("do_not_perform", FhirJson.bool(r, "doNotPerform", "MedicationRequest.doNotPerform"));
    JsonNode cc = r.get("medicationCodeableConcept");
    String medicationId = FhirJson.refId(r.get("medicationReference"));
    // a contained Medication (medicationReference "#med1") is part of this resource: its codes are the request's
    JsonNode contained = cc == null ? FhirJson.contained(r, medicationId, "Medication") : null;
    b.set("medication_codes", cc != null ? FhirJson.codings(cc)
        : contained != null ? FhirJson.codings(contained.get("code")) : List.of());
    b.set("medication_id", medicationId);
    b.set("authored_on", FhirJson.dateTime(r, "authoredOn", "MedicationRequest.authoredOn"));
    b.set("requester_id", FhirJson.refId(r.get("requester")));
    b.set("contained_npis", FhirJson.containedNpis(r));
    b.set("encounter_id", FhirJson.refId(r.get("encounter")));
    b.set("reason_codes", FhirJson.codingsOfAll(r.get("reasonCode")));
    JsonNode dosage = FhirJson.first(r, "dosageInstruction");
    b.set("dosage_text", dosage == null ? null : FhirJson.text(dosage, "text"));
  }
}
