package org.pophealth.ingest.fhir;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The top-level facts bronze needs (resourceType, id, meta.versionId, meta.lastUpdated), read with a
 * streaming parser that still tokenizes, and so validates, the whole line; no tree is built. Used for
 * resource types that stay in bronze (Claim, ExplanationOfBenefit, DocumentReference, ...), which
 * are often the largest lines of an export.
 */
final class ResourceHeader {
  String resourceType;
  String id;
  String versionId;
  String lastUpdated;

  private ResourceHeader() {}

  /** The header, or null when the line is valid JSON but not an object; throws on malformed JSON. */
  static ResourceHeader read(JsonFactory factory, String line) throws IOException {
    try (JsonParser p = factory.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        skipRest(p);
        return null;
      }
      ResourceHeader h = new ResourceHeader();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "resourceType" -> h.resourceType = value.isScalarValue() ? p.getText() : skip(p);
          case "id" -> h.id = value.isScalarValue() ? p.getText() : skip(p);
          case "meta" -> {
            if (value == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String m = p.currentName();
                JsonToken mv = p.nextToken();
                if ("versionId".equals(m) && mv.isScalarValue()) {
                  h.versionId = p.getText();
                } else if ("lastUpdated".equals(m) && mv.isScalarValue()) {
                  h.lastUpdated = p.getText();
                } else {
                  p.skipChildren();
                }
              }
            } else {
              p.skipChildren();
            }
          }
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw new com.fasterxml.jackson.core.JsonParseException(p, "trailing content after the resource");
      }
      return h;
    }
  }

  private static String skip(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  private static void skipRest(JsonParser p) throws IOException {
    p.skipChildren();
    if (p.nextToken() != null) {
      throw new com.fasterxml.jackson.core.JsonParseException(p, "trailing content");
    }
  }
}
