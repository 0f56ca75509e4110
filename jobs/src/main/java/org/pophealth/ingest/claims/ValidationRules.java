package org.pophealth.ingest.claims;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Severities of the configurable validation rules ({@code claims.rules} in the config) and the
 * amount ceiling. Rules that make a row unreadable (malformed-row, missing-required, bad-date,
 * bad-number, bad-value) are always errors. {@code quality}: the data-quality tests as data
 * ({@code measures/claims-quality/}, {@code claims.quality_dir}); null = the packaged ones.
 */
public record ValidationRules(Map<String, String> severities, BigDecimal maxAmount, ClaimQualityTests quality)
    implements Serializable {
  public static final String ERROR = "error";
  public static final String WARNING = "warning";
  public static final String OFF = "off";

  /** Rule codes that are always errors (a data-quality test cannot take their names). */
  public static final java.util.Set<String> BUILT_IN = java.util.Set.of("malformed-row", "missing-required",
      "bad-date", "bad-number", "bad-value", "bad-encoding");

  /** The defaults, as in pophealth-defaults.yaml. */
  public static final Map<String, String> DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("bad-icd10cm", ERROR);
    d.put("bad-icd10pcs", ERROR);
    d.put("bad-hcpcs", ERROR);
    d.put("bad-modifier", WARNING);
    d.put("bad-ndc", ERROR);
    d.put("bad-npi", WARNING);
    d.put("date-order", ERROR);
    d.put("paid-before-service", WARNING);
    d.put("negative-amount", WARNING);
    d.put("absurd-amount", ERROR);
    d.put("bad-ssn", WARNING);
    d.put("outside-eligibility", WARNING);
    DEFAULTS = java.util.Collections.unmodifiableMap(d);
  }

  public ValidationRules {
    Map<String, String> merged = new LinkedHashMap<>(DEFAULTS);
    if (severities != null) {
      for (Map.Entry<String, String> e : severities.entrySet()) {
        if (!DEFAULTS.containsKey(e.getKey())) {
          throw new IllegalArgumentException("claims.rules: unknown rule '" + e.getKey() + "' (known: "
              + DEFAULTS.keySet() + ")");
        }
        String s = e.getValue() == null ? "" : e.getValue().trim().toLowerCase(java.util.Locale.ROOT);
        if (!s.equals(ERROR) && !s.equals(WARNING) && !s.equals(OFF)) {
          throw new IllegalArgumentException("claims.rules." + e.getKey() + " must be error, warning or off");
        }
        merged.put(e.getKey(), s);
      }
    }
    severities = java.util.Collections.unmodifiableMap(merged);
    maxAmount = maxAmount == null ? new BigDecimal("10000000") : maxAmount;
    quality = quality == null ? ClaimQualityTests.packaged() : quality;
  }

  /** The rules with the packaged data-quality tests. */
  public ValidationRules(Map<String, String> severities, BigDecimal maxAmount) {
    this(severities, maxAmount, null);
  }

  public static ValidationRules defaults() {
    return new ValidationRules(Map.of(), null);
  }

  public String severity(String rule) {
    return severities.getOrDefault(rule, ERROR);
  }
}
