package org.pophealth.views;

import com.fasterxml.jackson.databind.JsonNode;

/** What an expression sees besides its focus: the resource being viewed and the current %rowIndex. */
final class EvalContext {
  final JsonNode resource;
  final String resourceId;
  int rowIndex;

  EvalContext(JsonNode resource) {
    this.resource = resource;
    JsonNode id = resource.get("id");
    this.resourceId = id != null && id.isTextual() ? id.textValue() : null;
  }
}
