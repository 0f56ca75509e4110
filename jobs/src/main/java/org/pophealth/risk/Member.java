package org.pophealth.risk;

import java.io.Serializable;
import java.time.LocalDate;

/**
 * Demographics of one person for CMS-HCC scoring.
 *
 * @param sex 'M' or 'F'
 * @param orec original reason for entitlement: 0 old age, 1 disability, 2 ESRD, 3 disability and ESRD
 */
public record Member(
    String id, char sex, LocalDate birthDate, int orec, DualStatus dual, boolean institutional, boolean newEnrollee)
    implements Serializable {

  /** Medicare-Medicaid dual eligibility. */
  public enum DualStatus {
    NON, PARTIAL, FULL;

    /** {@code non}, {@code partial}, {@code full} (any case). */
    public static DualStatus parse(String s) {
      return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "non" -> NON;
        case "partial" -> PARTIAL;
        case "full" -> FULL;
        default -> throw new IllegalArgumentException("dual_status must be non, partial or full");
      };
    }
  }

  /** Age in whole years on February 1 of the payment year (the CMS-HCC demographic age). */
  public int ageFeb1(int paymentYear) {
    return java.time.Period.between(birthDate, LocalDate.of(paymentYear, 2, 1)).getYears();
  }
}
