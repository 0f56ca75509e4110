package org.pophealth.measures;

import ca.uhn.fhir.context.FhirContext;

/** One R4 FhirContext per JVM (expensive, not serializable: STACK.md pitfall 4). */
public final class FhirContexts {
  private FhirContexts() {}

  public static FhirContext r4() {
    return FhirContext.forR4Cached();
  }
}
