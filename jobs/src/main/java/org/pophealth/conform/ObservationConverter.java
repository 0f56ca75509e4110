package org.pophealth.conform;

import static org.pophealth.conform.FhirJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** Observation → silver.observation (value[x] spread over typed columns, components kept in order). */
public final class ObservationConverter implements ResourceConverter {
  private static final String[] VALUE_TYPES = {
    "Quantity", "CodeableConcept", "String", "Boolean", "Integer", "Range", "Ratio", "SampledData",
    "Time", "DateTime", "Period"
  };

  @Override
  public String resourceType() {
    return "Observation";
  }

  @Override
  public String table() {
    return "silver.observation";
  }

  @Override
  public void fill(JsonNode r, RowBuilder b) throws ConformException {
    b.set("patient_id", ResourceConverter.requiredPatient(r, "subject", "Observation"));
    b.set("status", text(r, "status"));
    b.set("category_codes", FhirJson.codesOfAll(r.get("category")));
    b.set("codes", FhirJson.codings(r.get("code")));
    b.set("effective_start", FhirJson.choiceStart(r, "effective", "Observation"));
    b.set("effective_end", FhirJson.choiceEnd(r, "effective", "Observation"));
    b.set("issued", FhirJson.dateTime(r, "issued", "Observation.issued"));
    Value v = value(r, "Observation");
    b.set("value_type", v.type);
    b.set("value_num", v.num);
    b.set("value_unit", v.unit);
    b.set("value_codes", v.codes);
    b.set("value_text", v.text);
    b.set("interpretation_codes", FhirJson.codesOfAll(r.get("interpretation")));
    List<Row> components = new ArrayList<>();
    JsonNode comps = r.get("component");
    if (comps != null && comps.isArray()) {
      int i = 0;
      for (JsonNode c : comps) {
        Value cv = value(c, "Observation.component[" + i++ + "]");
        components.add(RowFactory.create(FhirJson.codings(c.get("code")), cv.num, cv.unit, cv.codes, cv.text));
      }
    }
    b.set("components", components);
    b.set("encounter_id", FhirJson.refId(r.get("encounter")));
    b.set("performer_ids", FhirJson.refIds(r.get("performer"), null));
    b.set("contained_npis", FhirJson.containedNpis(r));
  }

  /**
   * value[x] of an Observation or a component, each choice read by its FHIR type ({@link FhirJson}'s rule):
   * a Quantity's value must be a JSON number, valueInteger an integer, valueBoolean a boolean, valueString a
   * string, valueDateTime and valueTime parseable strings, the complex choices objects; otherwise the
   * resource is quarantined naming the element ({@code bad-value} / {@code bad-date}).
   */
  private static Value value(JsonNode n, String path) throws ConformException {
    Value v = new Value();
    for (String t : VALUE_TYPES) {
      JsonNode x = n.get("value" + t);
      if (x == null || x.isNull()) {
        continue;
      }
      String element = path + ".value" + t;
      v.type = t.equals("String") || t.equals("Boolean") || t.equals("Integer") || t.equals("Time")
          ? t.toLowerCase() : (t.equals("DateTime") ? "dateTime" : t);
      switch (t) {
        case "Quantity" -> {
          JsonNode q = FhirJson.object(n, "valueQuantity", element);
          v.num = FhirJson.number(q, "value", element + ".value");
          String code = text(q, "code");
          v.unit = code != null ? code : text(q, "unit");
        }
        case "Integer" -> v.num = FhirJson.integer(n, "valueInteger", element);
        case "CodeableConcept" -> v.codes = FhirJson.codings(FhirJson.object(n, "valueCodeableConcept", element));
        case "DateTime" -> {
          FhirJson.dateTime(n, "valueDateTime", element);
          v.text = x.textValue();
        }
        case "Boolean" -> v.text = FhirJson.bool(n, "valueBoolean", element).toString();
        case "String" -> v.text = FhirJson.string(n, "valueString", element);
        case "Time" -> v.text = FhirJson.time(n, "valueTime", element);
        default -> v.text = FhirJson.object(n, "value" + t, element).toString();
      }
      break;
    }
    if (v.codes == null) {
      v.codes = List.of();
    }
    return v;
  }

  private static final class Value {
    String type;
    Double num;
    String unit;
    List<Row> codes;
    String text;
  }
}
