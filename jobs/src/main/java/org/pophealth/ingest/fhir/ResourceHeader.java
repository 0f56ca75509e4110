package org.pophealth.ingest.fhir;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import org.pophealth.conform.ConformException;

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
  /** meta.tag holds the {@code SUBSETTED} code ({@link #subsettedTag}). */
  boolean subsetted;
  /** Set when meta is not an object ({@code bad-value}) or meta.lastUpdated not a string ({@code bad-date}). */
  private String badCode;
  private String badElement;

  private ResourceHeader() {}

  /**
   * Applies {@link org.pophealth.conform.FhirJson}'s rule for typed elements to what the header read: a
   * {@code meta} that is not an object or a {@code meta.lastUpdated} that is not a string is an error naming
   * the element, as it is for resources converted to silver.
   */
  void check(String type) throws ConformException {
    if (badCode != null) {
      throw new ConformException(badCode, "bad-date".equals(badCode)
          ? "unparseable date/time in " + type + "." + badElement : type + "." + badElement + " is not an object");
    }
  }

  /**
   * The line's top-level {@code resourceType}, read up to that field only (servers write it first, so this is
   * usually one token); null when the line is not a JSON object or has no such string field.
   */
  static String leadingType(JsonFactory factory, String line) {
    try (JsonParser p = factory.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("resourceType".equals(field)) {
          return value == JsonToken.VALUE_STRING ? p.getText() : null;
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

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
                  h.versionId = mv == JsonToken.VALUE_NULL ? null : p.getText();
                } else if ("lastUpdated".equals(m) && mv == JsonToken.VALUE_STRING) {
                  h.lastUpdated = p.getText();
                } else if ("lastUpdated".equals(m) && mv != JsonToken.VALUE_NULL) {
                  h.bad("bad-date", "meta.lastUpdated");
                  p.skipChildren();
                } else if ("tag".equals(m) && mv == JsonToken.START_ARRAY) {
                  h.subsetted |= readTags(p);
                } else {
                  p.skipChildren();
                }
              }
            } else if (value != JsonToken.VALUE_NULL) {
              h.bad("bad-value", "meta");
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

  /** The SUBSETTED tag: code {@code SUBSETTED}, system v3-ObservationValue (or none, to be safe). */
  static final String SUBSETTED_SYSTEM = org.pophealth.conform.ParsedLines.SUBSETTED_TAG_SYSTEM;

  /** Whether a meta.tag coding marks an {@code _elements} subset (a missing system counts: never overwrite on doubt). */
  static boolean subsettedTag(String system, String code) {
    return "SUBSETTED".equals(code) && (system == null || SUBSETTED_SYSTEM.equals(system));
  }

  /** Reads a meta.tag array (the parser on its START_ARRAY); true when a coding is the SUBSETTED tag. */
  private static boolean readTags(JsonParser p) throws IOException {
    boolean subsetted = false;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      String system = null;
      String code = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String k = p.currentName();
        JsonToken v = p.nextToken();
        if ("system".equals(k) && v == JsonToken.VALUE_STRING) {
          system = p.getText();
        } else if ("code".equals(k) && v == JsonToken.VALUE_STRING) {
          code = p.getText();
        } else {
          p.skipChildren();
        }
      }
      subsetted |= subsettedTag(system, code);
    }
    return subsetted;
  }

  private void bad(String code, String element) {
    if (badCode == null) {
      badCode = code;
      badElement = element;
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
