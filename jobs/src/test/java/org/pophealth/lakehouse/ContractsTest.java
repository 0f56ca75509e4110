package org.pophealth.lakehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.pophealth.conform.Converters;
import org.pophealth.conform.ResourceConverter;

/** The contracts in schemas/ load, agree with the converters, and docs/TABLES.md is generated from them. */
class ContractsTest {
  @Test
  void everyConverterFeedsASilverContractOfItsType() {
    ContractRegistry r = ContractRegistry.get();
    for (ResourceConverter c : Converters.all()) {
      TableContract t = r.contract(c.table());
      assertEquals(c.resourceType(), t.resourceType(), c.table());
      assertEquals("silver", t.zone());
      assertEquals(java.util.List.of("source", "id"), t.key());
    }
    for (String required : new String[] {"Patient", "Encounter", "Condition", "Observation", "Procedure",
        "MedicationRequest", "Immunization", "DiagnosticReport", "Coverage", "Practitioner", "Organization"}) {
      assertTrue(r.silverFor(required).isPresent(), "silver table for " + required);
    }
  }

  @Test
  void everyContractCreatesItsDeltaTable() {
    Lakehouse lh = org.pophealth.testing.SharedSpark.newLakehouse();
    for (TableContract c : ContractRegistry.get().all()) {
      lh.ensure(c.name());
      assertEquals(c.schema().fieldNames().length, lh.read(c.name()).schema().fieldNames().length, c.name());
      assertEquals(java.util.List.of(c.schema().fieldNames()), java.util.List.of(lh.read(c.name()).schema().fieldNames()));
    }
  }

  @Test
  void tableReferenceInDocsIsUpToDate() throws Exception {
    Path docs = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("TABLES.md");
    String expected = TableReference.markdown(ContractRegistry.get());
    assertTrue(Files.exists(docs), "docs/TABLES.md exists (bin/pophealth schema > docs/TABLES.md)");
    assertEquals(expected, Files.readString(docs), "docs/TABLES.md is stale: run bin/pophealth schema > docs/TABLES.md");
  }
}
