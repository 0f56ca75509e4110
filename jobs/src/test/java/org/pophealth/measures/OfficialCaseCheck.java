package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/** The check of one official eCQM case against its expected MeasureReport, shared by the editions' conformance tests. */
final class OfficialCaseCheck {
  /** A known-failure reason of this kind exempts only the case's strata: its populations are still compared. */
  static final String STRATA_ONLY = "strata only:";

  private OfficialCaseCheck() {}

  /**
   * The case was evaluated without engine errors and every population of every group matches. A case listed as a
   * known failure ({@code knownReason} not null, with its issue) must still fail, and is then skipped with the reason.
   */
  static void check(RunMeasureTestCases.Result r, String measure, String caseId, String knownReason) {
    List<String> errors = r.engineErrors().get(measure + "/" + caseId);
    assertTrue(errors != null, "case evaluated");
    String mismatches = r.mismatches(measure, caseId).stream().map(Object::toString).collect(Collectors.joining("\n"));
    if (knownReason != null && knownReason.contains(STRATA_ONLY)) {
      // the report's strata are known to contradict the case's data: every population must still match, and the
      // strata must still differ (else the entry goes)
      String populations = r.mismatches(measure, caseId).stream().filter(m -> !m.stratum()).map(Object::toString)
          .collect(Collectors.joining("\n"));
      assertEquals(List.of(), errors, "evaluation errors");
      assertEquals("", populations, "populations differ from the expected MeasureReport");
      assertFalse(mismatches.isEmpty(), "listed for its strata (" + knownReason + ") but they agree now: remove it");
      return;
    }
    if (knownReason != null) {
      assertFalse(errors.isEmpty() && mismatches.isEmpty(), "listed as a known failure (" + knownReason
          + ") but passes now: remove it from the list");
      Assumptions.abort(knownReason);
    }
    assertEquals(List.of(), errors, "evaluation errors");
    assertEquals("", mismatches, "populations differ from the expected MeasureReport");
  }
}
