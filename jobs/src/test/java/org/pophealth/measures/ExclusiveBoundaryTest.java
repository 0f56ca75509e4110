package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The ELM of {@code BCG starts 6 months or less after day of start of Staging} is an In at day precision over
 * an interval open at its low end; the package repair states it as the specification's comparisons (CQL
 * Appendix B, In: exclusive comparison for an open boundary), which the engine evaluates at the operator's
 * precision. The official CMS646 case 6e9a1974 (BCG the same day as the staging: not in the numerator) is the
 * end-to-end check in the conformance tier.
 */
class ExclusiveBoundaryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code P in <precision> of Interval<low closed?>L, H<high closed?>} as ELM JSON. */
  private static String in(boolean lowClosed, boolean highClosed, String precision) {
    return "{\"type\": \"In\"" + (precision == null ? "" : ", \"precision\": \"" + precision + "\"")
        + ", \"operand\": [{\"type\": \"ExpressionRef\", \"name\": \"P\"}, {\"type\": \"Interval\", \"lowClosed\": "
        + lowClosed + ", \"highClosed\": " + highClosed + ", \"low\": {\"type\": \"ExpressionRef\", \"name\": \"L\"},"
        + " \"high\": {\"type\": \"ExpressionRef\", \"name\": \"H\"}}]}";
  }

  private static JsonNode repaired(String expression) throws Exception {
    String elm = "{\"name\": \"x\", \"expression\": " + expression + "}";
    JsonNode def = JSON.readTree(elm);
    LoadMeasurePackage.repair(def);
    return def.get("expression");
  }

  @Test
  void openLowBoundaryBecomesAfterAtThePrecision() throws Exception {
    JsonNode e = repaired(in(false, true, "Day"));
    assertEquals(JSON.readTree("""
        {"type": "And", "operand": [
          {"type": "Or", "operand": [
            {"type": "IsNull", "operand": {"type": "ExpressionRef", "name": "L"}},
            {"type": "After", "precision": "Day", "operand": [
              {"type": "ExpressionRef", "name": "P"}, {"type": "ExpressionRef", "name": "L"}]}]},
          {"type": "SameOrBefore", "precision": "Day", "operand": [
            {"type": "ExpressionRef", "name": "P"}, {"type": "ExpressionRef", "name": "H"}]}]}"""), e);
  }

  @Test
  void openHighBoundaryBecomesBefore() throws Exception {
    JsonNode e = repaired(in(true, false, "Day"));
    assertEquals("SameOrAfter", e.path("operand").get(0).path("type").asText());
    assertEquals("Or", e.path("operand").get(1).path("type").asText());
    assertEquals("Before", e.path("operand").get(1).path("operand").get(1).path("type").asText());
  }

  @Test
  void closedIntervalsAndInWithoutPrecisionAreLeftAlone() throws Exception {
    String closed = in(true, true, "Day");
    assertEquals(JSON.readTree(closed), repaired(closed));
    // without a precision the engine's successor step is exact: nothing to repair
    String noPrecision = in(false, true, null);
    assertEquals(JSON.readTree(noPrecision), repaired(noPrecision));
  }
}
