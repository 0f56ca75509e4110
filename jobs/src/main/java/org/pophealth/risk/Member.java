package org.pophealth.risk;

import java.io.Serializable;
import java.time.LocalDate;

/**
 * Demographics of one person for CMS-HCC and ESRD scoring.
 *
 * @param sex 'M' or 'F'
 * @param orec original reason for entitlement: 0 old age, 1 disability, 2 ESRD, 3 disability and ESRD
 * @param esrd ESRD status: {@link EsrdStatus#NONE} for everyone the ESRD models do not score
 * @param crec current reason for entitlement (0-3), null when unknown; carried, not used by the scores
 * @param csnp enrolled in a chronic-condition special needs plan (C-SNP): a new enrollee is scored in the C-SNP
 *     new enrollee segment (SNPNE) of the CMS-HCC models
 */
public record Member(
    String id, char sex, LocalDate birthDate, int orec, DualStatus dual, boolean institutional, boolean newEnrollee,
    EsrdStatus esrd, Integer crec, boolean csnp)
    implements Serializable {

  public Member {
    java.util.Objects.requireNonNull(esrd, "esrd");
  }

  /** A person not in ESRD status. */
  public Member(
      String id, char sex, LocalDate birthDate, int orec, DualStatus dual, boolean institutional, boolean newEnrollee) {
    this(id, sex, birthDate, orec, dual, institutional, newEnrollee, EsrdStatus.NONE, null, false);
  }

  /** The same person with an ESRD status and current reason for entitlement. */
  public Member withEsrd(EsrdStatus status, Integer currentReason) {
    return new Member(id, sex, birthDate, orec, dual, institutional, newEnrollee, status, currentReason, csnp);
  }

  /** The same person, enrolled in a C-SNP or not. */
  public Member withCsnp(boolean chronicSnp) {
    return new Member(id, sex, birthDate, orec, dual, institutional, newEnrollee, esrd, crec, chronicSnp);
  }

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

  /**
   * ESRD status in the payment month: on dialysis, with a functioning graft, or in the months of a kidney
   * transplant. Only {@link #DIALYSIS} is scored (ESRD-V24 segments DI and DNE).
   */
  public enum EsrdStatus {
    NONE, DIALYSIS, GRAFT, TRANSPLANT;

    /** {@code dialysis}, {@code graft}, {@code transplant} (any case); empty is {@link #NONE}. */
    public static EsrdStatus parse(String s) {
      return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "" -> NONE;
        case "dialysis" -> DIALYSIS;
        case "graft" -> GRAFT;
        case "transplant" -> TRANSPLANT;
        default -> throw new IllegalArgumentException("esrd_status must be dialysis, graft, transplant or empty");
      };
    }
  }

  /** Age in whole years on February 1 of the payment year (the CMS-HCC demographic age). */
  public int ageFeb1(int paymentYear) {
    return java.time.Period.between(birthDate, LocalDate.of(paymentYear, 2, 1)).getYears();
  }
}
