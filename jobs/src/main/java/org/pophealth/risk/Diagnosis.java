package org.pophealth.risk;

import java.io.Serializable;

/** One ICD-10-CM diagnosis of a person, with where it came from (for the explanation). */
public record Diagnosis(String code, String eventId, String claimId) implements Serializable {
  public static Diagnosis of(String code) {
    return new Diagnosis(code, null, null);
  }
}
