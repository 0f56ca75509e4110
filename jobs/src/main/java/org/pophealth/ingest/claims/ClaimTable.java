package org.pophealth.ingest.claims;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The three kinds of claims rows, their silver tables and the columns a row cannot do without. */
public enum ClaimTable {
  MEDICAL("medical_claim", List.of("claim_id", "claim_line_number", "claim_type", "member_id")),
  PHARMACY("pharmacy_claim", List.of("claim_id", "member_id", "ndc_code", "dispensing_date")),
  ELIGIBILITY("eligibility", List.of("member_id", "enrollment_start_date"));

  /** Silver columns the ingest fills itself (never read from a file). */
  public static final Set<String> DERIVED = Set.of("person_id", "source_claim_id", "claim_versions", "family_rule",
      "family_confidence",
      "eligibility_matched", "source", "ingest_run_id", "bronze_file", "bronze_line");

  private final String tableName;
  private final List<String> required;

  ClaimTable(String tableName, List<String> required) {
    this.tableName = tableName;
    this.required = required;
  }

  public String tableName() {
    return tableName;
  }

  public String silverTable() {
    return "silver." + tableName;
  }

  public List<String> required() {
    return required;
  }

  public static ClaimTable of(String tableName) {
    for (ClaimTable t : values()) {
      if (t.tableName.equals(tableName)) {
        return t;
      }
    }
    throw new IllegalArgumentException("not a claims table: " + tableName);
  }

  /** The table a delivered file feeds, from its name: {@code medical_claim*.csv}, {@code eligibility_2025.parquet}... */
  public static Optional<ClaimTable> forFileName(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    for (ClaimTable t : values()) {
      if (n.startsWith(t.tableName)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
