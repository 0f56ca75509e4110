package org.pophealth.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FHIRPath behaviour the conformance suite does not cover: choices, flattening, escapes, precedence, types. */
class FhirPathTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<Item> eval(String expr, String resourceJson) throws Exception {
    JsonNode r = JSON.readTree(resourceJson);
    return FhirPathParser.parse(expr, Map.of()).eval(List.of(new Item(r, null)), new EvalContext(r));
  }

  private static List<Object> values(String expr, String resourceJson) throws Exception {
    List<Object> out = new ArrayList<>();
    eval(expr, resourceJson).forEach(i -> out.add(i.value));
    return out;
  }

  @Test
  void choiceNavigationMatchesOnlyTypeSuffixes() throws Exception {
    String timing = "{\"resourceType\":\"Timing\",\"repeat\":{\"countMax\":5}}";
    assertEquals(List.of(), values("repeat.count", timing));
    assertEquals(List.of(5L), values("repeat.countMax", timing));
    String obs = "{\"resourceType\":\"Observation\",\"valueQuantity\":{\"value\":3}}";
    List<Item> v = eval("value", obs);
    assertEquals("Quantity", v.get(0).type);
    assertEquals(List.of(3L), values("value.ofType(Quantity).value", obs));
    assertEquals(List.of(), values("value.ofType(string)", obs));
  }

  @Test
  void deepPathsOverArraysFlatten() throws Exception {
    String p = "{\"resourceType\":\"Patient\",\"name\":[{\"given\":[\"a\",\"b\"]},{\"given\":[\"c\"]},{}]}";
    assertEquals(List.of("a", "b", "c"), values("name.given", p));
    assertEquals(List.of(3L), values("name.given.count()", p));
    assertEquals(List.of("a", "b", "c"), values("Patient.name.given", p));
    assertEquals(List.of("c"), values("name[1].given", p));
  }

  @Test
  void stringLiteralEscapes() throws Exception {
    assertEquals(List.of("it's\n\t\\\u00e9"), values("'it\\'s\\n\\t\\\\\\u00e9'", "{}"));
    assertEquals(List.of("ab"), values("'a' & 'b'", "{}"));
    assertEquals(List.of("a"), values("'a' & {}", "{}"));
  }

  @Test
  void precedenceOfLogicAndComparisons() throws Exception {
    assertEquals(List.of(true), values("1 < 2 and 2 < 3 or false", "{}"));
    assertEquals(List.of(true), values("false and false or true", "{}"));
    assertEquals(List.of(false), values("false and (false or true)", "{}"));
    assertEquals(List.of(true), values("1 + 2 * 3 = 7", "{}"));
    assertEquals(List.of(false), values("true or false implies false", "{}"));
    assertEquals(List.of(true), values("1 | 2 | 1 = 1 | 2", "{}"));
    assertEquals(List.of(false), values("(true or false) implies false", "{}"));
    assertEquals(List.of(new BigDecimal("2.5")), values("5 / 2", "{}"));
    assertEquals(List.of(2L), values("5 div 2", "{}"));
    assertEquals(List.of(1L), values("5 mod 2", "{}"));
  }

  @Test
  void referenceKeysAndBoundaries() throws Exception {
    String link = "{\"resourceType\":\"Patient\",\"id\":\"p\",\"link\":["
        + "{\"other\":{\"reference\":\"http://x/fhir/Patient/9/_history/2\"}},"
        + "{\"other\":{\"reference\":\"RelatedPerson/7\"}}]}";
    assertEquals(List.of("9", "7"), values("link.other.getReferenceKey()", link));
    assertEquals(List.of("9"), values("link.other.getReferenceKey(Patient)", link));
    assertEquals(List.of("p"), values("getResourceKey()", link));
    assertEquals(List.of("2020-02-29"), values("@2020-02.highBoundary()", "{}"));
    assertEquals(List.of("2020-01-01T00:00:00.000Z"), values("@2020-01-01T00:00Z.lowBoundary()", "{}"));
    assertEquals(List.of(new BigDecimal("1.235")), values("1.23.highBoundary()", "{}"));
  }

  @Test
  void stringFunctionsAndIif() throws Exception {
    String p = "{\"resourceType\":\"Patient\",\"gender\":\"female\",\"name\":[{\"family\":\"Smith\"}]}";
    assertEquals(List.of(true), values("gender.startsWith('fe') and gender.endsWith('ale')", p));
    assertEquals(List.of("SMITH", 5L, "mit"), values("name.family.upper() | name.family.length() "
        + "| name.family.substring(1, 3)", p));
    assertEquals(List.of("f"), values("iif(gender = 'female', 'f', 'm')", p));
    assertEquals(List.of(), values("iif(gender = 'male', 'm')", p));
    assertEquals(List.of(false), values("name.family.contains('x')", p));
  }

  @Test
  void undefinedConstantFailsAtParseTime() {
    String view = "{\"resource\":\"Patient\",\"select\":[{\"column\":[{\"name\":\"x\",\"path\":\"%nope\"}]}]}";
    ViewDefinitionException e = assertThrows(ViewDefinitionException.class, () -> ViewDefinition.parse(view));
    assertTrue(e.getMessage().contains("select[0].column[0]"), e.getMessage());
    assertTrue(e.getMessage().contains("%nope"), e.getMessage());
  }

  @Test
  void columnTypesAreInferredFromTheModel() {
    ViewDefinition v = ViewDefinition.parse("{\"resource\":\"Patient\",\"select\":[{\"column\":["
        + "{\"name\":\"id\",\"path\":\"getResourceKey()\"},{\"name\":\"family\",\"path\":\"name.family.first()\"},"
        + "{\"name\":\"birth\",\"path\":\"birthDate\"},{\"name\":\"n\",\"path\":\"name.count()\"},"
        + "{\"name\":\"dead\",\"path\":\"deceased.ofType(boolean)\"},{\"name\":\"active\",\"path\":\"active\"}]},"
        + "{\"forEach\":\"contact\",\"column\":[{\"name\":\"gender\",\"path\":\"gender\"}]}]}");
    assertEquals(List.of("string", "string", "date", "integer", "boolean", "boolean", "code"),
        v.columns().stream().map(ViewColumn::type).toList());
  }

  @Test
  void definitionsSurviveJavaSerialization() throws Exception {
    ViewDefinition v = ViewDefinition.parse("{\"resource\":\"Patient\",\"select\":[{\"forEach\":\"name\","
        + "\"column\":[{\"name\":\"family\",\"path\":\"family\"}]}]}");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(v);
    }
    ViewDefinition back;
    try (ObjectInputStream in = new ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      back = (ViewDefinition) in.readObject();
    }
    List<Object[]> rows = back.rows(JSON.readTree(
        "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"A\"},{\"family\":\"B\"}]}"));
    assertEquals(2, rows.size());
    assertEquals("B", rows.get(1)[0]);
  }
}
