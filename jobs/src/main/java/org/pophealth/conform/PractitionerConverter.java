package org.pophealth.conform;

import static org.pophealth.conform.FhirJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Practitioner → silver.practitioner. */
public final class PractitionerConverter implements ResourceConverter {
  static final String NPI = "http://hl7.org/fhir/sid/us-npi";

  @Override
  public String resourceType() {
    return "Practitioner";
  }

  @Override
  public String table() {
    return "silver.practitioner";
  }

  @Override
  public void fill(JsonNode r, RowBuilder b) throws ConformException {
    b.set("active", FhirJson.bool(r, "active", "Practitioner.active"));
    b.set("npi", FhirJson.identifierWithSystem(r, NPI));
    b.set("identifiers", FhirJson.identifiers(r));
    JsonNode name = FhirJson.first(r, "name");
    List<String> given = new ArrayList<>();
    if (name != null && name.has("given")) {
      name.get("given").forEach(x -> given.add(x.asText()));
    }
    b.set("given_names", given);
    b.set("family_name", name == null ? null : text(name, "family"));
    b.set("gender", text(r, "gender"));
    JsonNode address = FhirJson.first(r, "address");
    b.set("city", address == null ? null : text(address, "city"));
    b.set("state", address == null ? null : text(address, "state"));
    List<org.apache.spark.sql.Row> quals = new ArrayList<>();
    JsonNode q = r.get("qualification");
    if (q != null && q.isArray()) {
      for (JsonNode x : q) {
        quals.addAll(FhirJson.codings(x.get("code")));
      }
    }
    b.set("qualification_codes", quals);
  }
}
