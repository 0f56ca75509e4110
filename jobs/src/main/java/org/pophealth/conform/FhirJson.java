package org.pophealth.conform;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.hl7.fhir.r4.model.ResourceType;

/**
 * Small, allocation-light readers for FHIR R4 JSON elements (Jackson trees).
 *
 * <p>One rule for typed elements: a number, integer, boolean, date/dateTime/instant/time, string value or
 * complex element (an object) that is present with the wrong JSON type, or a date that does not parse, is a
 * {@link ConformException} naming the element's path (never its value): {@code bad-date} for the date and
 * time types, {@code bad-value} for the others. The resource is then quarantined instead of loaded with the
 * element silently null. JSON {@code null} counts as absent.
 */
public final class FhirJson {
  private static final Set<String> RESOURCE_TYPES =
      Stream.of(ResourceType.values()).map(Enum::name).collect(Collectors.toUnmodifiableSet());
  private static final Pattern TIME = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d:([0-5]\\d|60)(\\.\\d{1,9})?");
  private static final Pattern YEAR = Pattern.compile("\\d{4}");
  private static final Pattern YEAR_MONTH = Pattern.compile("\\d{4}-\\d{2}");
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

  private FhirJson() {}

  public static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
  }

  /** A boolean element; absent → null, anything but a JSON boolean → {@code bad-value}. */
  public static Boolean bool(JsonNode n, String field, String path) throws ConformException {
    JsonNode v = present(n, field);
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      throw badValue(path, "a boolean");
    }
    return v.booleanValue();
  }

  /** A decimal element; absent → null, anything but a JSON number → {@code bad-value}. */
  public static Double number(JsonNode n, String field, String path) throws ConformException {
    JsonNode v = present(n, field);
    if (v == null) {
      return null;
    }
    if (!v.isNumber()) {
      throw badValue(path, "a number");
    }
    return v.doubleValue();
  }

  /** An integer element; absent → null, anything but a JSON integer (no fraction) → {@code bad-value}. */
  public static Double integer(JsonNode n, String field, String path) throws ConformException {
    JsonNode v = present(n, field);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber()) {
      throw badValue(path, "an integer");
    }
    return v.doubleValue();
  }

  /** A string-typed primitive read as text; absent → null, a number, boolean, object or array → {@code bad-value}. */
  public static String string(JsonNode n, String field, String path) throws ConformException {
    JsonNode v = present(n, field);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw badValue(path, "a string");
    }
    return v.textValue();
  }

  /** A complex element (Period, Quantity, meta, ...); absent → null, not a JSON object → {@code bad-value}. */
  public static JsonNode object(JsonNode n, String field, String path) throws ConformException {
    JsonNode v = present(n, field);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      throw badValue(path, "an object");
    }
    return v;
  }

  /** A FHIR time ({@code hh:mm:ss[.fff]}); absent → null, anything else → {@code bad-date}. */
  public static String time(JsonNode n, String field, String path) throws ConformException {
    String s = dateText(n, field, path);
    if (s != null && !TIME.matcher(s).matches()) {
      throw new ConformException("bad-date", "unparseable time in " + path);
    }
    return s;
  }

  /** True for a resourceType of FHIR R4 (Patient, Claim, Basic, ...), false for anything else. */
  public static boolean isResourceType(String type) {
    return type != null && RESOURCE_TYPES.contains(type);
  }

  public static boolean isValidId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** The element, or null when absent or JSON null. */
  private static JsonNode present(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() ? null : v;
  }

  private static ConformException badValue(String path, String what) {
    return new ConformException("bad-value", path + " is not " + what);
  }

  /** A date/time element's text: absent → null, anything but a JSON string → {@code bad-date}. */
  private static String dateText(JsonNode n, String field, String path) throws ConformException {
    JsonNode v = present(n, field);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw new ConformException("bad-date", "unparseable date/time in " + path);
    }
    return v.textValue();
  }

  /** All codings of one CodeableConcept, as (system, code, display) rows. */
  public static List<Row> codings(JsonNode codeableConcept) {
    List<Row> out = new ArrayList<>();
    addCodings(codeableConcept, out);
    return out;
  }

  /** All codings of an array of CodeableConcepts (or of a single one). */
  public static List<Row> codingsOfAll(JsonNode concepts) {
    List<Row> out = new ArrayList<>();
    if (concepts == null) {
      return out;
    }
    if (concepts.isArray()) {
      for (JsonNode c : concepts) {
        addCodings(c, out);
      }
    } else {
      addCodings(concepts, out);
    }
    return out;
  }

  private static void addCodings(JsonNode cc, List<Row> out) {
    if (cc == null) {
      return;
    }
    JsonNode codings = cc.get("coding");
    if (codings == null || !codings.isArray()) {
      return;
    }
    for (JsonNode c : codings) {
      out.add(RowFactory.create(text(c, "system"), text(c, "code"), text(c, "display")));
    }
  }

  /** The codes of every coding of an array of CodeableConcepts (categories). */
  public static List<String> codesOfAll(JsonNode concepts) {
    List<String> out = new ArrayList<>();
    for (Row r : codingsOfAll(concepts)) {
      if (r.getString(1) != null) {
        out.add(r.getString(1));
      }
    }
    return out;
  }

  /** The code of a CodeableConcept's first coding with this system, or null. */
  public static String codeWithSystem(JsonNode concept, String system) {
    for (Row c : codings(concept)) {
      if (system.equals(c.getString(0))) {
        return c.getString(1);
      }
    }
    return null;
  }

  /** The first code of a CodeableConcept (or of a Coding), or null. */
  public static String firstCode(JsonNode concept) {
    if (concept == null) {
      return null;
    }
    if (concept.has("code") && !concept.has("coding")) {
      return text(concept, "code");
    }
    List<Row> c = codings(concept);
    return c.isEmpty() ? null : c.get(0).getString(1);
  }

  /**
   * The id part of a Reference: {@code Patient/123}, {@code urn:uuid:123},
   * {@code http://host/fhir/Patient/123/_history/2} and {@code Patient?identifier=...} (kept whole).
   */
  public static String refId(JsonNode reference) {
    if (reference == null) {
      return null;
    }
    String ref = text(reference, "reference");
    if (ref == null) {
      return null;
    }
    return idOfReference(ref);
  }

  public static String idOfReference(String ref) {
    if (ref.startsWith("urn:uuid:")) {
      return ref.substring(9);
    }
    if (ref.startsWith("urn:oid:")) {
      return ref.substring(8);
    }
    if (ref.startsWith("#")) {
      return ref;
    }
    int q = ref.indexOf("?identifier=");
    if (q >= 0) {
      // conditional reference Type?identifier=system|value: the identifier value stands for the target
      // (Synthea: Organization/Location ids, Practitioner NPIs); events resolve it against ids and NPIs
      String ident = ref.substring(q + "?identifier=".length());
      int bar = ident.lastIndexOf('|');
      return bar >= 0 ? ident.substring(bar + 1) : ident;
    }
    if (ref.indexOf('?') >= 0) {
      return ref;
    }
    int hist = ref.indexOf("/_history/");
    String r = hist >= 0 ? ref.substring(0, hist) : ref;
    int slash = r.lastIndexOf('/');
    return slash >= 0 ? r.substring(slash + 1) : r;
  }

  /** Ids of a list of References (or of {@code field.actor}-style nested references via {@code inner}). */
  public static List<String> refIds(JsonNode array, String inner) {
    List<String> out = new ArrayList<>();
    if (array == null || !array.isArray()) {
      return out;
    }
    for (JsonNode e : array) {
      String id = refId(inner == null ? e : e.get(inner));
      if (id != null) {
        out.add(id);
      }
    }
    return out;
  }

  /** Parses a FHIR date, dateTime or instant to the UTC instant at its start; null when absent. */
  public static Timestamp dateTime(JsonNode n, String field, String path) throws ConformException {
    String s = dateText(n, field, path);
    if (s == null) {
      return null;
    }
    Instant i = parseInstant(s);
    if (i == null) {
      throw new ConformException("bad-date", "unparseable date/time in " + path);
    }
    return Timestamp.from(i);
  }

  /** Parses a FHIR date/dateTime/instant string; {@code path} names the element in the error. */
  public static Timestamp timestamp(String s, String path) throws ConformException {
    Instant i = parseInstant(s);
    if (i == null) {
      throw new ConformException("bad-date", "unparseable date/time in " + path);
    }
    return Timestamp.from(i);
  }

  /** Parses a FHIR date (partial dates take their first day). */
  public static Date date(JsonNode n, String field, String path) throws ConformException {
    String s = dateText(n, field, path);
    if (s == null) {
      return null;
    }
    Instant i = parseInstant(s);
    if (i == null) {
      throw new ConformException("bad-date", "unparseable date in " + path);
    }
    return Date.valueOf(LocalDate.ofInstant(i, ZoneOffset.UTC));
  }

  /** Start instant of a FHIR date/dateTime/instant string, or null when it is not one. */
  public static Instant parseInstant(String s) {
    try {
      if (s.length() == 4 && YEAR.matcher(s).matches()) {
        return LocalDate.of(Integer.parseInt(s), 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      if (s.length() == 7 && YEAR_MONTH.matcher(s).matches()) {
        return LocalDate.parse(s + "-01").atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      if (s.length() == 10 && DATE.matcher(s).matches()) {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      if (s.length() > 10 && s.charAt(10) == 'T') {
        char last = s.charAt(s.length() - 1);
        boolean zoned = last == 'Z' || s.lastIndexOf('+') > 10 || s.lastIndexOf('-') > 10;
        if (zoned) {
          return OffsetDateTime.parse(s).toInstant();
        }
        return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
      }
    } catch (DateTimeParseException | NumberFormatException e) {
      return null;
    }
    return null;
  }

  /** Start of a period-or-dateTime choice: {@code <prefix>DateTime}, {@code <prefix>Period.start}, {@code <prefix>Instant}. */
  public static Timestamp choiceStart(JsonNode r, String prefix, String type) throws ConformException {
    Timestamp t = dateTime(r, prefix + "DateTime", type + "." + prefix + "DateTime");
    if (t != null) {
      return t;
    }
    JsonNode period = object(r, prefix + "Period", type + "." + prefix + "Period");
    if (period != null) {
      return dateTime(period, "start", type + "." + prefix + "Period.start");
    }
    return dateTime(r, prefix + "Instant", type + "." + prefix + "Instant");
  }

  /** End of a period choice ({@code <prefix>Period.end}), or null. */
  public static Timestamp choiceEnd(JsonNode r, String prefix, String type) throws ConformException {
    JsonNode period = object(r, prefix + "Period", type + "." + prefix + "Period");
    return period == null ? null : dateTime(period, "end", type + "." + prefix + "Period.end");
  }

  /** Top-level extension URLs. */
  public static List<String> extensionUrls(JsonNode r) {
    List<String> out = new ArrayList<>();
    for (String field : new String[] {"extension", "modifierExtension"}) {
      JsonNode ext = r.get(field);
      if (ext != null && ext.isArray()) {
        for (JsonNode e : ext) {
          String url = text(e, "url");
          if (url != null) {
            out.add(url);
          }
        }
      }
    }
    return out;
  }

  /** resourceType of each contained resource. */
  public static List<String> containedTypes(JsonNode r) {
    List<String> out = new ArrayList<>();
    JsonNode contained = r.get("contained");
    if (contained != null && contained.isArray()) {
      for (JsonNode c : contained) {
        String t = text(c, "resourceType");
        out.add(t == null ? "unknown" : t);
      }
    }
    return out;
  }

  /**
   * The contained resource a local reference ({@code #med1}) points to, when it is of {@code type} (null: any
   * type); null when the reference is not local or no contained resource has that id.
   */
  public static JsonNode contained(JsonNode r, String localRef, String type) {
    JsonNode contained = r == null ? null : r.get("contained");
    if (localRef == null || !localRef.startsWith("#") || contained == null || !contained.isArray()) {
      return null;
    }
    String id = localRef.substring(1);
    for (JsonNode c : contained) {
      if (c.isObject() && id.equals(text(c, "id")) && (type == null || type.equals(text(c, "resourceType")))) {
        return c;
      }
    }
    return null;
  }

  /**
   * Local reference ({@code #id}) → NPI of each contained Practitioner or Organization that has an NPI
   * identifier; null when there is none (most resources), so rows without contained providers stay unchanged.
   */
  public static java.util.Map<String, String> containedNpis(JsonNode r) {
    JsonNode contained = r.get("contained");
    if (contained == null || !contained.isArray()) {
      return null;
    }
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    for (JsonNode c : contained) {
      String type = text(c, "resourceType");
      String id = text(c, "id");
      String npi = identifierWithSystem(c, PractitionerConverter.NPI);
      if (("Practitioner".equals(type) || "Organization".equals(type)) && id != null && npi != null) {
        out.put("#" + id, npi);
      }
    }
    return out.isEmpty() ? null : out;
  }

  /** The identifier value with the given system, or null. */
  public static String identifierWithSystem(JsonNode r, String system) {
    JsonNode ids = r.get("identifier");
    if (ids == null || !ids.isArray()) {
      return null;
    }
    for (JsonNode id : ids) {
      if (system.equals(text(id, "system"))) {
        return text(id, "value");
      }
    }
    return null;
  }

  /** All identifiers as (system, value, type code). */
  public static List<Row> identifiers(JsonNode r) {
    List<Row> out = new ArrayList<>();
    JsonNode ids = r.get("identifier");
    if (ids == null || !ids.isArray()) {
      return out;
    }
    for (JsonNode id : ids) {
      out.add(RowFactory.create(text(id, "system"), text(id, "value"), firstCode(id.get("type"))));
    }
    return out;
  }

  /** First element of an array field, or null. */
  public static JsonNode first(JsonNode n, String field) {
    JsonNode a = n.get(field);
    if (a == null || !a.isArray() || a.isEmpty()) {
      return null;
    }
    return a.get(0);
  }
}
