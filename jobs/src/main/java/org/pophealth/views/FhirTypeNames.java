package org.pophealth.views;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The fixed set of FHIR R4 data type names that may end a choice element's JSON key ({@code valueQuantity}),
 * and the groups of primitive types by how JSON holds them.
 */
final class FhirTypeNames {
  private FhirTypeNames() {}

  static final Set<String> STRING_LIKE = Set.of("string", "code", "id", "uri", "url", "canonical", "markdown",
      "oid", "uuid", "base64Binary", "date", "dateTime", "instant", "time", "xhtml");
  static final Set<String> INTEGER_LIKE = Set.of("integer", "positiveInt", "unsignedInt", "integer64");
  private static final String[] TYPES = {
    "base64Binary", "boolean", "canonical", "code", "date", "dateTime", "decimal", "id", "instant", "integer",
    "integer64", "markdown", "oid", "positiveInt", "string", "time", "unsignedInt", "uri", "url", "uuid",
    "Address", "Age", "Annotation", "Attachment", "CodeableConcept", "CodeableReference", "Coding",
    "ContactPoint", "Count", "Distance", "Duration", "HumanName", "Identifier", "Money", "Period", "Quantity",
    "Range", "Ratio", "RatioRange", "Reference", "SampledData", "Signature", "Timing", "ContactDetail",
    "Contributor", "DataRequirement", "Expression", "ParameterDefinition", "RelatedArtifact", "TriggerDefinition",
    "UsageContext", "Dosage", "Meta", "Extension", "Narrative", "Element", "BackboneElement", "MoneyQuantity",
    "SimpleQuantity"
  };

  private static final Map<String, String> BY_SUFFIX = new HashMap<>();

  static {
    for (String t : TYPES) {
      BY_SUFFIX.put(Character.toUpperCase(t.charAt(0)) + t.substring(1), t);
    }
  }

  /**
   * The FHIR type of JSON key {@code key} when it is choice element {@code name} of that type
   * ({@code valueQuantity} → Quantity), else null: {@code countMax} is not {@code count} of a type.
   */
  static String choiceType(String key, String name) {
    int n = name.length();
    if (key.length() <= n || !key.startsWith(name) || !Character.isUpperCase(key.charAt(n))) {
      return null;
    }
    return BY_SUFFIX.get(key.substring(n));
  }

  static boolean isPrimitive(String type) {
    return STRING_LIKE.contains(type) || INTEGER_LIKE.contains(type) || type.equals("boolean")
        || type.equals("decimal");
  }

  /** Whether a primitive Java value could be of FHIR type {@code type} when the type itself is unknown. */
  static boolean valueFits(Object value, String type) {
    if (value instanceof String) {
      return STRING_LIKE.contains(type);
    }
    if (value instanceof Boolean) {
      return type.equals("boolean");
    }
    if (value instanceof Long) {
      return INTEGER_LIKE.contains(type) || type.equals("decimal");
    }
    if (value instanceof java.math.BigDecimal) {
      return type.equals("decimal");
    }
    return false;
  }
}
