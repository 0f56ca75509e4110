package org.pophealth.conform;

import static org.pophealth.conform.FhirJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Patient → silver.patient. */
public final class PatientConverter implements ResourceConverter {
  static final String US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/";

  @Override
  public String resourceType() {
    return "Patient";
  }

  @Override
  public String table() {
    return "silver.patient";
  }

  @Override
  public void fill(JsonNode r, RowBuilder b) throws ConformException {
    b.set("active", FhirJson.bool(r, "active", "Patient.active"));
    b.set("gender", text(r, "gender"));
    b.set("birth_date", FhirJson.date(r, "birthDate", "Patient.birthDate"));
    java.sql.Timestamp deceasedAt = FhirJson.dateTime(r, "deceasedDateTime", "Patient.deceasedDateTime");
    b.set("deceased_at", deceasedAt);
    b.set("deceased", deceasedAt != null || Boolean.TRUE.equals(FhirJson.bool(r, "deceasedBoolean", "Patient.deceasedBoolean")));
    JsonNode name = pick(r.get("name"), "use", "official");
    if (name != null) {
      List<String> given = new ArrayList<>();
      JsonNode g = name.get("given");
      if (g != null) {
        g.forEach(x -> given.add(x.asText()));
      }
      b.set("given_names", given);
      b.set("family_name", text(name, "family"));
      JsonNode prefix = name.get("prefix");
      b.set("name_prefix", prefix != null && prefix.isArray() && !prefix.isEmpty() ? prefix.get(0).asText() : null);
    } else {
      b.set("given_names", List.of());
    }
    b.set("identifiers", FhirJson.identifiers(r));
    b.set("mrn", identifierOfType(r, "MR"));
    b.set("ssn", FhirJson.identifierWithSystem(r, "http://hl7.org/fhir/sid/us-ssn"));
    b.set("phone", telecom(r, "phone"));
    b.set("email", telecom(r, "email"));
    JsonNode address = pick(r.get("address"), "use", "home");
    if (address != null) {
      List<String> lines = new ArrayList<>();
      JsonNode l = address.get("line");
      if (l != null) {
        l.forEach(x -> lines.add(x.asText()));
      }
      b.set("address_line", lines.isEmpty() ? null : String.join(", ", lines));
      b.set("city", text(address, "city"));
      b.set("state", text(address, "state"));
      b.set("postal_code", text(address, "postalCode"));
      b.set("country", text(address, "country"));
    }
    b.set("marital_status", FhirJson.firstCode(r.get("maritalStatus")));
    b.set("race_code", ombCategory(r, "us-core-race"));
    b.set("ethnicity_code", ombCategory(r, "us-core-ethnicity"));
    b.set("birth_sex", extensionCode(r, US_CORE + "us-core-birthsex"));
    JsonNode comm = FhirJson.first(r, "communication");
    b.set("language", comm == null ? null : FhirJson.firstCode(comm.get("language")));
    b.set("general_practitioner_ids", FhirJson.refIds(r.get("generalPractitioner"), null));
    b.set("managing_organization_id", FhirJson.refId(r.get("managingOrganization")));
  }

  /** The element whose {@code field} equals {@code value}, else the first, else null. */
  static JsonNode pick(JsonNode array, String field, String value) {
    if (array == null || !array.isArray() || array.isEmpty()) {
      return null;
    }
    for (JsonNode e : array) {
      if (value.equals(text(e, field))) {
        return e;
      }
    }
    return array.get(0);
  }

  static String telecom(JsonNode r, String system) {
    JsonNode t = r.get("telecom");
    if (t == null || !t.isArray()) {
      return null;
    }
    String first = null;
    for (JsonNode c : t) {
      if (system.equals(text(c, "system"))) {
        if ("home".equals(text(c, "use")) || "mobile".equals(text(c, "use"))) {
          return text(c, "value");
        }
        if (first == null) {
          first = text(c, "value");
        }
      }
    }
    return first;
  }

  private static String identifierOfType(JsonNode r, String typeCode) {
    JsonNode ids = r.get("identifier");
    if (ids == null || !ids.isArray()) {
      return null;
    }
    for (JsonNode id : ids) {
      if (typeCode.equals(FhirJson.firstCode(id.get("type")))) {
        return text(id, "value");
      }
    }
    return null;
  }

  private static String ombCategory(JsonNode r, String ext) {
    JsonNode e = extension(r, US_CORE + ext);
    if (e == null) {
      return null;
    }
    JsonNode inner = e.get("extension");
    if (inner != null) {
      for (JsonNode x : inner) {
        if ("ombCategory".equals(text(x, "url")) && x.has("valueCoding")) {
          return text(x.get("valueCoding"), "code");
        }
      }
    }
    return null;
  }

  private static String extensionCode(JsonNode r, String url) {
    JsonNode e = extension(r, url);
    if (e == null) {
      return null;
    }
    if (e.has("valueCode")) {
      return text(e, "valueCode");
    }
    return e.has("valueCoding") ? text(e.get("valueCoding"), "code") : null;
  }

  private static JsonNode extension(JsonNode r, String url) {
    JsonNode ext = r.get("extension");
    if (ext == null || !ext.isArray()) {
      return null;
    }
    for (JsonNode e : ext) {
      if (url.equals(text(e, "url"))) {
        return e;
      }
    }
    return null;
  }
}
