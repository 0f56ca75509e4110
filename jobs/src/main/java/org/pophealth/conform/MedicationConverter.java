package org.pophealth.conform;

import com.fasterxml.jackson.databind.JsonNode;

/** Medication → silver.medication. */
public final class MedicationConverter implements ResourceConverter {
  @Override
  public String resourceType() {
    return "Medication";
  }

  @Override
  public String table() {
    return "silver.medication";
  }

  @Override
  public void fill(JsonNode r, RowBuilder b) {
    b.set("codes", FhirJson.codings(r.get("code")));
    b.set("status", FhirJson.text(r, "status"));
  }
}
