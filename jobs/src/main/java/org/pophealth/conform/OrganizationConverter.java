package org.pophealth.conform;

import static org.pophealth.conform.FhirJson.text;

import com.fasterxml.jackson.databind.JsonNode;

/** Organization → silver.organization. */
public final class OrganizationConverter implements ResourceConverter {
  @Override
  public String resourceType() {
    return "Organization";
  }

  @Override
  public String table() {
    return "silver.organization";
  }

  @Override
  public void fill(JsonNode r, RowBuilder b) throws ConformException {
    b.set("active", FhirJson.bool(r, "active", "Organization.active"));
    b.set("name", text(r, "name"));
    b.set("npi", FhirJson.identifierWithSystem(r, PractitionerConverter.NPI));
    b.set("identifiers", FhirJson.identifiers(r));
    b.set("type_codes", FhirJson.codingsOfAll(r.get("type")));
    b.set("phone", PatientConverter.telecom(r, "phone"));
    JsonNode address = FhirJson.first(r, "address");
    b.set("city", address == null ? null : text(address, "city"));
    b.set("state", address == null ? null : text(address, "state"));
    b.set("postal_code", address == null ? null : text(address, "postalCode"));
    b.set("part_of_id", FhirJson.refId(r.get("partOf")));
  }
}
