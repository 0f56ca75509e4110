package org.pophealth.conform;

import static org.pophealth.conform.FhirJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Coverage → silver.coverage. */
public final class CoverageConverter implements ResourceConverter {
  @Override
  public String resourceType() {
    return "Coverage";
  }

  @Override
  public String table() {
    return "silver.coverage";
  }

  @Override
  public void fill(JsonNode r, RowBuilder b) throws ConformException {
    b.set("patient_id", ResourceConverter.requiredPatient(r, "beneficiary", "Coverage"));
    b.set("status", text(r, "status"));
    b.set("type_codes", FhirJson.codings(r.get("type")));
    b.set("subscriber_id", text(r, "subscriberId"));
    b.set("relationship_code", FhirJson.firstCode(r.get("relationship")));
    JsonNode period = FhirJson.object(r, "period", "Coverage.period");
    b.set("period_start", period == null ? null : FhirJson.dateTime(period, "start", "Coverage.period.start"));
    b.set("period_end", period == null ? null : FhirJson.dateTime(period, "end", "Coverage.period.end"));
    b.set("payor_ids", FhirJson.refIds(r.get("payor"), null));
    List<String> names = new ArrayList<>();
    JsonNode payors = r.get("payor");
    if (payors != null && payors.isArray()) {
      for (JsonNode p : payors) {
        String d = text(p, "display");
        if (d != null) {
          names.add(d);
        }
      }
    }
    b.set("payor_names", names);
    String plan = null;
    JsonNode classes = r.get("class");
    if (classes != null && classes.isArray()) {
      for (JsonNode c : classes) {
        if ("plan".equals(FhirJson.firstCode(c.get("type")))) {
          plan = text(c, "name") != null ? text(c, "name") : text(c, "value");
        }
      }
    }
    b.set("plan_name", plan);
  }
}
