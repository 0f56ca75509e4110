package org.pophealth.views;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.List;

/**
 * One value of a FHIRPath collection: a JSON object (complex element or resource) or a primitive held as
 * String, Boolean, Long or BigDecimal, with its FHIR type when known (choice suffix, literal, constant).
 */
final class Item implements Serializable {
  private static final long serialVersionUID = 1L;
  static final List<Item> EMPTY = List.of();
  static final Item TRUE = new Item(Boolean.TRUE, "boolean");
  static final Item FALSE = new Item(Boolean.FALSE, "boolean");

  final Object value;
  final String type;

  Item(Object value, String type) {
    this.value = value;
    this.type = type;
  }

  static Item of(boolean b) {
    return b ? TRUE : FALSE;
  }

  /** The item for a JSON value, or null for JSON null and arrays (callers flatten arrays). */
  static Item fromJson(JsonNode node, String type) {
    switch (node.getNodeType()) {
      case OBJECT:
        return new Item(node, type);
      case STRING:
        return new Item(node.textValue(), type);
      case BOOLEAN:
        return node.booleanValue() ? (type == null ? TRUE : new Item(Boolean.TRUE, type))
            : (type == null ? FALSE : new Item(Boolean.FALSE, type));
      case NUMBER:
        if (node.isIntegralNumber() && node.canConvertToLong()) {
          return new Item(node.longValue(), type);
        }
        return new Item(node.decimalValue(), type);
      default:
        return null;
    }
  }

  JsonNode object() {
    return value instanceof JsonNode n ? n : null;
  }

  boolean isNumber() {
    return value instanceof Long || value instanceof BigDecimal;
  }

  BigDecimal decimal() {
    return value instanceof Long l ? BigDecimal.valueOf(l) : (BigDecimal) value;
  }

  @Override
  public String toString() {
    return String.valueOf(value);
  }
}
