package org.pophealth.risk;

import java.io.PrintWriter;

/** Console summary of a score-risk run (CLI and demo). */
public final class RiskSummary {
  private RiskSummary() {}

  /** The summary printed by score-risk and the demo. */
  public static void print(ScoreRisk.Result r, PrintWriter out) {
    out.printf("score-risk PY%d: %d persons, %d scored, %d not scored (quarantined); demographics from %s;"
        + " %d long-term institutional (nursing-facility claims)%n", r.paymentYear(), r.persons(), r.scored(), r.notScored(),
        r.eligibilityTable() ? "silver.eligibility + silver.patient" : "silver.patient (defaults: community, non-dual, OREC 0)",
        r.institutional());
    out.printf("diagnoses %d in %d: %d from eligible sources%s, %d ICD-10-CM codings, %d invalid (quarantined)%n",
        r.diagnosisEvents(), r.paymentYear() - 1, r.eligibleDiagnosisEvents(),
        r.ehrDiagnosesIncluded() ? " (EHR encounter diagnoses included: clinical triage, not payment)" : "",
        r.icd10Diagnoses(), r.invalidCodes());
    if (r.esrdDialysis() + r.esrdNotDialysis() + r.esrdTransplant() + r.esrdGraft() > 0) {
      out.printf("ESRD (eligibility Medicare status): %d on dialysis, %d in the kidney transplant months, %d with a"
          + " functioning graft, %s; %d without dialysis or transplant claims keep the CMS-HCC score%n",
          r.esrdDialysis(), r.esrdTransplant(), r.esrdGraft(), r.esrdModelScored() ? "paid on the ESRD models"
              : "scored with the CMS-HCC blend (no ESRD model configured for PY" + r.paymentYear() + ")",
          r.esrdNotDialysis());
    }
    out.printf("persons with a payment HCC %d; mean payment score %.3f; top 1%% %d, top 5%% %d, rising %d; %.1f s%n",
        r.personsWithHcc(), r.meanPaymentScore(), r.top1(), r.top5(), r.rising(), r.seconds());
    out.flush();
  }
}
