package org.pophealth.conform;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;

/**
 * Maps one FHIR resource (a Jackson tree) to the type-specific columns of its silver table. The
 * shared head (source, id, version) and lineage columns are filled by the caller.
 */
public interface ResourceConverter extends Serializable {
  /** FHIR resourceType handled. */
  String resourceType();

  /** Silver table fed, e.g. {@code silver.patient}. */
  String table();

  void fill(JsonNode resource, RowBuilder row) throws ConformException;

  /** The subject's Patient id, required for patient-scoped resources. */
  static String requiredPatient(JsonNode r, String field, String type) throws ConformException {
    String id = FhirJson.refId(r.get(field));
    if (id == null) {
      throw new ConformException("missing-required", type + "." + field + " (the patient) is absent");
    }
    return id;
  }
}
