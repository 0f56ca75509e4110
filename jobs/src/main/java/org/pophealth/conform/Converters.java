package org.pophealth.conform;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The resource types that have a silver table, and their converters. */
public final class Converters {
  private static final List<ResourceConverter> ALL =
      List.of(
          new PatientConverter(),
          new EncounterConverter(),
          new ConditionConverter(),
          new ObservationConverter(),
          new ProcedureConverter(),
          new MedicationRequestConverter(),
          new MedicationConverter(),
          new ImmunizationConverter(),
          new DiagnosticReportConverter(),
          new CoverageConverter(),
          new PractitionerConverter(),
          new OrganizationConverter());
  private static final Map<String, ResourceConverter> BY_TYPE =
      ALL.stream().collect(Collectors.toUnmodifiableMap(ResourceConverter::resourceType, Function.identity()));

  private Converters() {}

  public static List<ResourceConverter> all() {
    return ALL;
  }

  public static Optional<ResourceConverter> forType(String resourceType) {
    return Optional.ofNullable(BY_TYPE.get(resourceType));
  }
}
