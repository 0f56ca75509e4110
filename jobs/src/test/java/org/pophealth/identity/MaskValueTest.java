package org.pophealth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hand-written expectations for the masking of values shown next to explained pairs (empty cell = null). */
class MaskValueTest {
  @ParameterizedTest(name = "{0} ''{1}'' -> {2}")
  @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, textBlock = """
      # names: the initial
      given_name|john|J.
      family_name| o'Brien|O.
      given_name|éloïse|É.
      given_name|123|***
      # birth dates: the year
      birth_date|1970-03-04|1970
      birth_date|19700304|1970
      birth_date|03/04/1970|1970
      birth_date|1970-03-04 00:00:00|1970
      birth_date|unknown|***
      # identifiers: the last two digits (characters), none of fewer than four
      ssn|123-45-6734|***-**-**34
      ssn|123456734|***-**-**34
      ssn|6734|***-**-**34
      ssn|34|***-**-****
      phone|(555) 123-4501|***-***-**01
      phone|501|***-***-****
      mrn|MRN00089|***89
      mrn|89|***
      # street: no house number, the street name's initial; postcode: the first three
      street|12 Oak St|O.
      street|12B Elm Avenue|E.
      street|123|***
      postcode|62701|627**
      postcode|62701-1234|627**
      postcode|627|***
      # email: the local part's first letter (never the domain's)
      email|Ann.Smith@old.example|a***@***
      email|123@x.org|***@***
      # low risk on their own: as they are, trimmed
      city| Springfield |Springfield
      state|IL|IL
      sex|female|female
      # blank: null
      given_name||
      ssn|  |
      """)
  void masks(String field, String raw, String expected) {
    assertEquals(expected, MaskValue.mask(field, raw));
  }

  @Test
  void unknownFieldsAreAnError() {
    assertThrows(IllegalArgumentException.class, () -> MaskValue.mask("shoe_size", "42"));
  }
}
