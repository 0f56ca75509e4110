package org.pophealth.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import java.time.LocalDate;
import java.util.List;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.ListResource;
import org.junit.jupiter.api.Test;
import org.pophealth.measures.FhirContexts;

/** The Group and List of a publication parse with HAPI's strict parser and hold the members in rank order. */
class FhirCohortResourcesTest {
  @Test
  void groupAndListParseStrictly() {
    CohortDefinition d = new LoadCohortDefinitions(null).execute().definition("cancer-screening-due");
    FhirCohortResources fhir = new FhirCohortResources(d, "20251231-0a1b2c3d", LocalDate.of(2025, 12, 31));
    List<String> keys = List.of("P2", "ehr:p/7");
    IParser parser = FhirContexts.r4().newJsonParser().setParserErrorHandler(new StrictErrorHandler());
    Group g = parser.parseResource(Group.class, fhir.group(keys));
    assertEquals("cancer-screening-due-20251231-0a1b2c3d", g.getIdElement().getIdPart());
    assertEquals(Group.GroupType.PERSON, g.getType());
    assertEquals(2, g.getQuantity());
    assertEquals("Patient/P2", g.getMember().get(0).getEntity().getReference());
    assertEquals("Patient/ehr-p-7", g.getMember().get(1).getEntity().getReference());
    assertEquals("ehr:p/7", g.getMember().get(1).getEntity().getIdentifier().getValue());
    ListResource l = parser.parseResource(ListResource.class, fhir.list(keys));
    assertEquals(ListResource.ListMode.SNAPSHOT, l.getMode());
    assertEquals("priority", l.getOrderedBy().getCodingFirstRep().getCode());
    assertEquals(List.of("Patient/P2", "Patient/ehr-p-7"),
        l.getEntry().stream().map(e -> e.getItem().getReference()).toList());
  }
}
