package org.pophealth.conform;

import static org.pophealth.conform.FhirJson.text;

import com.fasterxml.jackson.databind.JsonNode;

/** Encounter → silver.encounter. */
public final class EncounterConverter implements ResourceConverter {
  @Override
  public String resourceType() {
    return "Encounter";
  }

  @Override
  public String table() {
    return "silver.encounter";
  }

  @Override
  public void fill(JsonNode r, RowBuilder b) throws ConformException {
    b.set("patient_id", ResourceConverter.requiredPatient(r, "subject", "Encounter"));
    b.set("status", text(r, "status"));
    JsonNode cls = r.get("class");
    b.set("class_code", cls == null ? null : (cls.isArray() ? FhirJson.firstCode(cls.get(0)) : text(cls, "code")));
    b.set("type_codes", FhirJson.codingsOfAll(r.get("type")));
    b.set("service_type_codes", FhirJson.codingsOfAll(r.get("serviceType")));
    JsonNode period = FhirJson.object(r, "period", "Encounter.period");
    b.set("start_time", period == null ? null : FhirJson.dateTime(period, "start", "Encounter.period.start"));
    b.set("end_time", period == null ? null : FhirJson.dateTime(period, "end", "Encounter.period.end"));
    b.set("reason_codes", FhirJson.codingsOfAll(r.get("reasonCode")));
    b.set("practitioner_ids", FhirJson.refIds(r.get("participant"), "individual"));
    b.set("organization_id", FhirJson.refId(r.get("serviceProvider")));
    b.set("location_ids", FhirJson.refIds(r.get("location"), "location"));
    b.set("contained_npis", FhirJson.containedNpis(r));
    JsonNode hosp = r.get("hospitalization");
    b.set("discharge_disposition_code", hosp == null ? null : FhirJson.firstCode(hosp.get("dischargeDisposition")));
  }
}
