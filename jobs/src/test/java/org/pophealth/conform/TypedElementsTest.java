package org.pophealth.conform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.ContractRegistry;

/**
 * One rule for every typed element the converters read: the wrong JSON type (or an unparseable date) is a
 * ConformException naming the element's path and never its value, not a silently null column.
 */
class TypedElementsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OBS =
      "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"subject\":{\"reference\":\"Patient/p1\"},";

  private static Row convert(ResourceConverter c, String json) throws Exception {
    RowBuilder b = new RowBuilder(ContractRegistry.get().contract(c.table()));
    b.set("source", "t").set("id", "x");
    c.fill(JSON.readTree(json), b);
    // the lineage columns ParseChunk sets
    b.set("extension_urls", java.util.List.of()).set("contained_types", java.util.List.of())
        .set("content_hash", "h").set("export_time", new java.sql.Timestamp(0)).set("ingest_run_id", "r")
        .set("bronze_file", "f").set("bronze_line", 1L);
    Row r = b.build();
    Object[] values = new Object[r.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = r.get(i);
    }
    return new GenericRowWithSchema(values, ContractRegistry.get().contract(c.table()).schema());
  }

  private static ConformException rejected(ResourceConverter c, String json) {
    return assertThrows(ConformException.class, () -> convert(c, json), json);
  }

  @Test
  void observationValuesAreReadByTheirType() throws Exception {
    Row ok = convert(new ObservationConverter(), OBS + "\"valueQuantity\":{\"value\":101.5,\"unit\":\"mg/dL\"}}");
    assertEquals(101.5, ok.getDouble(ok.fieldIndex("value_num")));
    assertEquals("Quantity", ok.getString(ok.fieldIndex("value_type")));

    ConformException e = rejected(new ObservationConverter(), OBS + "\"valueQuantity\":{\"value\":\"101\"}}");
    assertEquals("bad-value", e.reasonCode());
    assertEquals("Observation.valueQuantity.value is not a number", e.getMessage());

    assertEquals("Observation.valueInteger is not an integer",
        rejected(new ObservationConverter(), OBS + "\"valueInteger\":3.5}").getMessage());
    assertEquals("Observation.valueBoolean is not a boolean",
        rejected(new ObservationConverter(), OBS + "\"valueBoolean\":\"yes\"}").getMessage());
    assertEquals("Observation.valueQuantity is not an object",
        rejected(new ObservationConverter(), OBS + "\"valueQuantity\":7}").getMessage());
    assertEquals("Observation.valueString is not a string",
        rejected(new ObservationConverter(), OBS + "\"valueString\":{\"a\":1}}").getMessage());
    assertEquals("bad-date", rejected(new ObservationConverter(), OBS + "\"valueTime\":\"25:00\"}").reasonCode());
    assertEquals("Observation.component[1].valueQuantity.value is not a number",
        rejected(new ObservationConverter(), OBS + "\"component\":[{\"valueQuantity\":{\"value\":120}},"
            + "{\"valueQuantity\":{\"value\":\"80\"}}]}").getMessage());
  }

  @Test
  void datesMustBeStrings() {
    ConformException e = rejected(new PatientConverter(), "{\"birthDate\":19700101}");
    assertEquals("bad-date", e.reasonCode());
    assertEquals("unparseable date/time in Patient.birthDate", e.getMessage());
    assertEquals("bad-date", rejected(new ObservationConverter(),
        OBS + "\"effectiveDateTime\":[\"2025-01-01\"]}").reasonCode());
    assertEquals("Encounter.period is not an object", rejected(new EncounterConverter(),
        "{\"subject\":{\"reference\":\"Patient/p1\"},\"period\":\"2025-01-01\"}").getMessage());
    assertEquals("Observation.effectivePeriod is not an object", rejected(new ObservationConverter(),
        OBS + "\"effectivePeriod\":\"2025\"}").getMessage());
  }

  @Test
  void booleansMustBeBooleans() throws Exception {
    assertEquals("Patient.active is not a boolean",
        rejected(new PatientConverter(), "{\"active\":\"true\"}").getMessage());
    assertEquals("Patient.deceasedBoolean is not a boolean",
        rejected(new PatientConverter(), "{\"deceasedBoolean\":1}").getMessage());
    assertEquals("Immunization.primarySource is not a boolean", rejected(new ImmunizationConverter(),
        "{\"patient\":{\"reference\":\"Patient/p1\"},\"primarySource\":\"no\"}").getMessage());
    Row p = convert(new PatientConverter(), "{\"active\":true,\"deceasedBoolean\":false}");
    assertTrue(p.getBoolean(p.fieldIndex("active")));
    assertFalse(p.getBoolean(p.fieldIndex("deceased")));
  }

  @Test
  void jsonNullIsAbsent() throws Exception {
    Row r = convert(new ObservationConverter(), OBS + "\"valueQuantity\":{\"value\":null},\"issued\":null}");
    assertTrue(r.isNullAt(r.fieldIndex("value_num")));
    assertTrue(r.isNullAt(r.fieldIndex("issued")));
  }

  @Test
  void resourceTypesAreThoseOfR4() {
    assertTrue(FhirJson.isResourceType("Patient"));
    assertTrue(FhirJson.isResourceType("ExplanationOfBenefit"));
    assertFalse(FhirJson.isResourceType("Patinet"));
    assertFalse(FhirJson.isResourceType("Foo"));
    assertFalse(FhirJson.isResourceType(null));
  }

  /** The messages name the element, never the value. */
  @Test
  void messagesCarryNoValue() {
    JsonNode n = JSON.createObjectNode().put("value", "Mueller-secret");
    ConformException e = assertThrows(ConformException.class, () -> FhirJson.number(n, "value", "X.value"));
    assertFalse(e.getMessage().contains("Mueller"));
  }
}
