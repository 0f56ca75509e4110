package org.pophealth.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pophealth.risk.Member.DualStatus;

/**
 * Known answers computed by hand from the CMS tables (measures/risk/cms-hcc/, copied from
 * ../shared/reference/cms-hcc): each test names the rows of ra_dx_to_cc_2026.csv, ra_hierarchies_2026.csv
 * and ra_coefficients_2026.csv (model_version C24 / C28) it adds up. Plain JUnit, no Spark.
 */
class ScoreMemberKnownAnswerTest {
  private static final ScoreMember PY2026 = new ScoreMember(RiskReference.forPaymentYear(2026));
  private static final ScoreMember PY2025 = new ScoreMember(RiskReference.forPaymentYear(2025));

  /** Born 1955-01-15: 70 on 2025-02-01, 71 on 2026-02-01 (both in the 70-74 cells). */
  private static Member man70() {
    return new Member("m1", 'M', LocalDate.of(1955, 1, 15), 0, DualStatus.NON, false, false);
  }

  private static List<Diagnosis> dx(String... codes) {
    return Arrays.stream(codes).map(Diagnosis::of).toList();
  }

  // E1122 diabetes with CKD, E119 diabetes w/o complication, I5022 chronic systolic HF, N184 CKD 4, J449 COPD
  private static final List<Diagnosis> HANDFUL = dx("E1122", "E119", "I5022", "N184", "J449");

  @Test
  void v24CommunityNonDualAgedManWithHierarchyAndInteractions() {
    // ra_dx_to_cc V24: E1122->18, E119->19, I5022->85, N184->137, J449->111
    // ra_hierarchies V24: 18,19 (HCC18 drops HCC19)
    // C24: CNA_M70_74 0.394 + CNA_HCC18 0.302 + CNA_HCC85 0.331 + CNA_HCC137 0.289 + CNA_HCC111 0.335
    //    + CNA_DIABETES_CHF 0.121 (DIABETES x CHF) + CNA_CHF_gCopdCF 0.155 (CHF x HCC111)
    //    + CNA_HCC85_gRenal_V24 0.156 (HCC85 x HCC137) + CNA_D4 0.006 (4 payment HCCs) = 2.089
    ModelScore s = PY2026.score("V24", man70(), HANDFUL);
    assertEquals("CNA", s.segment());
    assertEquals(List.of(18, 85, 111, 137), s.hccs());
    assertEquals(2.089, s.raw(), 1e-9);
    assertEquals(1.823, s.normalized(), 1e-9); // 2.089 / 1.146 = 1.8229 (PY2026 file reuses PY2025's V24 factor)
    assertTrue(s.factors().stream().anyMatch(f -> f.variable().equals("CNA_DIABETES_CHF") && f.coefficient() == 0.121));
    assertFalse(s.factors().stream().anyMatch(f -> f.variable().equals("CNA_HCC19")), "HCC19 dropped by HCC18");
  }

  @Test
  void v28CommunityNonDualAgedManWithHierarchyAndInteractions() {
    // ra_dx_to_cc V28: E1122->37, E119->38, I5022->226, N184->327, J449->280
    // ra_hierarchies V28: 37,38 (HCC37 drops HCC38)
    // C28: CNA_M70_74 0.396 + CNA_HCC37 0.166 + CNA_HCC226 0.36 + CNA_HCC327 0.514 + CNA_HCC280 0.319
    //    + CNA_DIABETES_HF_V28 0.112 + CNA_HF_CHR_LUNG_V28 0.078 + CNA_HF_KIDNEY_V28 0.176 + CNA_D4 0 = 2.121
    ModelScore s = PY2026.score("V28", man70(), HANDFUL);
    assertEquals(List.of(37, 226, 280, 327), s.hccs());
    assertEquals(2.121, s.raw(), 1e-9);
    // PY2026: normalised 2.121 / 1.067 = 1.98782 -> 1.988; payment 1.988 x (1 - 0.059) = 1.8707 -> 1.871
    assertEquals(1.988, s.normalized(), 1e-9);
    assertEquals(1.871, s.payment(), 1e-9);
    Factor hf = s.factors().stream().filter(f -> f.variable().equals("CNA_HCC226")).findFirst().orElseThrow();
    assertEquals(List.of("I5022"), hf.dxCodes());
    assertEquals(226, hf.hcc());
    // the 2026 blend is 100% V28
    ModelScore blend = PY2026.score("blend", man70(), HANDFUL);
    assertEquals(1.988, blend.normalized(), 1e-9);
    assertEquals(1.871, blend.payment(), 1e-9);
  }

  @Test
  void blend2025() {
    // V24 2.089 / 1.146 = 1.8229 -> 1.823; V28 2.121 / 1.045 = 2.0297 -> 2.030
    // 0.33 x 1.823 + 0.67 x 2.030 = 0.60159 + 1.36010 = 1.96169 -> 1.962; x 0.941 = 1.84624 -> 1.846
    ModelScore b = PY2025.score("blend", man70(), HANDFUL);
    assertEquals(1.962, b.normalized(), 1e-9);
    assertEquals(1.846, b.payment(), 1e-9);
    assertEquals(ScoreMember.BLEND, b.model());
  }

  @Test
  void noDiagnosesIsDemographicsOnly() {
    assertEquals(0.394, PY2026.score("V24", man70(), List.of()).raw(), 1e-9); // CNA_M70_74 C24
    ModelScore v28 = PY2026.score("V28", man70(), List.of());
    assertEquals(0.396, v28.raw(), 1e-9); // CNA_M70_74 C28
    assertEquals(1, v28.factors().size());
    assertTrue(v28.hccs().isEmpty());
  }

  @Test
  void sexEditHemophiliaInWoman() {
    // ra_dx_edits: D66 sex 2 override -> CC 112 (V28). D66 maps to V28 HCC111 otherwise, V24 HCC46 (no V24 edits).
    Member woman = new Member("f1", 'F', LocalDate.of(1955, 1, 15), 0, DualStatus.NON, false, false);
    ModelScore v28 = PY2026.score("V28", woman, dx("D66"));
    assertEquals(List.of(112), v28.hccs());
    assertEquals(0.845, v28.raw(), 1e-9); // CNA_F70_74 0.395 + CNA_HCC112 0.45 + CNA_D1 0
    ModelScore man = PY2026.score("V28", man70(), dx("D66"));
    assertEquals(List.of(111), man.hccs());
    assertEquals(5.035, man.raw(), 1e-9); // CNA_M70_74 0.396 + CNA_HCC111 4.639 + CNA_D1 0
    assertEquals(1.758, PY2026.score("V24", woman, dx("D66")).raw(), 1e-9); // CNA_F70_74 0.386 + CNA_HCC46 1.372
  }

  @Test
  void ageEditChronicBronchitisUnder18() {
    // ra_dx_edits: J410 age_max 17 invalid (V28). 17 on 2026-02-01, OREC 1, non-dual: segment CND.
    Member teen = new Member("t1", 'F', LocalDate.of(2008, 6, 1), 1, DualStatus.NON, false, false);
    ModelScore v28 = PY2026.score("V28", teen, dx("J410"));
    assertEquals("CND", v28.segment());
    assertTrue(v28.hccs().isEmpty());
    assertEquals(0.238, v28.raw(), 1e-9); // CND_F0_34 C28 only
    // V24 (no edits in the reference): J410 -> HCC111; CND_F0_34 0.241 + CND_HCC111 0.246 + CND_D1 0
    assertEquals(0.487, PY2026.score("V24", teen, dx("J410")).raw(), 1e-9);
    // at 18 the edit no longer applies: HCC280; CND_F0_34 0.238 + CND_HCC280 0.209 + CND_D1 0
    Member adult = new Member("t2", 'F', LocalDate.of(2008, 1, 1), 1, DualStatus.NON, false, false);
    assertEquals(0.447, PY2026.score("V28", adult, dx("J410")).raw(), 1e-9);
  }

  @Test
  void newEnrolleeIsDemographicsOnly() {
    // 67 on 2026-02-01, full dual, OREC 0: NE_MCAID_NORIGDIS_NEM67 (C28 1.319, C24 1.151); diagnoses ignored
    Member ne = new Member("n1", 'M', LocalDate.of(1958, 6, 1), 0, DualStatus.FULL, false, true);
    ModelScore v28 = PY2026.score("V28", ne, HANDFUL);
    assertEquals("NE", v28.segment());
    assertEquals(1.319, v28.raw(), 1e-9);
    assertTrue(v28.hccs().isEmpty());
    assertEquals(1.151, PY2026.score("V24", ne, HANDFUL).raw(), 1e-9);
    // originally disabled woman, 67, non-dual, OREC 1: NE_NMCAID_ORIGDIS_NEF67 C28 1.276
    // the same man in a chronic-condition SNP: SNPNE_MCAID_NORIGDIS_NEM67 (C28 1.477, C24 1.646)
    ModelScore snp = PY2026.score("V28", ne.withCsnp(true), HANDFUL);
    assertEquals("SNPNE", snp.segment());
    assertEquals(1.477, snp.raw(), 1e-9);
    assertTrue(snp.hccs().isEmpty());
    assertEquals(1.646, PY2026.score("V24", ne.withCsnp(true), HANDFUL).raw(), 1e-9);
    // C-SNP does not matter for a continuing enrollee: the community segment
    Member continuing = new Member("n3", 'M', LocalDate.of(1958, 6, 1), 0, DualStatus.FULL, false, false).withCsnp(true);
    assertEquals("CFA", PY2026.score("V28", continuing, List.of()).segment());
    Member orig = new Member("n2", 'F', LocalDate.of(1958, 6, 1), 1, DualStatus.NON, false, true);
    assertEquals(1.276, PY2026.score("V28", orig, List.of()).raw(), 1e-9);
    // 64 on Feb 1 and entitled by age (OREC 0): the 65 cell, NE_NMCAID_NORIGDIS_NEF65 C28 0.532
    Member young = new Member("n3", 'F', LocalDate.of(1961, 6, 1), 0, DualStatus.NON, false, true);
    assertEquals(0.532, PY2026.score("V28", young, List.of()).raw(), 1e-9);
  }

  @Test
  void institutional() {
    // 82 on 2026-02-01, partial dual (LTIMCAID), OREC 0; E1122 + I5022
    // C28: INS_M80_84 1.238 + INS_LTIMCAID 0.13 + INS_HCC37 0.28 + INS_HCC226 0.217 + INS_DIABETES_HF_V28 0.209
    //      + INS_D2 0 = 2.074
    // C24: INS_M80_84 1.207 + INS_LTIMCAID 0.061 + INS_HCC18 0.44 + INS_HCC85 0.203 + INS_DIABETES_CHF 0.169
    //      = 2.080 (no count variables in V24 INS)
    Member ins = new Member("i1", 'M', LocalDate.of(1943, 5, 1), 0, DualStatus.PARTIAL, true, false);
    ModelScore v28 = PY2026.score("V28", ins, dx("E1122", "I5022"));
    assertEquals("INS", v28.segment());
    assertEquals(2.074, v28.raw(), 1e-9);
    assertEquals(2.080, PY2026.score("V24", ins, dx("E1122", "I5022")).raw(), 1e-9);
  }

  @Test
  void institutionalDisabledInteraction() {
    // 50, OREC 1 (DISABL), institutional, I5022
    // C28: INS_M45_54 0.991 + INS_HCC226 0.217 + INS_DISABLED_HF_V28 0.488 + INS_D1 0 = 1.696
    // C24: INS_M45_54 0.965 + INS_HCC85 0.203 + INS_DISABLED_HCC85 0.279 = 1.447
    Member m = new Member("i2", 'M', LocalDate.of(1975, 6, 1), 1, DualStatus.NON, true, false);
    ModelScore v28 = PY2026.score("V28", m, dx("I5022"));
    assertEquals(1.696, v28.raw(), 1e-9);
    assertTrue(v28.factors().stream().anyMatch(f -> f.kind().equals("disabled_interaction")));
    assertEquals(1.447, PY2026.score("V24", m, dx("I5022")).raw(), 1e-9);
  }

  @Test
  void originallyDisabledFullDualAged() {
    // 70 on Feb 1, OREC 1, full dual community: CFA_F70_74 + CFA_OriginallyDisabled_Female
    // C28 0.506 + 0.16 = 0.666; C24 0.519 + 0.173 = 0.692
    Member m = new Member("o1", 'F', LocalDate.of(1955, 1, 15), 1, DualStatus.FULL, false, false);
    assertEquals(0.666, PY2026.score("V28", m, List.of()).raw(), 1e-9);
    assertEquals("CFA", PY2026.score("V28", m, List.of()).segment());
    assertEquals(0.692, PY2026.score("V24", m, List.of()).raw(), 1e-9);
  }

  @Test
  void v28Hcc223CountsOnlyWithAnotherHeartCc() {
    // CMS V28 software: CC223 (heart assist device / artificial heart) is set to 0 before hierarchies unless
    // CC221, CC222, CC224, CC225 or CC226 is present (measures/risk/cc_requirements.yaml).
    // ra_dx_to_cc V28: Z95811 -> 223, I5022 -> 226, E1122 -> 37.
    // Z95811 alone: no HCC223 (it would add CNA_HCC223 2.505); CNA_M70_74 C28 0.396 only.
    ModelScore alone = PY2026.score("V28", man70(), dx("Z95811"));
    assertTrue(alone.hccs().isEmpty());
    assertEquals(0.396, alone.raw(), 1e-9);
    // with I5022: CC223 kept, and hierarchy 223 drops 226: CNA_M70_74 0.396 + CNA_HCC223 2.505 + CNA_D1 0 = 2.901
    ModelScore withHf = PY2026.score("V28", man70(), dx("Z95811", "I5022"));
    assertEquals(List.of(223), withHf.hccs());
    assertEquals(2.901, withHf.raw(), 1e-9);
    // with diabetes only (CC37, not a heart CC): HCC223 dropped, so no HF_V28 group and no DIABETES_HF_V28
    // (C28 0.112): CNA_M70_74 0.396 + CNA_HCC37 0.166 + CNA_D1 0 = 0.562
    ModelScore withDiabetes = PY2026.score("V28", man70(), dx("Z95811", "E1122"));
    assertEquals(List.of(37), withDiabetes.hccs());
    assertEquals(0.562, withDiabetes.raw(), 1e-9);
  }

  @Test
  void esrdDialysisContinuingEnrollee() {
    // ESRD-V24 (coefficients D24), woman 71 on 2026-02-01, OREC 2, full dual, community, dialysis: segment DI.
    // ra_dx_to_cc ESRD V24: E1122 -> 18, I5022 -> 85, N184 -> 137.
    // DI_F70_74 0.624 + DI_FBDual_Female_Aged 0.06 + DI_Originally_ESRD_Female -0.024 (OREC 2 at 65+)
    //   + DI_HCC18 0.084 + DI_HCC85 0.063 + DI_HCC137 0 + DI_DIABETES_CHF 0 + DI_HCC85_gRenal_V24 0 = 0.807
    // (no payment-HCC count in the ESRD model); normalised 0.807 / 1.062 = 0.75989 -> 0.760 (PY2026 ESRD dialysis
    // factor); payment 0.760 x 0.941 = 0.71516 -> 0.715.
    Member m = new Member("e1", 'F', LocalDate.of(1955, 1, 15), 2, DualStatus.FULL, false, false)
        .withEsrd(Member.EsrdStatus.DIALYSIS, 2);
    ModelScore s = PY2026.score("ESRD-V24", m, dx("E1122", "I5022", "N184"));
    assertEquals("DI", s.segment());
    assertEquals(List.of(18, 85, 137), s.hccs());
    assertEquals(0.807, s.raw(), 1e-9);
    assertEquals(0.760, s.normalized(), 1e-9);
    assertEquals(0.715, s.payment(), 1e-9);
    assertTrue(s.factors().stream().anyMatch(f -> f.variable().equals("DI_Originally_ESRD_Female")
        && f.kind().equals("demographic")));
    // under 65, OREC 1, institutional man of 50 with A072 (ESRD V24 HCC6): DI_M45_54 0.551 + DI_LTI_NonAged 0.098
    //   + DI_HCC6 0.076 + DI_NONAGED_HCC6 0.043 = 0.768 (no originally-disabled factor under 65)
    Member young = new Member("e2", 'M', LocalDate.of(1975, 6, 1), 1, DualStatus.NON, true, false)
        .withEsrd(Member.EsrdStatus.DIALYSIS, 3);
    assertEquals(0.768, PY2026.score("ESRD-V24", young, dx("A072")).raw(), 1e-9);
  }

  @Test
  void esrdDialysisNewEnrollee() {
    // DNE cells: full-benefit dual or not x originally disabled (OREC 1, at any age) x sex and age band;
    // diagnoses ignored. Woman of 50, OREC 1, full dual: DNE_FBD_ORIGDIS_NEF45_54 1.118.
    Member ne = new Member("d1", 'F', LocalDate.of(1975, 6, 1), 1, DualStatus.FULL, false, true)
        .withEsrd(Member.EsrdStatus.DIALYSIS, 3);
    ModelScore s = PY2026.score("ESRD-V24", ne, HANDFUL);
    assertEquals("DNE", s.segment());
    assertEquals(1.118, s.raw(), 1e-9);
    assertTrue(s.hccs().isEmpty());
    // 64 on Feb 1 and OREC 0 (entitled by age in the year): the 65-69 cell, as in the CMS-HCC new-enrollee
    // model; partial dual counts with non-dual (ND_PBD): DNE_ND_PBD_NORIGDIS_NEM65_69 0.891 (60-64 would be 0.755)
    Member at64 = new Member("d2", 'M', LocalDate.of(1961, 6, 1), 0, DualStatus.PARTIAL, false, true)
        .withEsrd(Member.EsrdStatus.DIALYSIS, 2);
    assertEquals(0.891, PY2026.score("ESRD-V24", at64, List.of()).raw(), 1e-9);
  }

  @Test
  void esrdModelScoresDialysisOnly() {
    assertThrows(IllegalArgumentException.class, () -> PY2026.score("ESRD-V24", man70(), List.of()));
    Member graft = man70().afterTransplant(6, 2);
    assertEquals(Member.EsrdStatus.GRAFT, graft.esrd());
    assertThrows(IllegalArgumentException.class, () -> PY2026.score("ESRD-V24", graft, List.of()));
    assertThrows(IllegalArgumentException.class, () -> PY2026.score("ESRD-V24-GRAFT", man70(), List.of()));
    assertThrows(IllegalArgumentException.class, () -> PY2026.score("ESRD-V24-TRANSPLANT", graft, List.of()));
    // each ESRD status has its paying model; none without a status
    assertEquals("ESRD-V24-GRAFT", PY2026.esrdModel(graft));
    assertEquals("ESRD-V24-TRANSPLANT", PY2026.esrdModel(man70().afterTransplant(3, 2)));
    assertEquals("ESRD-V24", PY2026.esrdModel(man70().withEsrd(Member.EsrdStatus.DIALYSIS, 2)));
    assertEquals(null, PY2026.esrdModel(man70()));
    // months 1-3 are transplant status, 4 on graft: a graft in month 2 is not a member
    assertThrows(IllegalArgumentException.class, () -> new Member("x", 'M', LocalDate.of(1955, 6, 1), 0,
        DualStatus.NON, false, false, Member.EsrdStatus.GRAFT, 2, false, 2));
    // PY2025 configures no ESRD model (its normalisation factor is not transcribed)
    assertThrows(IllegalArgumentException.class, () -> PY2025.score("ESRD-V24", graft, List.of()));
    assertEquals(null, PY2025.esrdModel(graft));
    // the blend and scoreAll stay CMS-HCC: an ESRD member gets V24, V28 and BLEND there
    Member dialysis = man70().withEsrd(Member.EsrdStatus.DIALYSIS, 2);
    assertEquals(List.of("V24", "V28", ScoreMember.BLEND),
        PY2026.scoreAll(dialysis, HANDFUL).stream().map(ModelScore::model).toList());
  }

  @Test
  void esrdFunctioningGraftKnownAnswers() {
    // ESRD-V24-GRAFT (D24 rows), PY2026 functioning graft normalisation 1.104, coding adjustment 0.059.
    // Woman 71, OREC 0, full dual, community, month 6 since the transplant: segment GFA, duration 4-9.
    // GFA_F70_74 0.464 + GFA_HCC18 0.233 + GFA_HCC85 0.257 + GFA_DIABETES_CHF 0.223 + FGC_GE65_DUR4_9_FBD 2.605
    //   = 3.782; / 1.104 = 3.426; x 0.941 = 3.224
    Member g1 = new Member("g1", 'F', LocalDate.of(1955, 1, 15), 0, DualStatus.FULL, false, false)
        .afterTransplant(6, 2);
    ModelScore s = PY2026.score("ESRD-V24-GRAFT", g1, dx("E1122", "I5022"));
    assertEquals("GFA", s.segment());
    assertEquals(List.of(18, 85), s.hccs());
    assertEquals(3.782, s.raw(), 1e-9);
    assertEquals(3.426, s.normalized(), 1e-9);
    assertEquals(3.224, s.payment(), 1e-9);
    assertTrue(s.factors().stream().anyMatch(f -> f.variable().equals("FGC_GE65_DUR4_9_FBD")
        && f.kind().equals("graft_duration")));
    // month 10: the 10+ add-on FGC_GE65_DUR10PL_FBD 1.279 instead: 3.782 - 2.605 + 1.279 = 2.456
    assertEquals(2.456, PY2026.score("ESRD-V24-GRAFT", g1.afterTransplant(10, 2), dx("E1122", "I5022")).raw(), 1e-9);
    // man 70, partial dual, institutional, month 12: GI_M70_74 1.265 + FGI_GE65_DUR10PL_ND_PBD 0.905
    //   + FGI_PBD_GE65_flag 0.162 + LTI_GE65 0.955 = 3.287
    Member g3 = new Member("g3", 'M', LocalDate.of(1955, 6, 1), 0, DualStatus.PARTIAL, true, false)
        .afterTransplant(12, 2);
    ModelScore i = PY2026.score("ESRD-V24-GRAFT", g3, List.of());
    assertEquals("GI", i.segment());
    assertEquals(3.287, i.raw(), 1e-9);
    // new enrollee woman 67, full dual, month 6: (GNE_FBD_NORIGDIS_G_NEF67 0.996 + FGC_GE65_DUR4_9_FBD 2.605)
    //   / ActAdj_DUR4_9 0.905 = 3.979
    Member g4 = new Member("g4", 'F', LocalDate.of(1958, 6, 1), 0, DualStatus.FULL, false, true)
        .afterTransplant(6, 2);
    ModelScore ne = PY2026.score("ESRD-V24-GRAFT", g4, HANDFUL);
    assertEquals("GNE", ne.segment());
    assertEquals(3.979, ne.raw(), 1e-9);
    assertTrue(ne.hccs().isEmpty());
    // transplant month 1: TRANSPLANT_KIDNEY_ONLY_1M 5.985; / 1.062 (dialysis series) = 5.636; x 0.941 = 5.303
    ModelScore t = PY2026.score("ESRD-V24-TRANSPLANT", man70().afterTransplant(1, 2), HANDFUL);
    assertEquals("TRANSPLANT_1M", t.segment());
    assertEquals(5.985, t.raw(), 1e-9);
    assertEquals(5.636, t.normalized(), 1e-9);
    assertEquals(5.303, t.payment(), 1e-9);
    // an ESRD model exempted from the MA coding adjustment (payment_years.yaml ma_coding_adjustment: false):
    // payment = normalised 5.636; the other models keep it
    PaymentYearTables y = PY2026.tables();
    ScoreMember exempt = new ScoreMember(new PaymentYearTables(y.paymentYear(), y.models(), y.esrdModels(), y.weights(),
        y.normalization(), y.codingAdjustment(), y.eligibleCptHcpcs(), java.util.Set.of("ESRD-V24-TRANSPLANT")));
    assertEquals(5.636, exempt.score("ESRD-V24-TRANSPLANT", man70().afterTransplant(1, 2), HANDFUL).payment(), 1e-9);
    assertEquals(3.224, exempt.score("ESRD-V24-GRAFT", g1, dx("E1122", "I5022")).payment(), 1e-9);
  }

  @Test
  void icd10Shape() {
    assertEquals("E1122", Icd10.normalize(" e11.22 "));
    assertTrue(Icd10.valid("E1122"));
    assertTrue(Icd10.valid("U071"));
    assertFalse(Icd10.valid("XYZ"));
    assertFalse(Icd10.valid("12345"));
    assertFalse(Icd10.valid("E11222222"));
    assertFalse(Icd10.valid(""));
  }

  @Test
  void unknownPaymentYearIsAUserError() {
    assertThrows(IllegalArgumentException.class, () -> RiskReference.forPaymentYear(1999));
  }
}
