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
 * @param graftMonths for {@link EsrdStatus#TRANSPLANT} and {@link EsrdStatus#GRAFT}: the month being scored counted
 *     from the kidney transplant, the transplant month being month 1 (CMS: transplant months 1-3, then functioning
 *     graft with 4-9 or 10+ months since the transplant); null otherwise
 */
public record Member(
    String id, char sex, LocalDate birthDate, int orec, DualStatus dual, boolean institutional, boolean newEnrollee,
    EsrdStatus esrd, Integer crec, boolean csnp, Integer graftMonths)
    implements Serializable {

  public Member {
    java.util.Objects.requireNonNull(esrd, "esrd");
    boolean afterTransplant = esrd == EsrdStatus.TRANSPLANT || esrd == EsrdStatus.GRAFT;
    if (afterTransplant != (graftMonths != null)) {
      throw new IllegalArgumentException("months since the transplant go with ESRD status transplant or graft only");
    }
    if (esrd == EsrdStatus.TRANSPLANT && (graftMonths < 1 || graftMonths > TRANSPLANT_MONTHS)) {
      throw new IllegalArgumentException("ESRD status transplant covers months 1-" + TRANSPLANT_MONTHS
          + " counted from the transplant month (month 1), not " + graftMonths);
    }
    if (esrd == EsrdStatus.GRAFT && graftMonths <= TRANSPLANT_MONTHS) {
      throw new IllegalArgumentException("ESRD status graft starts in month " + (TRANSPLANT_MONTHS + 1)
          + " counted from the transplant month (month 1); months 1-" + TRANSPLANT_MONTHS + " are status transplant,"
          + " not " + graftMonths);
    }
  }

  /** CMS pays the kidney transplant factors for the transplant month and the two months after it. */
  public static final int TRANSPLANT_MONTHS = 3;

  public Member(
      String id, char sex, LocalDate birthDate, int orec, DualStatus dual, boolean institutional, boolean newEnrollee,
      EsrdStatus esrd, Integer crec, boolean csnp) {
    this(id, sex, birthDate, orec, dual, institutional, newEnrollee, esrd, crec, csnp, null);
  }

  /** A person not in ESRD status. */
  public Member(
      String id, char sex, LocalDate birthDate, int orec, DualStatus dual, boolean institutional, boolean newEnrollee) {
    this(id, sex, birthDate, orec, dual, institutional, newEnrollee, EsrdStatus.NONE, null, false);
  }

  /** The same person with an ESRD status (not transplant or graft) and current reason for entitlement. */
  public Member withEsrd(EsrdStatus status, Integer currentReason) {
    return new Member(id, sex, birthDate, orec, dual, institutional, newEnrollee, status, currentReason, csnp, null);
  }

  /**
   * The same person after a kidney transplant: status transplant in months 1-3 counted from the transplant month
   * (month 1), functioning graft from month 4 on.
   */
  public Member afterTransplant(int monthsSinceTransplant, Integer currentReason) {
    EsrdStatus status = monthsSinceTransplant <= TRANSPLANT_MONTHS ? EsrdStatus.TRANSPLANT : EsrdStatus.GRAFT;
    return new Member(id, sex, birthDate, orec, dual, institutional, newEnrollee, status, currentReason, csnp,
        monthsSinceTransplant);
  }

  /** The same person, enrolled in a C-SNP or not. */
  public Member withCsnp(boolean chronicSnp) {
    return new Member(id, sex, birthDate, orec, dual, institutional, newEnrollee, esrd, crec, chronicSnp, graftMonths);
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
   * ESRD status in the payment month: on dialysis (ESRD dialysis model), in the three months of a kidney transplant
   * (transplant factors), or with a functioning graft (functioning graft model, by months since the transplant).
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
