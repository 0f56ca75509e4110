package org.pophealth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Hand-written expectations for the per-field normalisation the linker compares. */
class NormalizeValueTest {
  @Test
  void namesLoseDigitsCaseAndAccents() {
    // Synthea writes names with a numeric suffix; a payer file has the bare name: both must compare equal
    assertEquals("legros", NormalizeValue.normalize(PersonField.FAMILY_NAME, "Legros616", null));
    assertEquals("legros", NormalizeValue.normalize(PersonField.FAMILY_NAME, "LEGROS", null));
    assertEquals("jose maria", NormalizeValue.normalize(PersonField.GIVEN_NAME, "José-María2", null));
    assertEquals("o brien", NormalizeValue.normalize(PersonField.FAMILY_NAME, "O'Brien 3", null));
    assertNull(NormalizeValue.normalize(PersonField.GIVEN_NAME, "123", null));
  }

  @Test
  void streetAndCityKeepTheirDigits() {
    assertEquals("12 main st", NormalizeValue.normalize(PersonField.STREET, "12 Main St.", null));
    assertEquals("boston 2", NormalizeValue.normalize(PersonField.CITY, "Boston 2", null));
  }

  @Test
  void identifiersKeepDigitsOnly() {
    assertEquals("999123456", NormalizeValue.normalize(PersonField.SSN, "999-12-3456", null));
    assertEquals("5551234567", NormalizeValue.normalize(PersonField.PHONE, "+1 (555) 123-4567", null));
    assertEquals("19560431", NormalizeValue.normalize(PersonField.BIRTH_DATE, "1956-04-31", null));
  }
}
