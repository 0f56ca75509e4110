package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cqframework.cql.elm.serializing.ElmJsonLibraryReader;
import org.hl7.cql.model.IntervalType;
import org.hl7.cql.model.ListType;
import org.hl7.elm.r1.IntervalTypeSpecifier;
import org.hl7.elm.r1.Library;
import org.hl7.elm.r1.ListTypeSpecifier;
import org.hl7.elm.r1.NamedTypeSpecifier;
import org.junit.jupiter.api.Test;

/** Union result types restored on ELM read from JSON (no SparkSession; the CMS136 check in the conformance tier). */
class ElmResultTypesTest {
  @Test
  void theTypeIsTheOneTheElmStates() {
    assertInstanceOf(ListType.class, ElmResultTypes.stated(new ListTypeSpecifier(), List.of()));
    assertInstanceOf(IntervalType.class, ElmResultTypes.stated(new IntervalTypeSpecifier(), List.of()));
    assertInstanceOf(ListType.class, ElmResultTypes.stated(null, List.of(new ListTypeSpecifier(), new ListTypeSpecifier())));
    assertNull(ElmResultTypes.stated(null, List.of(new ListTypeSpecifier(), new NamedTypeSpecifier())),
        "mixed operand types: nothing stated, nothing guessed");
    assertNull(ElmResultTypes.stated(null, List.of()));
  }

  @Test
  void elmThatStatesNoTypesIsLeftAsItIs() {
    // the 2024 package's ELM was translated without result types or signatures: nothing to restore, nothing
    // guessed (its 473 official cases pass as they are)
    MeasurePackage pkg = LoadMeasurePackage.cached("qicore-2024");
    Library lib = new ElmJsonLibraryReader().read(pkg.elmByLibrary().get("BreastCancerScreeningFHIR"));
    assertEquals(0, ElmResultTypes.restore(lib));
  }

  @Test
  @org.junit.jupiter.api.Tag("conformance") // reads the official 2025 edition beside the repository
  void unionsThatStateNoResultTypeGetTheirOperandsType() throws Exception {
    // next year's CMS136: some unions of two retrieves carry their operands' signature but no result type
    // (the engine then failed on "Union(<unknown>; <unknown>)" for every case); counted here in the JSON itself
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.JsonNode fhirLibrary = json.readTree(MeasureConformance2025Test.reference()
        .resolve("library/CMS136FHIRChildADHDMedFollowUp.json").toFile());
    String elm = null;
    for (com.fasterxml.jackson.databind.JsonNode c : fhirLibrary.path("content")) {
      if (c.path("contentType").asText().equals("application/elm+json")) {
        elm = new String(java.util.Base64.getDecoder().decode(c.path("data").asText()),
            java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    List<com.fasterxml.jackson.databind.JsonNode> unions = json.readTree(elm).findParents("type").stream()
        .filter(n -> n.path("type").asText().equals("Union")).toList();
    long untyped = unions.stream().filter(n -> !n.has("resultTypeSpecifier")).count();
    long stating = unions.stream().filter(n -> n.path("resultTypeSpecifier").path("type").asText().equals("ListTypeSpecifier")
        || (n.path("signature").size() > 0 && java.util.stream.StreamSupport.stream(n.path("signature").spliterator(), false)
            .allMatch(t -> t.path("type").asText().equals("ListTypeSpecifier")))).count();
    assertTrue(untyped > 0, "CMS136 has unions without a result type");
    assertEquals(unions.size(), stating, "every union of CMS136 states a list type, by result or by signature");
    Library lib = new ElmJsonLibraryReader().read(elm);
    assertEquals(stating, ElmResultTypes.restore(lib), "each gets the type the ELM states");
    assertEquals(0, ElmResultTypes.restore(lib), "a second pass finds every type in place");
  }
}
