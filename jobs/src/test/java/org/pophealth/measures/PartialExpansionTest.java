package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A value set whose published expansion is one page of a larger one ({@code expansion.total} 11,539, 1,000 codes
 * in {@code contains}, no component value sets in the package) is reported per measure that uses it, so a case
 * that needs a code past the page is seen as the package's terminology, not the logic. The figures are those of
 * the ValueSet files (ValueSet-2.16.840.1.113883.3.3157.4056-20190216.json: Major Surgical Procedure; ...1170.2:
 * Intracranial or Intraspinal surgery, 2,821), read by hand.
 */
class PartialExpansionTest {

  @Test
  void pagedExpansionsAreNamedPerMeasure() {
    Map<String, List<String>> partial = LoadMeasurePackage.cached("qicore-2025").partialValueSets();
    assertEquals(List.of("IntracranialOrIntraspinalSurgery (1,000 of 2,821 codes)",
        "MajorSurgicalProcedure (1,000 of 11,539 codes)"), partial.get("CMS996FHIRAptTxforSTEMI"));
    // through an included library (https://madie.cms.gov/AdvancedIllnessandFrailty): its Advanced Illness value set
    assertTrue(partial.get("CMS125FHIRBreastCancerScreen").stream().anyMatch(s -> s.startsWith("AdvancedIllness (")),
        String.valueOf(partial.get("CMS125FHIRBreastCancerScreen")));
    // FHIRHelpers, QICoreCommon, SupplementalDataElements and its own value sets: none partial
    assertTrue(!partial.containsKey("CMS1188FHIRHIVSTITesting"), partial.keySet().toString());
  }

  @Test
  void completeExpansionsAreNotReported() {
    assertEquals(Map.of(), LoadMeasurePackage.cached("qicore-2024").partialValueSets());
  }
}
