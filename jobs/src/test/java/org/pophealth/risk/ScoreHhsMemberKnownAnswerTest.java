package org.pophealth.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pophealth.risk.HhsTables.Metal;

/**
 * HHS-HCC known answers computed by hand from the benefit year 2022 tables in measures/risk/hhs-hcc/: each test
 * names the rows of hhs_dx_to_cc_2022.csv, hhs_dx_edits_v07.csv, hhs_hierarchies_v07.csv and
 * hhs_coefficients_2022.csv (model, variable, metal column) it adds up. Ages are AGE_LAST, the age on the last day
 * of enrollment (December 31, 2022 unless said otherwise). Plain JUnit, no Spark.
 */
class ScoreHhsMemberKnownAnswerTest {
  private static final ScoreHhsMember BY2022 = new ScoreHhsMember(HhsTables.forBenefitYear(2022));

  private static HhsMember member(char sex, String birth, Metal metal, int months) {
    return new HhsMember("m1", sex, LocalDate.parse(birth), metal, months, 2022);
  }

  private static List<Diagnosis> dx(String... codes) {
    return Arrays.stream(codes).map(Diagnosis::of).toList();
  }

  private static double factor(ScoreHhsMember.HhsScore s, String variable) {
    return s.factors().stream().filter(f -> f.variable().equals(variable)).findFirst().orElseThrow(
        () -> new AssertionError(variable + " not among " + s.factors())).coefficient();
  }

  private static boolean has(ScoreHhsMember.HhsScore s, String variable) {
    return s.factors().stream().anyMatch(f -> f.variable().equals(variable));
  }

  @Test
  void adultWithSevereIllnessInteractionGroupAndRxcInteraction() {
    // woman born 1977-03-10: 45 on 2022-12-31 -> Adult; silver; 12 months (no ED factor)
    // dx: A419 -> 2 (sepsis, a severe illness HCC), C7800 -> 8 (metastatic cancer, in INT_GROUP_H),
    //     E1165 -> 21 (diabetes, group G01); HCPCS J1815 -> RXC 6 (insulin)
    // Adult silver: FAGE_LAST_45_49 0.234 + HHS_HCC002 6.847 + HHS_HCC008 22.379 + G01 0.299
    //   + INT_GROUP_H 6.514 (severe illness x HCC 8) + RXC_06 1.238 + RXC_06_x_HCC018_019_020_021 0.371 (RXC 6 x HCC 21)
    //   = 37.882
    ScoreHhsMember.HhsScore s = BY2022.score(member('F', "1977-03-10", Metal.SILVER, 12), dx("A419", "C7800", "E1165"),
        Set.of(6));
    assertEquals("Adult-Silver", s.segment());
    assertEquals(List.of("HHS_HCC002", "HHS_HCC008", "HHS_HCC021"), s.hccs());
    assertEquals(List.of("RXC_06"), s.rxcs());
    assertEquals(37.882, s.raw(), 1e-9);
    assertEquals(37.882, s.csrAdjusted(), 1e-9, "csr_indicator 0: no adjustment");
    assertEquals(6.514, factor(s, "INT_GROUP_H"), 1e-9);
    assertFalse(has(s, "HHS_HCC021"), "HCC 21 scores through its group G01 only");
    assertFalse(s.factors().stream().anyMatch(f -> f.variable().startsWith("ED_")), "12 months: no ED factor");
    // the same member without sepsis: no severe illness, so no INT_GROUP_H: 37.882 - 6.847 - 6.514 = 24.521
    assertEquals(24.521, BY2022.score(member('F', "1977-03-10", Metal.SILVER, 12), dx("C7800", "E1165"), Set.of(6)).raw(),
        1e-9);
  }

  @Test
  void csrAdjustmentOfSilverEnrolleeAt94PercentVariant() {
    // hhs_csr_factors: csr_indicator 1, metal S -> 1.12; same member as above: 37.882 x 1.12 = 42.42784 -> 42.428
    HhsMember m = new HhsMember("m1", 'F', LocalDate.parse("1977-03-10"), Metal.SILVER, 12, LocalDate.of(2022, 12, 31), 1);
    ScoreHhsMember.HhsScore s = BY2022.score(m, dx("A419", "C7800", "E1165"), Set.of(6));
    assertEquals(37.882, s.raw(), 1e-9);
    assertEquals(42.428, s.csrAdjusted(), 1e-9);
    // csr_indicator 5 is for gold (1.07): a silver member with it keeps factor 1
    HhsMember gold5 = new HhsMember("m1", 'F', LocalDate.parse("1977-03-10"), Metal.SILVER, 12, LocalDate.of(2022, 12, 31), 5);
    assertEquals(37.882, BY2022.score(gold5, dx("A419", "C7800", "E1165"), Set.of(6)).csrAdjusted(), 1e-9);
  }

  @Test
  void adultHierarchyAndEnrollmentDuration() {
    // man born 1992-06-01: 30 -> Adult; gold; 6 months enrolled -> ED_6
    // dx: E1010 -> 19 and 22 (duplicate assignment D), E1122 -> 20; hhs_hierarchies: 19 drops 20, 21
    // Adult gold: MAGE_LAST_30_34 0.109 + G01 0.36 (HCC 19) + HHS_HCC022 0.35 + ED_6 0.134 = 0.953
    ScoreHhsMember.HhsScore s = BY2022.score(member('M', "1992-06-01", Metal.GOLD, 6), dx("E1010", "E1122"), Set.of());
    assertEquals("Adult-Gold", s.segment());
    assertEquals(List.of("HHS_HCC019", "HHS_HCC022"), s.hccs());
    assertEquals(0.953, s.raw(), 1e-9);
    assertEquals(0.134, factor(s, "ED_6"), 1e-9);
    assertEquals(List.of("E1010"), s.factors().stream().filter(f -> f.variable().equals("G01")).findFirst()
        .orElseThrow().dxCodes());
  }

  @Test
  void liverHierarchyCirrhosisDropsHepatitisC() {
    // woman born 1967-01-15: 55 -> Adult; bronze; 12 months
    // dx: K7460 -> 36 (cirrhosis), B182 -> 37.1 (chronic hepatitis C); hhs_hierarchies: 36 drops 37_1, 37_2
    // Adult bronze: FAGE_LAST_55_59 0.156 + HHS_HCC036 0.819 = 0.975
    ScoreHhsMember.HhsScore s = BY2022.score(member('F', "1967-01-15", Metal.BRONZE, 12), dx("K7460", "B182"), Set.of());
    assertEquals(List.of("HHS_HCC036"), s.hccs());
    assertEquals(0.975, s.raw(), 1e-9);
  }

  @Test
  void rxcHierarchyInsulinDropsOtherAntiDiabetics() {
    // man born 1992-06-01 (30), catastrophic, 12 months, no diagnoses; RXC 6 and RXC 7: the RXC hierarchy drops 7
    // Adult catastrophic: MAGE_LAST_30_34 0.027 + RXC_06 1.035 = 1.062 (RXC_07 0.391 not counted; no HCC, so no
    // RXC x HCC interaction)
    ScoreHhsMember.HhsScore s = BY2022.score(member('M', "1992-06-01", Metal.CATASTROPHIC, 12), List.of(), Set.of(6, 7));
    assertEquals(List.of("RXC_06"), s.rxcs());
    assertEquals(1.062, s.raw(), 1e-9);
  }

  @Test
  void childWithGroupAndZeroedHcc() {
    // boy born 2012-05-05: 10 -> Child; platinum; 6 months (children have no ED factors)
    // dx: J4550 -> 161.1 (severe asthma), F840 -> 102 (autism), E1010 -> 19 and 22 (D); the child model sets HCC 22
    // to 0 and scores HCC 19 through group G01
    // Child platinum: MAGE_LAST_10_14 0.203 + HHS_HCC102 2.668 + HHS_HCC161_1 0.807 + G01 2.612 = 6.290
    ScoreHhsMember.HhsScore s = BY2022.score(member('M', "2012-05-05", Metal.PLATINUM, 6), dx("J4550", "F840", "E1010"),
        Set.of(6));
    assertEquals("Child-Platinum", s.segment());
    assertEquals(List.of("HHS_HCC019", "HHS_HCC102", "HHS_HCC161_1"), s.hccs());
    assertEquals(List.of(), s.rxcs(), "RXCs score in the adult model only");
    assertEquals(6.290, s.raw(), 1e-9);
    assertFalse(s.factors().stream().anyMatch(f -> f.variable().startsWith("ED_")));
  }

  @Test
  void infantMaturityBySeverity() {
    // girl born 2022-03-01: 0 on 2022-12-31 -> Infant; silver; 10 months
    // dx: P0731 -> 245 (immature newborn), Q212 -> 138 (major congenital heart disorder: severity level 4)
    // Infant silver: IMMATURE_X_SEVERITY4 66.748 (girls have no sex factor) = 66.748
    ScoreHhsMember.HhsScore s = BY2022.score(member('F', "2022-03-01", Metal.SILVER, 10), dx("P0731", "Q212"), Set.of());
    assertEquals("Infant-Silver", s.segment());
    assertEquals(66.748, s.raw(), 1e-9);
    assertEquals(List.of("HHS_HCC138", "HHS_HCC245"), s.hccs());
    // the same as a boy: + AGE0_MALE 0.529 = 67.277
    assertEquals(67.277, BY2022.score(member('M', "2022-03-01", Metal.SILVER, 10), dx("P0731", "Q212"), Set.of()).raw(),
        1e-9);
    // an age-0 boy without a birth HCC and without diagnoses: AGE1_MALE 0.069 + AGE1_X_SEVERITY1 0.441 = 0.510
    ScoreHhsMember.HhsScore none = BY2022.score(member('M', "2022-05-01", Metal.SILVER, 8), List.of(), Set.of());
    assertEquals(0.510, none.raw(), 1e-9);
    assertTrue(has(none, "AGE1_MALE") && has(none, "AGE1_X_SEVERITY1"));
  }

  @Test
  void ageSexSplitsOfTheV07Software() {
    // hhs_dx_edits_v07: C50911 (breast cancer, mapped to 12) gives HCC 11 below age 50
    // woman born 1977-03-10 (45), silver: FAGE_LAST_45_49 0.234 + HHS_HCC011 3.517 = 3.751
    ScoreHhsMember.HhsScore young = BY2022.score(member('F', "1977-03-10", Metal.SILVER, 12), dx("C50911"), Set.of());
    assertEquals(List.of("HHS_HCC011"), young.hccs());
    assertEquals(3.751, young.raw(), 1e-9);
    // woman born 1967-01-15 (55), silver: FAGE_LAST_55_59 0.241 + HHS_HCC012 2.35 = 2.591
    ScoreHhsMember.HhsScore older = BY2022.score(member('F', "1967-01-15", Metal.SILVER, 12), dx("C50911"), Set.of());
    assertEquals(List.of("HHS_HCC012"), older.hccs());
    assertEquals(2.591, older.raw(), 1e-9);
    // D66 (hemophilia, mapped to 66) in a woman gives HCC 75: born 1992-06-01 (30), silver:
    // FAGE_LAST_30_34 0.155 + HHS_HCC075 2.486 = 2.641; in a man HCC 66: MAGE_LAST_30_34 0.065 + HHS_HCC066 69.594 = 69.659
    assertEquals(2.641, BY2022.score(member('F', "1992-06-01", Metal.SILVER, 12), dx("D66"), Set.of()).raw(), 1e-9);
    assertEquals(69.659, BY2022.score(member('M', "1992-06-01", Metal.SILVER, 12), dx("D66"), Set.of()).raw(), 1e-9);
    // J410 (chronic bronchitis, mapped to 160) below 18 gives 161.1: boy of 10, platinum:
    // MAGE_LAST_10_14 0.203 + HHS_HCC161_1 0.807 = 1.010 (HHS_HCC160 2.923 would apply from 18)
    ScoreHhsMember.HhsScore child = BY2022.score(member('M', "2012-05-05", Metal.PLATINUM, 12), dx("J410"), Set.of());
    assertEquals(List.of("HHS_HCC161_1"), child.hccs());
    assertEquals(1.010, child.raw(), 1e-9);
    // J449 (COPD, 160) is out of the model below age 2: an infant born 2021-02-01 (1) keeps severity level 1:
    // girl, gold: AGE1_X_SEVERITY1 0.494 (no HCC 160, which would be severity 2: AGE1_X_SEVERITY2 1.743)
    ScoreHhsMember.HhsScore infant = BY2022.score(member('F', "2021-02-01", Metal.GOLD, 12), dx("J449"), Set.of());
    assertEquals(List.of(), infant.hccs());
    assertEquals(0.494, infant.raw(), 1e-9);
  }

  @Test
  void ageIsTakenOnTheLastDayOfEnrollment() {
    // born 2001-09-15: 20 on 2022-06-30 (Child) but 21 on 2022-12-31 (Adult); no diagnoses, silver
    // Child silver MAGE_LAST_15_20 0.126; Adult silver MAGE_LAST_21_24 0.049 + ED_6 0.113 = 0.162
    HhsMember june = new HhsMember("m1", 'M', LocalDate.parse("2001-09-15"), Metal.SILVER, 6, LocalDate.of(2022, 6, 30), 0);
    assertEquals(20, june.ageLast());
    assertEquals("Child-Silver", BY2022.score(june, List.of(), Set.of()).segment());
    assertEquals(0.126, BY2022.score(june, List.of(), Set.of()).raw(), 1e-9);
    HhsMember december = member('M', "2001-09-15", Metal.SILVER, 6);
    assertEquals("Adult-Silver", BY2022.score(december, List.of(), Set.of()).segment());
    assertEquals(0.162, BY2022.score(december, List.of(), Set.of()).raw(), 1e-9);
  }

  @Test
  void tableNamesAndUnknownYear() {
    assertEquals("HHS_HCC035_1", HhsTables.hcc("35.1"));
    assertEquals("HHS_HCC035_1", HhsTables.hcc("35_1"));
    assertEquals("HHS_HCC002", HhsTables.hcc("2"));
    assertEquals("RXC_06", HhsTables.rxc(6));
    assertEquals(Metal.CATASTROPHIC, Metal.parse("c"));
    assertEquals(Metal.BRONZE, Metal.parse("Bronze"));
    assertEquals("Heart Failure", BY2022.tables().label("HHS_HCC130"));
    assertEquals("Insulin", BY2022.tables().label("RXC_06"));
    assertThrows(IllegalArgumentException.class, () -> HhsTables.forBenefitYear(2019));
  }
}
