package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.parser.IParser;
import java.sql.Date;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.MedicationDispense;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

/** Claims rows built by hand with the Tuva input-layer column names → FHIR evidence, checked field by field. */
class ClaimsToFhirTest {
  private final IParser parser = FhirContexts.r4().newJsonParser();

  @Test
  void professionalMammographyLineBecomesEncounterProcedureAndConditions() {
    StructType s = new StructType().add("claim_id", DataTypes.StringType).add("claim_line_number", DataTypes.IntegerType)
        .add("claim_type", DataTypes.StringType).add("member_id", DataTypes.StringType)
        .add("person_id", DataTypes.StringType).add("claim_start_date", DataTypes.DateType)
        .add("claim_end_date", DataTypes.DateType).add("claim_line_start_date", DataTypes.DateType)
        .add("place_of_service_code", DataTypes.StringType).add("bill_type_code", DataTypes.StringType)
        .add("hcpcs_code", DataTypes.StringType).add("hcpcs_modifier_1", DataTypes.StringType)
        .add("diagnosis_code_1", DataTypes.StringType).add("diagnosis_code_2", DataTypes.StringType)
        .add("procedure_code_1", DataTypes.StringType).add("procedure_date_1", DataTypes.DateType)
        .add("rendering_npi", DataTypes.StringType).add("source", DataTypes.StringType);
    Row row = new GenericRowWithSchema(new Object[] {"C100", 1, "professional", "M7", null,
        Date.valueOf("2025-03-04"), Date.valueOf("2025-03-04"), Date.valueOf("2025-03-05"), "11", null,
        "77067", "26", "Z1231", "E119", "BH00ZZZ", Date.valueOf("2025-03-06"), "1234567893", "payer"}, s);

    List<Resource> rs = parse(new ClaimsToFhir(parser).medicalClaimLine(row));
    assertEquals(5, rs.size(), "encounter, CPT procedure, 2 diagnoses, 1 ICD-10-PCS procedure");
    Encounter enc = (Encounter) rs.get(0);
    assertEquals("AMB", enc.getClass_().getCode());
    assertEquals("77067", enc.getTypeFirstRep().getCodingFirstRep().getCode());
    assertEquals("http://www.ama-assn.org/go/cpt", enc.getTypeFirstRep().getCodingFirstRep().getSystem());
    assertEquals("Patient/M7", enc.getSubject().getReference());
    assertEquals("2025-03-05", enc.getPeriod().getStartElement().getValueAsString().substring(0, 10));
    Procedure mammo = (Procedure) rs.get(1);
    assertEquals("77067", mammo.getCode().getCodingFirstRep().getCode());
    assertEquals(Procedure.ProcedureStatus.COMPLETED, mammo.getStatus());
    assertEquals("2025-03-05", mammo.getPerformedDateTimeType().getValueAsString().substring(0, 10));
    Condition dx2 = (Condition) rs.get(3);
    assertEquals("E11.9", dx2.getCode().getCodingFirstRep().getCode(), "ICD-10-CM gets its dot");
    assertEquals("http://hl7.org/fhir/sid/icd-10-cm", dx2.getCode().getCodingFirstRep().getSystem());
    assertEquals("encounter-diagnosis", dx2.getCategoryFirstRep().getCodingFirstRep().getCode());
    Procedure pcs = (Procedure) rs.get(4);
    assertEquals("BH00ZZZ", pcs.getCode().getCodingFirstRep().getCode());
    assertEquals("2025-03-06", pcs.getPerformedDateTimeType().getValueAsString().substring(0, 10));
    for (Resource r : rs) {
      assertEquals("claims:payer", r.getMeta().getSource(), "provenance on every resource");
      assertTrue(r.getIdElement().getIdPart().startsWith("claim-"));
    }
    assertEquals(rs.get(0).getIdElement().getIdPart(),
        parse(new ClaimsToFhir(parser).medicalClaimLine(row)).get(0).getIdElement().getIdPart(), "deterministic ids");
  }

  @Test
  void inpatientPlaceOfServiceAndMissingColumns() {
    StructType s = new StructType().add("claim_id", DataTypes.StringType).add("member_id", DataTypes.StringType)
        .add("claim_start_date", DataTypes.StringType).add("place_of_service_code", DataTypes.StringType)
        .add("hcpcs_code", DataTypes.StringType).add("source", DataTypes.StringType);
    Row row = new GenericRowWithSchema(new Object[] {"C2", "M1", "2025-06-01", "21", "G0121", "payer"}, s);
    List<Resource> rs = parse(new ClaimsToFhir(parser).medicalClaimLine(row));
    assertEquals(2, rs.size());
    assertEquals("IMP", ((Encounter) rs.get(0)).getClass_().getCode());
    assertEquals("https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        ((Procedure) rs.get(1)).getCode().getCodingFirstRep().getSystem());
  }

  @Test
  void pharmacyClaimBecomesMedicationDispense() {
    StructType s = new StructType().add("claim_id", DataTypes.StringType).add("ndc_code", DataTypes.StringType)
        .add("dispensing_date", DataTypes.DateType).add("days_supply", DataTypes.IntegerType)
        .add("quantity", DataTypes.DoubleType).add("member_id", DataTypes.StringType)
        .add("person_id", DataTypes.StringType).add("source", DataTypes.StringType);
    Row row = new GenericRowWithSchema(new Object[] {"RX9", "00093505698", Date.valueOf("2025-02-10"), 30, 30.0,
        "M7", "P1", "payer"}, s);
    List<Resource> rs = parse(new ClaimsToFhir(parser).pharmacyClaimLine(row));
    MedicationDispense d = (MedicationDispense) rs.get(0);
    assertEquals("00093505698", d.getMedicationCodeableConcept().getCodingFirstRep().getCode());
    assertEquals("http://hl7.org/fhir/sid/ndc", d.getMedicationCodeableConcept().getCodingFirstRep().getSystem());
    assertEquals(30.0, d.getDaysSupply().getValue().doubleValue());
    assertEquals("d", d.getDaysSupply().getCode());
    assertEquals("2025-02-10", d.getWhenHandedOverElement().getValueAsString().substring(0, 10));
    assertEquals("RX9:", d.getIdentifierFirstRep().getValue());
  }

  private List<Resource> parse(List<String> json) {
    return json.stream().map(j -> (Resource) parser.parseResource(j)).toList();
  }
}
