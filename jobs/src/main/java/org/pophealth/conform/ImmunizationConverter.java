package org.pophealth.conform;

import com.fasterxml.jackson.databind.JsonNode;

/** Immunization → silver.immunization. */
public final class ImmunizationConverter implements ResourceConverter {
  @Override
  public String resourceType() {
    return "Immunization";
  }

  @Override
  public String table() {
    return "silver.immunization";
  }

  @Override
  public void fill(JsonNode r, RowBuilder b) throws ConformException {
    b.set("patient_id", ResourceConverter.requiredPatient(r, "patient", "Immunization"));
    b.set("status", FhirJson.text(r, "status"));
    b.set("vaccine_codes", FhirJson.codings(r.get("vaccineCode")));
    b.set("occurrence_time", FhirJson.dateTime(r, "occurrenceDateTime", "Immunization.occurrenceDateTime"));
    b.set("primary_source", FhirJson.bool(r, "primarySource", "Immunization.primarySource"));
    b.set("encounter_id", FhirJson.refId(r.get("encounter")));
    b.set("location_id", FhirJson.refId(r.get("location")));
  }
}
