package org.pophealth.conform;

import com.fasterxml.jackson.databind.JsonNode;

/** Condition → silver.condition. */
public final class ConditionConverter implements ResourceConverter {
  @Override
  public String resourceType() {
    return "Condition";
  }

  @Override
  public String table() {
    return "silver.condition";
  }

  @Override
  public void fill(JsonNode r, RowBuilder b) throws ConformException {
    b.set("patient_id", ResourceConverter.requiredPatient(r, "subject", "Condition"));
    b.set("clinical_status", FhirJson.firstCode(r.get("clinicalStatus")));
    b.set("verification_status", FhirJson.firstCode(r.get("verificationStatus")));
    b.set("category_codes", FhirJson.codesOfAll(r.get("category")));
    b.set("codes", FhirJson.codings(r.get("code")));
    b.set("onset_time", FhirJson.choiceStart(r, "onset", "Condition"));
    java.sql.Timestamp abatement = FhirJson.dateTime(r, "abatementDateTime", "Condition.abatementDateTime");
    b.set("abatement_time", abatement != null ? abatement : FhirJson.choiceEnd(r, "abatement", "Condition"));
    b.set("recorded_date", FhirJson.dateTime(r, "recordedDate", "Condition.recordedDate"));
    b.set("encounter_id", FhirJson.refId(r.get("encounter")));
  }
}
