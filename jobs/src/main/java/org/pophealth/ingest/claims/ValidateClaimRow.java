package org.pophealth.ingest.claims;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Validates and types one claims row (pure Java, runs inside Spark tasks): parses every column by its
 * contract type, normalises codes (ICD without dots, upper case, NDC to 11 digits, gender words),
 * and applies the rules. Errors quarantine the row (the first error is the reason); every broken
 * rule is listed in {@code findings} as {@code severity:rule} so runs can count them.
 */
public final class ValidateClaimRow implements Serializable {
  private static final DateTimeFormatter BASIC = DateTimeFormatter.BASIC_ISO_DATE;
  private static final DateTimeFormatter US = DateTimeFormatter.ofPattern("M/d/yyyy");
  private static final Set<String> CLAIM_TYPES = Set.of("professional", "institutional", "dme");
  private static final List<String> AMOUNTS = List.of("paid_amount", "allowed_amount", "charge_amount",
      "coinsurance_amount", "copayment_amount", "deductible_amount", "total_cost_amount");

  private final ClaimTable table;
  private final String source;
  private final ValidationRules rules;
  private final StructType silver;

  public ValidateClaimRow(ClaimTable table, String source, ValidationRules rules) {
    this.table = table;
    this.source = source;
    this.rules = rules;
    this.silver = ValidatedRows.contract(table).schema();
  }

  /** Thrown for a rule whose severity is error: the row is quarantined. */
  private static final class Reject extends Exception {
    final String stage;
    final String code;

    Reject(String stage, String code, String reason) {
      super(reason, null, false, false);
      this.stage = stage;
      this.code = code;
    }
  }

  private final class Check {
    final List<String> findings = new ArrayList<>();
    Reject first;

    void fail(String rule, String reason) {
      String sev = rules.severity(rule);
      if (ValidationRules.OFF.equals(sev)) {
        return;
      }
      findings.add(sev + ":" + rule);
      if (ValidationRules.ERROR.equals(sev) && first == null) {
        first = new Reject("contract", rule, reason);
      }
    }

    /** A data-quality test's failure: error quarantines, warning and unverified are counted. */
    void quality(String severity, String test, String reason) {
      String finding = severity + ":" + test;
      if (findings.contains(finding)) {
        return; // once per row, however many of its columns fail
      }
      findings.add(finding);
      if (ValidationRules.ERROR.equals(severity) && first == null) {
        first = new Reject("contract", test, reason);
      }
    }

    void error(String rule, String reason) {
      findings.add(ValidationRules.ERROR + ":" + rule);
      if (first == null) {
        first = new Reject("contract", rule, reason);
      }
    }
  }

  public Row validate(ClaimRecord r) {
    String key = rowKey(r);
    int n = silver.size();
    Object[] out = new Object[ValidatedRows.META.size() + n];
    out[0] = key;
    out[1] = table.tableName();
    out[2] = r.format();
    out[3] = r.file();
    out[4] = r.line();
    out[5] = r.raw();
    out[6] = r.fields() == null ? null : scala.collection.JavaConverters.mapAsScalaMap(r.fields());
    if (r.parseError() != null) {
      String code = r.parseCode() == null ? "malformed-row" : r.parseCode();
      fill(out, ValidatedRows.QUARANTINED, "parse", code, table.tableName() + ": " + r.parseError(),
          List.of("error:" + code));
      // the run that read the row: a payer FHIR row is counted (and quarantined) by its FHIR run
      out[ValidatedRows.META.size() + silver.fieldIndex("ingest_run_id")] = r.ingestRunId();
      return RowFactory.create(out);
    }
    Check check = new Check();
    Object[] v = new Object[n];
    int base = ValidatedRows.META.size();
    Map<String, String> f = r.fields();
    for (int i = 0; i < n; i++) {
      StructField sf = silver.fields()[i];
      if (ClaimTable.DERIVED.contains(sf.name())) {
        continue;
      }
      String text = f.get(sf.name());
      if (text == null || text.isBlank()) {
        continue;
      }
      try {
        v[i] = parse(text.trim(), sf.dataType());
      } catch (RuntimeException e) {
        check.error(sf.dataType() == DataTypes.DateType ? "bad-date" : "bad-number",
            table.tableName() + "." + sf.name() + " is not a valid " + sf.dataType().simpleString());
      }
    }
    Values vals = new Values(v);
    for (String req : table.required()) {
      if (req.equals("claim_line_number") && vals.get(req) == null && table != ClaimTable.MEDICAL) {
        continue;
      }
      if (vals.get(req) == null) {
        check.error("missing-required", table.tableName() + "." + req + " is required but absent");
      }
    }
    switch (table) {
      case MEDICAL -> medical(vals, check);
      case PHARMACY -> pharmacy(vals, check);
      case ELIGIBILITY -> eligibility(vals, check);
    }
    if (table != ClaimTable.ELIGIBILITY) {
      adjustment(vals, check);
      amounts(vals, check);
    }
    if (check.first == null) {
      rules.quality().rowTests(table, vals::get, check::quality);
    }
    if (vals.get("data_source") == null) {
      vals.set("data_source", source);
    }
    vals.set("source", source);
    vals.set("ingest_run_id", r.ingestRunId());
    vals.set("bronze_file", r.file());
    vals.set("bronze_line", r.line());
    if (table != ClaimTable.ELIGIBILITY) {
      vals.set("source_claim_id", vals.get("claim_id"));
      vals.set("claim_versions", 1);
      vals.set("eligibility_matched", false);
    }
    if (check.first != null) {
      fill(out, ValidatedRows.QUARANTINED, check.first.stage, check.first.code, check.first.getMessage(),
          check.findings);
      return RowFactory.create(out);
    }
    fill(out, ValidatedRows.LOADED, null, null, null, check.findings);
    System.arraycopy(v, 0, out, base, n);
    return RowFactory.create(out);
  }

  private static void fill(Object[] out, String status, String stage, String code, String reason, List<String> findings) {
    out[7] = status;
    out[8] = stage;
    out[9] = code;
    out[10] = reason;
    out[11] = scala.collection.JavaConverters.asScalaBuffer(new ArrayList<>(findings)).toList();
  }

  private final class Values {
    final Object[] v;

    Values(Object[] v) {
      this.v = v;
    }

    Object get(String col) {
      return v[silver.fieldIndex(col)];
    }

    String str(String col) {
      return (String) get(col);
    }

    LocalDate date(String col) {
      Object d = get(col);
      return d == null ? null : ((java.sql.Date) d).toLocalDate();
    }

    void set(String col, Object value) {
      v[silver.fieldIndex(col)] = value;
    }
  }

  private void medical(Values v, Check c) {
    String type = v.str("claim_type");
    if (type != null) {
      type = type.toLowerCase(Locale.ROOT);
      v.set("claim_type", type);
      if (!CLAIM_TYPES.contains(type)) {
        c.error("bad-value", "medical_claim.claim_type must be professional, institutional or dme");
      }
    }
    String status = v.str("adjudication_status");
    String st = status == null ? "final" : status.toLowerCase(Locale.ROOT);
    v.set("adjudication_status", st);
    if (!st.equals("final") && !st.equals("partial")) {
      c.error("bad-value", "medical_claim.adjudication_status must be final or partial");
    }
    boolean anyDx = false;
    for (int i = 1; i <= 25; i++) {
      String col = "diagnosis_code_" + i;
      String code = CodeFormats.icd(v.str(col));
      if (code == null) {
        continue;
      }
      anyDx = true;
      v.set(col, code);
      if (!CodeFormats.isIcd10Cm(code)) {
        c.fail("bad-icd10cm", "medical_claim." + col + " is not an ICD-10-CM code");
      }
      String poa = v.str("diagnosis_poa_" + i);
      if (poa != null) {
        v.set("diagnosis_poa_" + i, poa.toUpperCase(Locale.ROOT));
      }
    }
    String dxType = codeType(v.str("diagnosis_code_type"));
    if (dxType == null && anyDx) {
      dxType = "icd-10-cm";
    }
    if (dxType != null && !dxType.equals("icd-10-cm")) {
      c.error("bad-value", "medical_claim.diagnosis_code_type must be icd-10-cm");
    }
    v.set("diagnosis_code_type", dxType);
    boolean anyPx = false;
    for (int i = 1; i <= 25; i++) {
      String col = "procedure_code_" + i;
      String code = CodeFormats.icd(v.str(col));
      if (code == null) {
        continue;
      }
      anyPx = true;
      v.set(col, code);
      if (!CodeFormats.isIcd10Pcs(code)) {
        c.fail("bad-icd10pcs", "medical_claim." + col + " is not an ICD-10-PCS code");
      }
    }
    String pxType = codeType(v.str("procedure_code_type"));
    if (pxType == null && anyPx) {
      pxType = "icd-10-pcs";
    }
    if (pxType != null && !pxType.equals("icd-10-pcs")) {
      c.error("bad-value", "medical_claim.procedure_code_type must be icd-10-pcs");
    }
    v.set("procedure_code_type", pxType);
    String hcpcs = v.str("hcpcs_code");
    if (hcpcs != null) {
      hcpcs = hcpcs.toUpperCase(Locale.ROOT);
      v.set("hcpcs_code", hcpcs);
      if (!CodeFormats.isCptOrHcpcs(hcpcs)) {
        c.fail("bad-hcpcs", "medical_claim.hcpcs_code is not a CPT or HCPCS code");
      }
    }
    for (int i = 1; i <= 5; i++) {
      String m = v.str("hcpcs_modifier_" + i);
      if (m != null) {
        m = m.toUpperCase(Locale.ROOT);
        v.set("hcpcs_modifier_" + i, m);
        if (!CodeFormats.isModifier(m)) {
          c.fail("bad-modifier", "medical_claim.hcpcs_modifier_" + i + " is not a 2-character modifier");
        }
      }
    }
    npis(v, c, "rendering_npi", "billing_npi", "facility_npi");
    order(v, c, "claim_start_date", "claim_end_date");
    order(v, c, "claim_line_start_date", "claim_line_end_date");
    order(v, c, "admission_date", "discharge_date");
    LocalDate service = v.date("claim_line_start_date") != null ? v.date("claim_line_start_date")
        : v.date("claim_start_date");
    paidAfter(v, c, service);
  }

  private void pharmacy(Values v, Check c) {
    if (v.get("claim_line_number") == null) {
      v.set("claim_line_number", 1);
    }
    String ndc = v.str("ndc_code");
    if (ndc != null) {
      String n11 = CodeFormats.ndc11(ndc);
      if (n11 == null) {
        c.fail("bad-ndc", "pharmacy_claim.ndc_code is not an NDC (11 digits or hyphenated 10/11)");
      } else {
        v.set("ndc_code", n11);
      }
    }
    npis(v, c, "prescribing_provider_npi", "dispensing_provider_npi");
    paidAfter(v, c, v.date("dispensing_date"));
  }

  private void eligibility(Values v, Check c) {
    order(v, c, "enrollment_start_date", "enrollment_end_date");
    String g = v.str("gender");
    if (g != null) {
      v.set("gender", switch (g.toLowerCase(Locale.ROOT)) {
        case "m", "male", "1" -> "male";
        case "f", "female", "2" -> "female";
        default -> "unknown";
      });
    }
    String ssn = v.str("social_security_number");
    if (ssn != null) {
      String digits = ssn.replaceAll("[^0-9]", "");
      if (digits.length() != 9) {
        c.fail("bad-ssn", "eligibility.social_security_number does not have 9 digits");
      }
      v.set("social_security_number", digits.isEmpty() ? null : digits);
    }
    if (v.get("death_date") != null && v.get("death_flag") == null) {
      v.set("death_flag", 1);
    }
  }

  /** adjustment_type: original (default), adjustment (replacement), void (cancel), reversal. */
  private void adjustment(Values v, Check c) {
    String a = v.str("adjustment_type");
    String norm = a == null ? "original" : switch (a.toLowerCase(Locale.ROOT)) {
      case "original", "0", "o" -> "original";
      case "adjustment", "replacement", "replace", "2", "a" -> "adjustment";
      case "void", "cancel", "cancelled", "cancellation", "1", "v" -> "void";
      case "reversal", "r" -> "reversal";
      default -> null;
    };
    if (norm == null) {
      c.error("bad-value", table.tableName() + ".adjustment_type must be original, adjustment, void or reversal");
    }
    v.set("adjustment_type", norm);
  }

  private void amounts(Values v, Check c) {
    boolean reversalLike = !"original".equals(v.str("adjustment_type"));
    for (String col : AMOUNTS) {
      if (!silver.getFieldIndex(col).isDefined()) {
        continue;
      }
      BigDecimal a = (BigDecimal) v.get(col);
      if (a == null) {
        continue;
      }
      if (a.abs().compareTo(rules.maxAmount()) > 0) {
        c.fail("absurd-amount", table.tableName() + "." + col + " is beyond claims.max_amount");
      } else if (a.signum() < 0 && !reversalLike) {
        c.fail("negative-amount", table.tableName() + "." + col + " is negative on an original claim");
      }
    }
  }

  private void npis(Values v, Check c, String... cols) {
    for (String col : cols) {
      String npi = v.str(col);
      if (npi != null && !CodeFormats.isNpi(npi)) {
        c.fail("bad-npi", table.tableName() + "." + col + " fails the NPI format or check digit");
      }
    }
  }

  private void order(Values v, Check c, String start, String end) {
    LocalDate s = v.date(start);
    LocalDate e = v.date(end);
    if (s != null && e != null && e.isBefore(s)) {
      c.fail("date-order", table.tableName() + "." + end + " is before " + start);
    }
  }

  private void paidAfter(Values v, Check c, LocalDate service) {
    LocalDate paid = v.date("paid_date");
    if (paid != null && service != null && paid.isBefore(service)) {
      c.fail("paid-before-service", table.tableName() + ".paid_date is before the service date");
    }
  }

  private static String codeType(String s) {
    if (s == null) {
      return null;
    }
    String t = s.toLowerCase(Locale.ROOT).replace("_", "-").replace(" ", "");
    return switch (t) {
      case "icd-10-cm", "icd10cm", "icd-10", "icd10", "0" -> "icd-10-cm";
      case "icd-10-pcs", "icd10pcs" -> "icd-10-pcs";
      case "icd-9-cm", "icd9cm", "icd-9", "icd9", "9" -> "icd-9-cm";
      default -> t;
    };
  }

  static Object parse(String text, DataType type) {
    if (type == DataTypes.StringType) {
      return text;
    }
    if (type == DataTypes.DateType) {
      return java.sql.Date.valueOf(date(text));
    }
    if (type == DataTypes.IntegerType) {
      return new BigDecimal(text).intValueExact();
    }
    if (type == DataTypes.LongType) {
      return new BigDecimal(text).longValueExact();
    }
    if (type == DataTypes.DoubleType) {
      return Double.parseDouble(text);
    }
    if (type instanceof DecimalType d) {
      String t = text.replace("$", "").replace(",", "");
      BigDecimal b = new BigDecimal(t).setScale(d.scale(), RoundingMode.HALF_UP);
      if (b.precision() > d.precision()) {
        throw new NumberFormatException("too large");
      }
      return b;
    }
    if (type == DataTypes.BooleanType) {
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "true", "1", "y", "yes" -> true;
        case "false", "0", "n", "no" -> false;
        default -> throw new IllegalArgumentException("not a boolean");
      };
    }
    throw new IllegalStateException("no parser for " + type);
  }

  /** ISO yyyy-MM-dd (also with a time part), yyyyMMdd, or M/d/yyyy. */
  static LocalDate date(String text) {
    String t = text.length() > 10 && text.charAt(10) == 'T' ? text.substring(0, 10) : text;
    if (t.length() > 10 && text.charAt(10) == ' ') {
      t = t.substring(0, 10);
    }
    try {
      if (t.length() == 8 && t.chars().allMatch(Character::isDigit)) {
        return LocalDate.parse(t, BASIC);
      }
      if (t.indexOf('/') > 0) {
        return LocalDate.parse(t, US);
      }
      return LocalDate.parse(t);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("bad date", e);
    }
  }

  private String rowKey(ClaimRecord r) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      String k = source + '\u0001' + table.tableName() + '\u0001' + r.file() + '\u0001' + r.line() + '\u0001'
          + (r.raw() == null ? "" : r.raw());
      return HexFormat.of().formatHex(md.digest(k.getBytes(StandardCharsets.UTF_8)), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
