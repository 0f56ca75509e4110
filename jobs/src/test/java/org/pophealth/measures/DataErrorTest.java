package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Which evaluation errors mean "this person's data breaks the measure's checks" (the official cases test
 * some on purpose) and which are engine failures. The messages are the engine's own, as recorded on the
 * official cases PCSBMIScreenAndFollowUpFHIR 659f9c7b (a BMI Observation with valueBoolean) and
 * StatinTherapy... 6da189af (an LDL Quantity with unit system https://ucum.org).
 */
class DataErrorTest {
  @Test
  void fhirHelpersMessagesAndWrongElementTypesAreDataErrors() {
    assertTrue(CqlMeasureEvaluator.isDataError("Initial Population 2: FHIRHelpers.ToQuantity.InvalidFHIRQuantity: "
        + "Invalid FHIR Quantity code: mg/dL (https://ucum.org|mg/dL)"));
    assertTrue(CqlMeasureEvaluator.isDataError("Numerator: Could not resolve call to operator "
        + "'ToQuantity(org.hl7.fhir.r4.model.BooleanType)' in library 'FHIRHelpers'."));
  }

  @Test
  void everythingElseIsAnEngineFailure() {
    assertFalse(CqlMeasureEvaluator.isDataError("Numerator: Cannot invoke \"org.opencds.cqf.cql.engine.execution."
        + "EvaluationResult.getExpressionResults()\" because \"r\" is null"));
    assertFalse(CqlMeasureEvaluator.isDataError("Denominator: Could not resolve call to operator "
        + "'ToQuantity(org.hl7.fhir.r4.model.BooleanType)' in library 'MATGlobalCommonFunctions'."));
    assertFalse(CqlMeasureEvaluator.isDataError("Numerator: Could not resolve call to operator 'Overlaps(Interval, String)'"
        + " in library 'FHIRHelpers'."));
    assertFalse(CqlMeasureEvaluator.isDataError("Numerator: Unable to resolve path comparator"));
  }
}
