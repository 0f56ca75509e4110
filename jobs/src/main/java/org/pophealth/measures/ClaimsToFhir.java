package org.pophealth.measures;

import ca.uhn.fhir.parser.IParser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.sql.Row;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.MedicationDispense;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Turns silver claims rows (Tuva input-layer column names) into FHIR evidence the measures read, so a
 * service billed on a claim counts exactly like one documented in the EHR:
 * <ul>
 *   <li>medical claim line → Encounter (type = the line's CPT/HCPCS code, class from place of service),
 *       Procedure for the line's CPT/HCPCS code, Condition per diagnosis code (ICD-10-CM, category
 *       encounter-diagnosis), Procedure per ICD-10-PCS procedure code with its date;</li>
 *   <li>pharmacy claim → MedicationDispense (NDC, dispensing date, days supply, quantity).</li>
 * </ul>
 * Provenance: every resource carries {@code meta.source} {@code claims:<source>} and an identifier
 * {@code urn:pophealth:claim|<claim_id>:<line>}; ids are {@code claim-<hash>} of (source, claim, line,
 * kind, index), so they are deterministic and never collide with EHR ids. Columns absent from the row
 * are treated as null.
 */
public final class ClaimsToFhir {
  static final String CPT = "http://www.ama-assn.org/go/cpt";
  static final String HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
  static final String ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm";
  static final String ICD10PCS = "http://www.cms.gov/Medicare/Coding/ICD10";
  static final String NDC = "http://hl7.org/fhir/sid/ndc";
  static final String CLAIM_ID_SYSTEM = "urn:pophealth:claim";
  private static final String ID_PREFIX = "claim-";

  private final IParser parser;

  public ClaimsToFhir(IParser parser) {
    this.parser = parser;
  }

  /**
   * FHIR resources (JSON) of one silver.eligibility row (an enrollment span): the member as a Patient
   * (gender, birth date, death date; one id per member, so the spans of a member give the same Patient)
   * and the span as a Coverage (payer, payer type, period). A member known only from claims then has
   * the age and sex a measure's initial population needs, and the payer stratum.
   */
  public List<String> eligibilitySpan(Row row) {
    String source = str(row, "source");
    String member = str(row, "member_id");
    if (member == null) {
      return List.of();
    }
    org.hl7.fhir.r4.model.Patient pt = new org.hl7.fhir.r4.model.Patient();
    pt.setId(id(source, member, "patient", 0));
    pt.addIdentifier(new Identifier().setSystem("urn:pophealth:member:" + source).setValue(member));
    String gender = str(row, "gender");
    if (gender != null) {
      switch (gender.toLowerCase(java.util.Locale.ROOT)) {
        case "male", "m" -> pt.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.MALE);
        case "female", "f" -> pt.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
        case "other" -> pt.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.OTHER);
        default -> pt.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.UNKNOWN);
      }
    }
    LocalDate birth = firstDate(row, "birth_date");
    if (birth != null) {
      pt.setBirthDateElement(new org.hl7.fhir.r4.model.DateType(birth.toString()));
    }
    LocalDate death = firstDate(row, "death_date");
    if (death != null) {
      pt.setDeceased(new DateTimeType(death.toString()));
    }
    provenance(pt, source, member);
    LocalDate from = firstDate(row, "enrollment_start_date");
    LocalDate to = firstDate(row, "enrollment_end_date");
    org.hl7.fhir.r4.model.Coverage cov = new org.hl7.fhir.r4.model.Coverage();
    cov.setId(id(source, member + "@" + from, "coverage", 0));
    cov.setStatus(org.hl7.fhir.r4.model.Coverage.CoverageStatus.ACTIVE);
    cov.setBeneficiary(new Reference("Patient/" + pt.getIdPart()));
    cov.setPeriod(period(from, to));
    String payer = str(row, "payer");
    if (payer != null) {
      cov.addPayor(new Reference().setDisplay(payer));
    }
    String type = str(row, "payer_type");
    if (type != null) {
      cov.setType(new CodeableConcept(new Coding("urn:pophealth:payer-type", type, null)));
    }
    provenance(cov, source, member + "@" + from);
    return List.of(parser.encodeResourceToString(pt), parser.encodeResourceToString(cov));
  }

  /** FHIR resources (JSON) of one silver.medical_claim row. */
  public List<String> medicalClaimLine(Row row) {
    String source = str(row, "source");
    String member = str(row, "member_id");
    String claim = str(row, "claim_id");
    String line = str(row, "claim_line_number");
    if (member == null || claim == null) {
      return List.of();
    }
    String key = claim + ":" + (line == null ? "" : line);
    LocalDate start = firstDate(row, "claim_line_start_date", "claim_start_date");
    LocalDate end = firstDate(row, "claim_line_end_date", "claim_end_date");
    if (end == null) {
      end = start;
    }
    Reference subject = new Reference("Patient/" + member);
    List<Resource> out = new ArrayList<>();
    String hcpcs = str(row, "hcpcs_code");
    Coding service = hcpcs == null ? null : new Coding(hcpcsSystem(hcpcs), hcpcs.trim(), null);

    Encounter enc = new Encounter();
    enc.setId(id(source, key, "enc", 0));
    enc.setStatus(Encounter.EncounterStatus.FINISHED);
    enc.setClass_(encounterClass(str(row, "place_of_service_code"), str(row, "bill_type_code")));
    if (service != null) {
      enc.addType(new CodeableConcept(service.copy()));
    }
    enc.setSubject(subject);
    enc.setPeriod(period(start, end));
    out.add(enc);
    Reference encRef = new Reference("Encounter/" + enc.getIdElement().getIdPart());

    if (service != null) {
      Procedure p = procedure(source, key, "cpt", 0, service, start, subject, encRef);
      out.add(p);
    }
    for (int i = 1; i <= 25; i++) {
      String dx = str(row, "diagnosis_code_" + i);
      if (dx == null) {
        continue;
      }
      Condition c = new Condition();
      c.setId(id(source, key, "dx", i));
      c.setSubject(subject);
      c.setEncounter(encRef);
      c.setCode(new CodeableConcept(new Coding(ICD10CM, icd10cm(dx), null)));
      c.addCategory(new CodeableConcept(new Coding(
          "http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", null)));
      c.setClinicalStatus(new CodeableConcept(new Coding(
          "http://terminology.hl7.org/CodeSystem/condition-clinical", "active", null)));
      c.setVerificationStatus(new CodeableConcept(new Coding(
          "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", null)));
      if (start != null) {
        c.setOnset(new DateTimeType(date(start)));
        c.setRecordedDate(date(start));
      }
      out.add(c);
    }
    for (int i = 1; i <= 25; i++) {
      String px = str(row, "procedure_code_" + i);
      if (px == null) {
        continue;
      }
      LocalDate when = firstDate(row, "procedure_date_" + i, "claim_start_date");
      out.add(procedure(source, key, "pcs", i, new Coding(ICD10PCS, px.trim(), null), when, subject, encRef));
    }
    List<String> json = new ArrayList<>(out.size());
    for (Resource r : out) {
      provenance(r, source, key);
      json.add(parser.encodeResourceToString(r));
    }
    return json;
  }

  /** FHIR resources (JSON) of one silver.pharmacy_claim row. */
  public List<String> pharmacyClaimLine(Row row) {
    String source = str(row, "source");
    String member = str(row, "member_id");
    String ndc = str(row, "ndc_code");
    if (member == null || ndc == null) {
      return List.of();
    }
    String claim = str(row, "claim_id");
    String line = str(row, "claim_line_number");
    String key = (claim == null ? ndc + "@" + str(row, "dispensing_date") : claim) + ":" + (line == null ? "" : line);
    MedicationDispense d = new MedicationDispense();
    d.setId(id(source, key, "rx", 0));
    d.setStatus(MedicationDispense.MedicationDispenseStatus.COMPLETED);
    d.setMedication(new CodeableConcept(new Coding(NDC, ndc.trim(), null)));
    d.setSubject(new Reference("Patient/" + member));
    LocalDate when = firstDate(row, "dispensing_date");
    if (when != null) {
      d.setWhenHandedOver(date(when));
    }
    Double days = num(row, "days_supply");
    if (days != null) {
      d.setDaysSupply(new Quantity().setValue(days).setUnit("d").setSystem("http://unitsofmeasure.org").setCode("d"));
    }
    Double qty = num(row, "quantity");
    if (qty != null) {
      d.setQuantity(new Quantity().setValue(qty));
    }
    provenance(d, source, key);
    return List.of(parser.encodeResourceToString(d));
  }

  private Procedure procedure(String source, String key, String kind, int i, Coding code, LocalDate when,
      Reference subject, Reference encounter) {
    Procedure p = new Procedure();
    p.setId(id(source, key, kind, i));
    p.setStatus(Procedure.ProcedureStatus.COMPLETED);
    p.setCode(new CodeableConcept(code));
    p.setSubject(subject);
    p.setEncounter(encounter);
    if (when != null) {
      p.setPerformed(new DateTimeType(date(when)));
    }
    return p;
  }

  private static void provenance(Resource r, String source, String key) {
    r.getMeta().setSource("claims:" + source);
    Identifier id = new Identifier().setSystem(CLAIM_ID_SYSTEM).setValue(key);
    if (r instanceof Encounter e) {
      e.addIdentifier(id);
    } else if (r instanceof Condition c) {
      c.addIdentifier(id);
    } else if (r instanceof Procedure p) {
      p.addIdentifier(id);
    } else if (r instanceof MedicationDispense d) {
      d.addIdentifier(id);
    }
  }

  /** Ambulatory by default; inpatient for inpatient places of service / bill types, emergency for POS 23. */
  static Coding encounterClass(String pos, String billType) {
    String system = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    if ("23".equals(pos)) {
      return new Coding(system, "EMER", "emergency");
    }
    if ("21".equals(pos) || "51".equals(pos) || "61".equals(pos) || (billType != null && billType.startsWith("11"))) {
      return new Coding(system, "IMP", "inpatient encounter");
    }
    if ("12".equals(pos)) {
      return new Coding(system, "HH", "home health");
    }
    return new Coding(system, "AMB", "ambulatory");
  }

  /** CPT codes are five digits (or four digits and a letter, Category II/III); HCPCS Level II start with a letter. */
  static String hcpcsSystem(String code) {
    String c = code.trim();
    return !c.isEmpty() && Character.isDigit(c.charAt(0)) ? CPT : HCPCS;
  }

  /** ICD-10-CM as FHIR writes it: a dot after the third character ({@code E119} → {@code E11.9}). */
  static String icd10cm(String code) {
    String c = code.trim().toUpperCase(java.util.Locale.ROOT);
    return c.length() > 3 && c.indexOf('.') < 0 ? c.substring(0, 3) + "." + c.substring(3) : c;
  }

  /** True for the id of a resource made here from a claims row (never an EHR id). */
  static boolean isDerived(String id) {
    return id != null && id.startsWith(ID_PREFIX);
  }

  static String id(String source, String key, String kind, int i) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] h = md.digest((source + "|" + key + "|" + kind + "|" + i).getBytes(StandardCharsets.UTF_8));
      return ID_PREFIX + HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Period period(LocalDate start, LocalDate end) {
    Period p = new Period();
    if (start != null) {
      p.setStartElement(new DateTimeType(date(start)));
    }
    if (end != null) {
      p.setEndElement(new DateTimeType(date(end)));
    }
    return p;
  }

  private static Date date(LocalDate d) {
    return Date.from(d.atStartOfDay().toInstant(ZoneOffset.UTC));
  }

  private static int index(Row row, String col) {
    try {
      return row.fieldIndex(col);
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  static String str(Row row, String col) {
    int i = index(row, col);
    if (i < 0 || row.isNullAt(i)) {
      return null;
    }
    String s = String.valueOf(row.get(i)).trim();
    return s.isEmpty() ? null : s;
  }

  private static Double num(Row row, String col) {
    int i = index(row, col);
    if (i < 0 || row.isNullAt(i)) {
      return null;
    }
    Object v = row.get(i);
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static LocalDate firstDate(Row row, String... cols) {
    for (String col : cols) {
      int i = index(row, col);
      if (i < 0 || row.isNullAt(i)) {
        continue;
      }
      Object v = row.get(i);
      if (v instanceof java.sql.Date d) {
        return d.toLocalDate();
      }
      if (v instanceof LocalDate d) {
        return d;
      }
      if (v instanceof java.sql.Timestamp t) {
        return t.toInstant().atZone(ZoneOffset.UTC).toLocalDate();
      }
      try {
        return LocalDate.parse(String.valueOf(v).trim().substring(0, 10));
      } catch (RuntimeException e) {
        // unparseable date: try the next column
      }
    }
    return null;
  }
}
