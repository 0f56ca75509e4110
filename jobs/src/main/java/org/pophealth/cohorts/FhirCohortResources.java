package org.pophealth.cohorts;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.ListResource;
import org.hl7.fhir.r4.model.Reference;
import org.pophealth.measures.FhirContexts;

/**
 * A publication as FHIR R4 resources: a Group (type person, actual) whose members are the listed
 * persons, and a List (snapshot, ordered by priority) of the same persons in rank order. Patient ids
 * are the person ids (characters FHIR ids do not allow become {@code -}); each reference also carries
 * the person id as an identifier ({@value #PERSON_SYSTEM}). Compact JSON (STACK.md: no pretty printing).
 */
final class FhirCohortResources {
  static final String PERSON_SYSTEM = "urn:pophealth:person-id";
  static final String PUBLICATION_SYSTEM = "urn:pophealth:cohort-publication";

  private final CohortDefinition definition;
  private final String publication;
  private final LocalDate asOf;

  FhirCohortResources(CohortDefinition definition, String publication, LocalDate asOf) {
    this.definition = definition;
    this.publication = publication;
    this.asOf = asOf;
  }

  String group(List<String> personKeys) {
    Group g = new Group();
    g.setId(definition.name() + "-" + publication);
    g.addIdentifier(identifier());
    g.setActive(true);
    g.setType(Group.GroupType.PERSON);
    g.setActual(true);
    g.setName(definition.title());
    g.setCode(new CodeableConcept().setText(definition.name()));
    g.setQuantity(personKeys.size());
    for (String k : personKeys) {
      g.addMember().setEntity(patient(k));
    }
    return FhirContexts.r4().newJsonParser().encodeResourceToString(g) + "\n";
  }

  String list(List<String> personKeys) {
    ListResource l = new ListResource();
    l.setId(definition.name() + "-" + publication);
    l.addIdentifier(identifier());
    l.setStatus(ListResource.ListStatus.CURRENT);
    l.setMode(ListResource.ListMode.SNAPSHOT);
    l.setTitle(definition.title());
    l.setCode(new CodeableConcept().setText(definition.name()));
    l.setDate(Date.from(asOf.atStartOfDay(ZoneOffset.UTC).toInstant()));
    l.setOrderedBy(new CodeableConcept().addCoding(
        new Coding("http://terminology.hl7.org/CodeSystem/list-order", "priority", "Sorted by Priority")));
    for (String k : personKeys) {
      l.addEntry().setItem(patient(k));
    }
    return FhirContexts.r4().newJsonParser().encodeResourceToString(l) + "\n";
  }

  private Identifier identifier() {
    return new Identifier().setSystem(PUBLICATION_SYSTEM).setValue(definition.name() + "/" + publication);
  }

  static Reference patient(String personKey) {
    String id = personKey.replaceAll("[^A-Za-z0-9.-]", "-");
    if (id.length() > 64) {
      id = id.substring(0, 64);
    }
    return new Reference("Patient/" + id).setIdentifier(new Identifier().setSystem(PERSON_SYSTEM).setValue(personKey));
  }
}
