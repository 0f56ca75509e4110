package org.pophealth.duplicates;

import java.io.PrintWriter;
import org.pophealth.io.TextTable;

/** Console summary of detect-duplicate-tests: per family, then the trend by year. */
public final class DuplicateSummary {
  private DuplicateSummary() {}

  public static void print(DetectDuplicateTests.Result r, int minCellSize, PrintWriter out) {
    out.printf("detect-duplicate-tests: %d records -> %d tests (%d EHR+claim merged, %d 26/TC pairs, %d in excluded"
            + " settings); %d repeats, %d duplicates; %.1f s%n",
        r.eventsMatched(), r.tests(), r.ehrClaimMerged(), r.halvesMerged(), r.testsExcludedSetting(), r.repeats(),
        r.duplicates(), r.seconds());
    TextTable t = new TextTable("family", "tests", "duplicates", "rate", "same_day", "intentional", "excluded_dx",
        "low_value", "duplicate_cost", "persons", "person_rate");
    for (DetectDuplicateTests.FamilyFigures f : r.byFamily()) {
      if (f.tests() < minCellSize) {
        t.row(f.family(), "<" + minCellSize, "", "", "", "", "", "", "", "", "");
        continue;
      }
      t.row(f.family(), f.tests(), f.duplicates(), pct(f.rate()), f.sameDay(), f.intentional(), f.excludedDiagnosis(),
          f.lowValue(), f.duplicateCost() == null ? "" : f.duplicateCost().toPlainString(), f.personsTested(),
          pct(f.personsTested() == 0 ? 0 : (double) f.personsWithDuplicate() / f.personsTested()));
    }
    t.print(out);
    TextTable y = new TextTable("year", "tests", "duplicates", "rate");
    for (DetectDuplicateTests.YearFigures f : r.byYear()) {
      if (f.tests() < minCellSize) {
        y.row(f.year(), "<" + minCellSize, "", "");
      } else {
        y.row(f.year(), f.tests(), f.duplicates(), pct(f.rate()));
      }
    }
    out.println("trend (all families):");
    y.print(out);
    out.printf("%d rate rows in gold.duplicate_test_rate (%d suppressed: fewer than %d tests); repeats in"
        + " gold.duplicate_test_event%n", r.rateRows(), r.suppressedRows(), minCellSize);
    out.flush();
  }

  private static String pct(double v) {
    return String.format("%.1f%%", v * 100);
  }
}
