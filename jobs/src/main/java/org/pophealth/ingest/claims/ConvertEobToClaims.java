package org.pophealth.ingest.claims;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.pophealth.conform.FhirJson;

/**
 * Payer FHIR (CARIN Blue Button ExplanationOfBenefit of every profile, Coverage, Patient as CMS BCDA/DPC
 * and Synthea export them; BCDA's partially adjudicated Claim with its ClaimResponse) → claims rows in
 * the Tuva column names, which then go through the same validation and
 * version resolution as flat files. Pure Java (Jackson), runs per bronze row inside Spark tasks.
 * Contained resources (Patient, Coverage, Practitioner, Organization) are resolved by {@code #id};
 * extensions are ignored (they stay in bronze).
 */
public final class ConvertEobToClaims implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> CPT_HCPCS = List.of("http://www.ama-assn.org/go/cpt",
      "urn:oid:2.16.840.1.113883.6.285", "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
      "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
      // CDT (oral EOBs): the ADA's dental codes are HCPCS Level II D-codes
      "http://www.ada.org/cdt");
  private static final String NDC = "http://hl7.org/fhir/sid/ndc";
  private static final String NPI = "http://hl7.org/fhir/sid/us-npi";
  private static final String MBI = "http://hl7.org/fhir/sid/us-mbi";

  /** EOB adjudication category codes (any system) → Tuva amount column, most specific first. */
  private static final Map<String, List<String>> AMOUNTS = Map.of(
      "charge_amount", List.of("submitted", "line_sbmtd_chrg_amt"),
      "allowed_amount", List.of("eligible", "line_alowd_chrg_amt"),
      "paid_amount", List.of("paidtoprovider", "benefit", "line_nch_pmt_amt", "line_prvdr_pmt_amt", "paid"),
      "coinsurance_amount", List.of("coinsurance", "line_coinsrnc_amt"),
      "copayment_amount", List.of("copay"),
      "deductible_amount", List.of("deductible", "line_bene_ptb_ddctbl_amt"));

  private ConvertEobToClaims() {}

  /**
   * Claim lines (medical or pharmacy) of one ExplanationOfBenefit line from bronze. An EOB without
   * {@code item} yields one record that validation quarantines as {@code eob-no-item}.
   */
  public static List<ClaimRecord> eob(String json, String file, long line, String runId) {
    JsonNode r = read(json);
    return r == null ? List.of() : lines(r, null, file, line, runId);
  }

  /**
   * Claim lines of one CMS BCDA partially adjudicated {@code Claim} (FISS institutional, MCS professional),
   * with its {@code ClaimResponse} ({@code responseJson}, null when none arrived): the Claim gives the
   * lines and billed amounts ({@code item.net}, {@code total}), the response the adjudicated amounts
   * ({@code item.adjudication} by {@code itemSequence}, {@code total}, {@code payment}) where present.
   * Every line is {@code adjudication_status = partial}. A Claim without {@code item} yields one record
   * that validation quarantines as {@code claim-no-item}.
   */
  public static List<ClaimRecord> partiallyAdjudicated(String json, String responseJson, String file, long line,
      String runId) {
    JsonNode r = read(json);
    if (r == null) {
      return List.of();
    }
    JsonNode resp = responseJson == null ? null : read(responseJson);
    return lines(r, resp == null ? JSON.createObjectNode() : resp, file, line, runId);
  }

  /** The Claim id a ClaimResponse answers ({@code request} reference), null when it names none. */
  public static String responseRequestId(String json) {
    JsonNode r = read(json);
    String ref = r == null ? null : r.path("request").path("reference").asText(null);
    return ref == null ? null : referenceId(ref);
  }

  /** Orders the ClaimResponses of one Claim: the latest {@code created} (then id) wins. */
  public static String responseOrder(String json) {
    JsonNode r = read(json);
    return r == null ? "" : r.path("created").asText("") + '\u0001' + r.path("id").asText("");
  }

  /** The Medicare beneficiary identifiers ({@code us-mbi}) of a Patient line from bronze. */
  public static List<String> mbis(String json) {
    JsonNode r = read(json);
    List<String> out = new ArrayList<>();
    if (r != null) {
      for (JsonNode id : r.path("identifier")) {
        if (MBI.equals(id.path("system").asText()) && id.hasNonNull("value")) {
          out.add(id.path("value").asText());
        }
      }
    }
    return out;
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      return null; // bronze holds parsed JSON only; nothing to do
    }
  }

  /**
   * The lines of an ExplanationOfBenefit ({@code response} null) or of a partially adjudicated Claim
   * ({@code response} = its ClaimResponse, an empty object when none). An amount column no line carries
   * comes from the header ({@code total}, then the EOB's claim-level {@code adjudication}, then
   * {@code payment.amount} for paid) onto line 1, so the claim's total is counted once.
   */
  private static List<ClaimRecord> lines(JsonNode r, JsonNode response, String file, long line, String runId) {
    List<ClaimRecord> out = new ArrayList<>();
    boolean pac = response != null;
    Map<String, JsonNode> contained = contained(r);
    String type = FhirJson.codeWithSystem(r.path("type"), "http://terminology.hl7.org/CodeSystem/claim-type");
    if (type == null) {
      type = FhirJson.firstCode(r.path("type"));
    }
    boolean pharmacy = "pharmacy".equalsIgnoreCase(type);
    Header hd = header(r, contained, type, pharmacy);
    if (pac) {
      put(hd.fields(), "adjudication_status", "partial");
      put(hd.fields(), "paid_date", date(response.path("payment").path("date").asText(null)));
    }
    List<JsonNode> items = new ArrayList<>();
    r.path("item").forEach(items::add);
    items.sort(Comparator.comparingInt(i -> i.path("sequence").asInt(0)));
    if (items.isEmpty()) {
      String what = pac ? "Claim" : "ExplanationOfBenefit";
      out.add(new ClaimRecord(pharmacy ? ClaimTable.PHARMACY : ClaimTable.MEDICAL, "fhir", file, line,
          rawOf(hd.fields()), new TreeMap<>(hd.fields()),
          what + " " + r.path("id").asText("") + " has no item: no claim line to load",
          pac ? "claim-no-item" : "eob-no-item", runId));
      return out;
    }
    Map<String, String> headerAmounts = pac ? new HashMap<>() : amounts(r.path("total"));
    if (!pac) {
      // institutional EOBs may carry claim-level amounts in EOB.adjudication instead of total
      amounts(r.path("adjudication")).forEach(headerAmounts::putIfAbsent);
    }
    JsonNode payment = pac ? response.path("payment") : r.path("payment");
    if (pac) {
      putAmount(headerAmounts, "charge_amount", number(r.path("total").path("value")));
      headerAmounts.putAll(amounts(response.path("total")));
    }
    if (payment.path("amount").has("value")) {
      headerAmounts.putIfAbsent("paid_amount", number(payment.path("amount").path("value")));
    }
    List<Map<String, String>> lineAmounts = new ArrayList<>();
    for (JsonNode it : items) {
      Map<String, String> a = new HashMap<>();
      if (pac) {
        putAmount(a, "charge_amount", number(it.path("net").path("value")));
        for (JsonNode ri : response.path("item")) {
          if (ri.path("itemSequence").asInt(-1) == it.path("sequence").asInt(-2)) {
            a.putAll(amounts(ri.path("adjudication")));
          }
        }
      } else {
        a.putAll(amounts(it.path("adjudication")));
      }
      lineAmounts.add(a);
    }
    for (Map.Entry<String, String> e : headerAmounts.entrySet()) {
      if (lineAmounts.stream().noneMatch(a -> a.containsKey(e.getKey()))) {
        lineAmounts.get(0).put(e.getKey(), e.getValue());
      }
    }
    String start = date(r.path("billablePeriod").path("start").asText(null));
    String end = date(r.path("billablePeriod").path("end").asText(null));
    int n = 0;
    for (JsonNode it : items) {
      Map<String, String> f = new TreeMap<>(hd.fields());
      put(f, "claim_line_number", Integer.toString(it.path("sequence").asInt(n + 1)));
      String ls = date(it.path("servicedDate").asText(null));
      String le = ls;
      if (ls == null) {
        ls = date(it.path("servicedPeriod").path("start").asText(null));
        le = date(it.path("servicedPeriod").path("end").asText(null));
      }
      f.putAll(lineAmounts.get(n++));
      if (pharmacy) {
        put(f, "ndc_code", FhirJson.codeWithSystem(it.path("productOrService"), NDC));
        put(f, "quantity", number(it.path("quantity").path("value")));
        put(f, "days_supply", hd.daysSupply());
        put(f, "refills", hd.refills());
        put(f, "prescribing_provider_npi", hd.prescriber());
        put(f, "dispensing_provider_npi", hd.billing());
        put(f, "dispensing_date", ls != null ? ls : start);
        out.add(record(ClaimTable.PHARMACY, f, file, line, runId));
      } else {
        medicalLine(r, it, contained, hd, start != null ? start : ls, end != null ? end : le, ls, le, f);
        out.add(record(ClaimTable.MEDICAL, f, file, line, runId));
      }
    }
    return out;
  }

  private static void putAmount(Map<String, String> m, String column, String value) {
    if (value != null) {
      m.put(column, value);
    }
  }

  /** What every line of an EOB shares: claim-level fields, providers, pharmacy supporting info. */
  private record Header(Map<String, String> fields, String billing, String rendering, String prescriber,
      String daysSupply, String refills) {}

  private static Header header(JsonNode r, Map<String, JsonNode> contained, String type, boolean pharmacy) {
    Map<String, String> h = new TreeMap<>();
    put(h, "claim_id", claimId(r));
    put(h, "member_id", memberId(r.path("patient"), contained));
    if (!pharmacy) {
      put(h, "claim_type", type == null ? null : switch (type.toLowerCase(Locale.ROOT)) {
        case "oral", "vision" -> "professional";
        default -> type.toLowerCase(Locale.ROOT);
      });
    }
    JsonNode cov = coverage(r, contained);
    put(h, "payer", firstNonNull(r.path("insurer").path("display").asText(null),
        cov == null ? null : cov.path("payor").path(0).path("display").asText(null)));
    put(h, "plan", cov == null ? null : plan(cov));
    String status = r.path("status").asText("");
    if (status.equals("cancelled") || status.equals("entered-in-error")) {
      put(h, "adjustment_type", "void");
    }
    for (JsonNode rel : r.path("related")) {
      String rc = FhirJson.firstCode(rel.path("relationship"));
      if (rc != null && (rc.equals("prior") || rc.startsWith("replace"))) {
        String orig = rel.path("claim").path("identifier").path("value").asText(null);
        put(h, "original_claim_id", orig != null ? orig : referenceId(rel.path("claim").path("reference").asText(null)));
        if (!h.containsKey("adjustment_type")) {
          put(h, "adjustment_type", "adjustment");
        }
      }
    }
    put(h, "paid_date", date(r.path("payment").path("date").asText(null)));
    String billing = npi(r.path("provider"), contained);
    String rendering = null;
    String prescriber = null;
    for (JsonNode ct : r.path("careTeam")) {
      String role = FhirJson.firstCode(ct.path("role"));
      String n = npi(ct.path("provider"), contained);
      if (role != null && (role.equals("performing") || role.equals("rendering") || role.equals("primary"))
          && rendering == null) {
        rendering = n;
      }
      if ("prescribing".equals(role)) {
        prescriber = n;
      }
    }
    // supporting info (C4BB SupportingInfoType)
    String daysSupply = null;
    String refills = null;
    for (JsonNode si : r.path("supportingInfo")) {
      String cat = FhirJson.firstCode(si.path("category"));
      if (cat == null) {
        continue;
      }
      switch (cat.toLowerCase(Locale.ROOT)) {
        case "admissionperiod" -> {
          put(h, "admission_date", date(si.path("timingPeriod").path("start").asText(null)));
          put(h, "discharge_date", date(si.path("timingPeriod").path("end").asText(null)));
        }
        case "typeofbill" -> put(h, "bill_type_code", billType(FhirJson.firstCode(si.path("code"))));
        case "pointoforigin" -> put(h, "admit_source_code", FhirJson.firstCode(si.path("code")));
        case "admtype" -> put(h, "admit_type_code", FhirJson.firstCode(si.path("code")));
        case "discharge-status" -> put(h, "discharge_disposition_code", FhirJson.firstCode(si.path("code")));
        case "drg" -> put(h, "ms_drg_code", FhirJson.firstCode(si.path("code")));
        case "dayssupply" -> daysSupply = number(si.path("valueQuantity").path("value"));
        case "refillnum" -> refills = number(si.path("valueQuantity").path("value"));
        default -> { }
      }
    }
    if (!pharmacy) {
      put(h, "billing_npi", billing);
      put(h, "facility_npi", npi(r.path("facility"), contained));
      diagnoses(r, h);
      procedures(r, h);
    }
    return new Header(h, billing, rendering, prescriber, daysSupply, refills);
  }

  /** The medical-claim fields of one EOB item (dates, HCPCS and modifiers, revenue, rendering provider). */
  private static void medicalLine(JsonNode r, JsonNode it, Map<String, JsonNode> contained, Header hd,
      String claimStart, String claimEnd, String ls, String le, Map<String, String> f) {
    put(f, "claim_start_date", claimStart);
    put(f, "claim_end_date", claimEnd);
    put(f, "claim_line_start_date", ls);
    put(f, "claim_line_end_date", le);
    String hcpcs = null;
    for (String sys : CPT_HCPCS) {
      hcpcs = hcpcs != null ? hcpcs : FhirJson.codeWithSystem(it.path("productOrService"), sys);
    }
    put(f, "hcpcs_code", hcpcs);
    int m = 0;
    for (JsonNode mod : it.path("modifier")) {
      if (m < 5) {
        put(f, "hcpcs_modifier_" + (++m), FhirJson.firstCode(mod));
      }
    }
    put(f, "revenue_center_code", FhirJson.firstCode(it.path("revenue")));
    put(f, "place_of_service_code", FhirJson.firstCode(it.path("locationCodeableConcept")));
    put(f, "service_unit_quantity", number(it.path("quantity").path("value")));
    String lineRendering = null;
    for (JsonNode seq : it.path("careTeamSequence")) {
      for (JsonNode ct : r.path("careTeam")) {
        if (ct.path("sequence").asInt(-1) == seq.asInt() && lineRendering == null) {
          lineRendering = npi(ct.path("provider"), contained);
        }
      }
    }
    put(f, "rendering_npi", lineRendering != null ? lineRendering : hd.rendering());
  }

  /** One eligibility row of a Coverage (top-level or contained); demographics come from the Patient. */
  public static ClaimRecord coverage(JsonNode cov, Map<String, JsonNode> contained, String file, long line,
      String runId) {
    Map<String, String> f = new TreeMap<>();
    put(f, "member_id", memberId(cov.path("beneficiary"), contained));
    put(f, "subscriber_id", cov.path("subscriberId").asText(null));
    put(f, "enrollment_start_date", date(cov.path("period").path("start").asText(null)));
    put(f, "enrollment_end_date", date(cov.path("period").path("end").asText(null)));
    put(f, "payer", cov.path("payor").path(0).path("display").asText(null));
    put(f, "plan", plan(cov));
    put(f, "payer_type", firstNonNull(FhirJson.firstCode(cov.path("type")), cov.path("type").path("text").asText(null)));
    put(f, "subscriber_relation", FhirJson.firstCode(cov.path("relationship")));
    String ref = cov.path("beneficiary").path("reference").asText("");
    if (ref.startsWith("#") && contained.containsKey(ref.substring(1))) {
      f.putAll(patient(contained.get(ref.substring(1))));
    }
    return record(ClaimTable.ELIGIBILITY, f, file, line, runId);
  }

  /** Eligibility rows of a Coverage line from bronze. */
  public static List<ClaimRecord> coverageLine(String json, String file, long line, String runId) {
    try {
      JsonNode r = JSON.readTree(json);
      return List.of(coverage(r, contained(r), file, line, runId));
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  /** Eligibility rows of the contained Coverages (with a period) of an EOB line. */
  public static List<ClaimRecord> containedCoverages(String json, String file, long line, String runId) {
    List<ClaimRecord> out = new ArrayList<>();
    try {
      JsonNode r = JSON.readTree(json);
      Map<String, JsonNode> contained = contained(r);
      for (JsonNode c : contained.values()) {
        if ("Coverage".equals(c.path("resourceType").asText()) && c.path("period").has("start")) {
          ClaimRecord rec = coverage(c, contained, file, line, runId);
          if (rec.fields().get("member_id") == null) {
            Map<String, String> f = new TreeMap<>(rec.fields());
            put(f, "member_id", memberId(r.path("patient"), contained));
            if (r.path("patient").path("reference").asText("").startsWith("#")) {
              JsonNode p = contained.get(r.path("patient").path("reference").asText().substring(1));
              if (p != null) {
                f.putAll(patient(p));
              }
            }
            rec = record(ClaimTable.ELIGIBILITY, f, file, line, runId);
          }
          out.add(rec);
        }
      }
    } catch (java.io.IOException e) {
      return out;
    }
    return out;
  }

  /** Demographic columns of a Patient (member_id excluded). */
  public static Map<String, String> patient(JsonNode p) {
    Map<String, String> f = new TreeMap<>();
    put(f, "gender", p.path("gender").asText(null));
    put(f, "birth_date", date(p.path("birthDate").asText(null)));
    put(f, "death_date", date(p.path("deceasedDateTime").asText(null)));
    JsonNode name = p.path("name").path(0);
    for (JsonNode nm : p.path("name")) {
      if ("official".equals(nm.path("use").asText())) {
        name = nm;
        break;
      }
    }
    put(f, "first_name", name.path("given").path(0).asText(null));
    put(f, "last_name", name.path("family").asText(null));
    for (JsonNode id : p.path("identifier")) {
      if (id.path("system").asText("").equals("http://hl7.org/fhir/sid/us-ssn")) {
        put(f, "social_security_number", id.path("value").asText(null));
      }
    }
    JsonNode a = p.path("address").path(0);
    put(f, "address", a.path("line").path(0).asText(null));
    put(f, "city", a.path("city").asText(null));
    put(f, "state", a.path("state").asText(null));
    put(f, "zip_code", a.path("postalCode").asText(null));
    for (JsonNode t : p.path("telecom")) {
      if ("phone".equals(t.path("system").asText()) && !f.containsKey("phone")) {
        put(f, "phone", t.path("value").asText(null));
      }
    }
    for (JsonNode e : p.path("extension")) {
      if (e.path("url").asText("").endsWith("us-core-race")) {
        for (JsonNode sub : e.path("extension")) {
          if ("text".equals(sub.path("url").asText())) {
            put(f, "race", sub.path("valueString").asText(null));
          }
        }
      }
    }
    return f;
  }

  /** Demographics of a Patient line from bronze, as a map (empty when unreadable). */
  public static Map<String, String> patientLine(String json) {
    try {
      return patient(JSON.readTree(json));
    } catch (java.io.IOException e) {
      return Map.of();
    }
  }

  private static void diagnoses(JsonNode r, Map<String, String> h) {
    List<JsonNode> dx = new ArrayList<>();
    r.path("diagnosis").forEach(dx::add);
    dx.sort(Comparator.comparingInt((JsonNode d) -> isPrincipal(d) ? 0 : 1)
        .thenComparingInt(d -> d.path("sequence").asInt(0)));
    int i = 0;
    for (JsonNode d : dx) {
      String code = null;
      for (JsonNode c : d.path("diagnosisCodeableConcept").path("coding")) {
        String sys = c.path("system").asText("");
        if (code == null && (sys.equals("http://hl7.org/fhir/sid/icd-10-cm") || sys.equals("http://hl7.org/fhir/sid/icd-10"))) {
          code = c.path("code").asText(null);
        }
      }
      if (code == null || i >= 25) {
        continue; // references to Condition resources and non-ICD codings carry no claim diagnosis
      }
      i++;
      put(h, "diagnosis_code_" + i, code);
      put(h, "diagnosis_poa_" + i, FhirJson.firstCode(d.path("onAdmission")));
    }
    if (i > 0) {
      put(h, "diagnosis_code_type", "icd-10-cm");
    }
  }

  private static boolean isPrincipal(JsonNode d) {
    for (JsonNode t : d.path("type")) {
      String c = FhirJson.firstCode(t);
      if ("principal".equals(c)) {
        return true;
      }
    }
    return false;
  }

  private static void procedures(JsonNode r, Map<String, String> h) {
    List<JsonNode> px = new ArrayList<>();
    r.path("procedure").forEach(px::add);
    px.sort(Comparator.comparingInt(p -> p.path("sequence").asInt(0)));
    int i = 0;
    for (JsonNode p : px) {
      String code = null;
      for (JsonNode c : p.path("procedureCodeableConcept").path("coding")) {
        String sys = c.path("system").asText("");
        if (code == null && (sys.equals("http://www.cms.gov/Medicare/Coding/ICD10") || sys.contains("icd-10-pcs"))) {
          code = c.path("code").asText(null);
        }
      }
      if (code == null || i >= 25) {
        continue;
      }
      i++;
      put(h, "procedure_code_" + i, code);
      put(h, "procedure_date_" + i, date(p.path("date").asText(null)));
    }
    if (i > 0) {
      put(h, "procedure_code_type", "icd-10-pcs");
    }
  }

  private static Map<String, String> amounts(JsonNode adjudications) {
    Map<String, String> out = new HashMap<>();
    Map<String, String> byCode = new HashMap<>();
    for (JsonNode a : adjudications) {
      String v = number(a.path("amount").path("value"));
      if (v == null) {
        continue;
      }
      for (JsonNode c : a.path("category").path("coding")) {
        String code = c.path("code").asText("");
        int slash = code.lastIndexOf('/');
        byCode.putIfAbsent(code.toLowerCase(Locale.ROOT), v);
        String sys = c.path("system").asText("");
        // Blue Button variables carry the meaning in the system URL's last segment
        String tail = sys.substring(sys.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        byCode.putIfAbsent(tail, v);
        if (slash >= 0) {
          byCode.putIfAbsent(code.substring(slash + 1).toLowerCase(Locale.ROOT), v);
        }
      }
    }
    for (Map.Entry<String, List<String>> e : AMOUNTS.entrySet()) {
      for (String code : e.getValue()) {
        if (byCode.containsKey(code)) {
          out.put(e.getKey(), byCode.get(code));
          break;
        }
      }
    }
    return out;
  }

  private static Map<String, JsonNode> contained(JsonNode r) {
    Map<String, JsonNode> m = new HashMap<>();
    for (JsonNode c : r.path("contained")) {
      m.put(c.path("id").asText(""), c);
    }
    return m;
  }

  private static JsonNode coverage(JsonNode r, Map<String, JsonNode> contained) {
    for (JsonNode ins : r.path("insurance")) {
      String ref = ins.path("coverage").path("reference").asText("");
      if (ref.startsWith("#") && contained.containsKey(ref.substring(1))) {
        return contained.get(ref.substring(1));
      }
    }
    return null;
  }

  private static String plan(JsonNode cov) {
    for (JsonNode c : cov.path("class")) {
      if ("plan".equals(FhirJson.firstCode(c.path("type")))) {
        return firstNonNull(c.path("name").asText(null), c.path("value").asText(null));
      }
    }
    return cov.path("type").path("text").asText(null);
  }

  private static String claimId(JsonNode r) {
    for (JsonNode id : r.path("identifier")) {
      String sys = id.path("system").asText("");
      String type = FhirJson.firstCode(id.path("type"));
      if (sys.endsWith("/clm_id") || sys.endsWith("/pde_id") || "uc".equals(type)) {
        return id.path("value").asText(null);
      }
    }
    return r.path("id").asText(null);
  }

  private static String memberId(JsonNode ref, Map<String, JsonNode> contained) {
    String reference = ref.path("reference").asText("");
    if (reference.startsWith("#")) {
      JsonNode p = contained.get(reference.substring(1));
      if (p == null) {
        return null;
      }
      for (JsonNode id : p.path("identifier")) {
        if ("MB".equals(FhirJson.firstCode(id.path("type")))) {
          return id.path("value").asText(null);
        }
      }
      return p.path("identifier").path(0).path("value").asText(p.path("id").asText(null));
    }
    if (!reference.isEmpty()) {
      return referenceId(reference);
    }
    return ref.path("identifier").path("value").asText(null);
  }

  /** NPI of a reference: contained resource, conditional reference, or logical identifier. */
  private static String npi(JsonNode ref, Map<String, JsonNode> contained) {
    String reference = ref.path("reference").asText("");
    if (reference.startsWith("#")) {
      JsonNode c = contained.get(reference.substring(1));
      if (c != null) {
        for (JsonNode id : c.path("identifier")) {
          if (NPI.equals(id.path("system").asText())) {
            return id.path("value").asText(null);
          }
        }
      }
      return null;
    }
    int bar = reference.indexOf(NPI + "|");
    if (bar >= 0) {
      return reference.substring(bar + NPI.length() + 1);
    }
    if (NPI.equals(ref.path("identifier").path("system").asText())) {
      return ref.path("identifier").path("value").asText(null);
    }
    return null;
  }

  /** The id a reference points to (FhirJson's rules: urn:uuid, absolute URLs, _history, conditional). */
  private static String referenceId(String reference) {
    return reference == null ? null : FhirJson.idOfReference(reference);
  }

  /** NUBC type of bill as 3 digits: the 4-character form with its leading zero ({@code 0131}) loses it. */
  private static String billType(String code) {
    return code != null && code.length() == 4 && code.charAt(0) == '0' ? code.substring(1) : code;
  }

  private static String date(String s) {
    return s == null || s.length() < 10 ? s : s.substring(0, 10);
  }

  private static String number(JsonNode n) {
    return n.isNumber() || n.isTextual() ? n.asText() : null;
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null && !v.isBlank()) {
      m.put(k, v);
    }
  }

  private static ClaimRecord record(ClaimTable t, Map<String, String> f, String file, long line, String runId) {
    return new ClaimRecord(t, "fhir", file, line, rawOf(f), new TreeMap<>(f), null, runId);
  }

  /** The mapped fields as a JSON object (sorted keys): the raw text of a FHIR-derived claims row. */
  private static String rawOf(Map<String, String> f) {
    StringBuilder raw = new StringBuilder("{");
    for (Map.Entry<String, String> e : new TreeMap<>(f).entrySet()) {
      raw.append(raw.length() > 1 ? "," : "").append('"').append(e.getKey()).append("\":\"")
          .append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    raw.append('}');
    return raw.toString();
  }
}
