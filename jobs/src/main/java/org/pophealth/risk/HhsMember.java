package org.pophealth.risk;

import java.time.LocalDate;
import java.time.Period;

/**
 * One enrollee of an individual or small group (ACA) plan for HHS-HCC scoring.
 *
 * @param sex 'M' or 'F'
 * @param metal the plan's metal level (picks the coefficient column)
 * @param enrollmentMonths months enrolled in the benefit year, 1-12 (adult enrollment duration factors ED_1-ED_11)
 * @param enrollmentEnd the last day of enrollment in the benefit year (AGE_LAST is the age on this day)
 * @param csrIndicator cost-sharing reduction indicator 0-13 (0: none), for the CSR-adjusted score
 */
public record HhsMember(
    String id, char sex, LocalDate birthDate, HhsTables.Metal metal, int enrollmentMonths, LocalDate enrollmentEnd,
    int csrIndicator) {

  public HhsMember {
    java.util.Objects.requireNonNull(metal, "metal");
    java.util.Objects.requireNonNull(enrollmentEnd, "enrollmentEnd");
  }

  /** A member enrolled through December 31 of {@code benefitYear}, without cost-sharing reduction. */
  public HhsMember(String id, char sex, LocalDate birthDate, HhsTables.Metal metal, int enrollmentMonths,
      int benefitYear) {
    this(id, sex, birthDate, metal, enrollmentMonths, LocalDate.of(benefitYear, 12, 31), 0);
  }

  /** AGE_LAST of the DIY software: age in whole years on the last day of enrollment in the benefit year. */
  public int ageLast() {
    return Period.between(birthDate, enrollmentEnd).getYears();
  }
}
