package org.pophealth.measures;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One loaded eCQM package (Measure, Library and ValueSet resources under {@code measures/ecqm/<name>/}).
 *
 * @param name folder name (e.g. {@code qicore-2024})
 * @param measures the measures, by folder order (sorted by name)
 * @param elmByLibrary ELM JSON text (already repaired, see {@link LoadMeasurePackage}) by library name
 * @param libraryVersions library name → version from the ELM identifier
 * @param libraryNamespace the ELM identifier system (e.g. {@code http://ecqi.healthit.gov/ecqms})
 * @param valueSets value-set URL → codes ({@code system|code})
 * @param resourceTypes FHIR resource types the libraries retrieve (from their data requirements)
 * @param codeFilteredTypes types every retrieve of which filters by code (see {@link #mayMatter})
 * @param relevantCodes every code value of the package's value sets and direct codes
 * @param profiles how a resource is recognised as an instance of each profile the logic retrieves by
 * @param partialValueSets measure name → the value sets its logic uses whose shipped expansion is a page of a
 *     larger one ({@code expansion.total} above its codes), described with both counts: codes beyond the page
 *     are not recognised, so a case needing one fails for the package's terminology, not the logic
 */
public record MeasurePackage(
    String name,
    List<MeasureDefinition> measures,
    Map<String, String> elmByLibrary,
    Map<String, String> libraryVersions,
    String libraryNamespace,
    Map<String, Set<String>> valueSets,
    Set<String> resourceTypes,
    Set<String> codeFilteredTypes,
    Set<String> relevantCodes,
    ProfileCatalog profiles,
    Map<String, List<String>> partialValueSets)
    implements Serializable {

  /**
   * False only when a resource cannot be returned by any retrieve of the package: its type is only
   * ever retrieved with a code filter (value set or codes; BMI/BP by their LOINC codes) and no
   * {@code "code":"…"} value anywhere in its JSON is a code of the package. A cheap superset test on
   * the raw text, so the bulk of irrelevant observations is never parsed or shuffled.
   */
  public boolean mayMatter(String resourceType, String raw) {
    return mayMatter(codeFilteredTypes, relevantCodes, resourceType, raw);
  }

  /** {@link #mayMatter(String, String)} with the two sets passed (small closures for Spark tasks). */
  public static boolean mayMatter(Set<String> codeFilteredTypes, Set<String> relevantCodes, String resourceType,
      String raw) {
    if (!codeFilteredTypes.contains(resourceType)) {
      return true;
    }
    int i = 0;
    while ((i = raw.indexOf("\"code\"", i)) >= 0) {
      i += 6;
      int colon = raw.indexOf(':', i);
      int q1 = colon < 0 ? -1 : raw.indexOf('"', colon);
      int q2 = q1 < 0 ? -1 : raw.indexOf('"', q1 + 1);
      if (q2 < 0) {
        return true;
      }
      if (raw.substring(colon + 1, q1).isBlank() && relevantCodes.contains(raw.substring(q1 + 1, q2))) {
        return true;
      }
    }
    return false;
  }

  public MeasureDefinition measure(String nameOrId) {
    for (MeasureDefinition m : measures) {
      if (m.name().equalsIgnoreCase(nameOrId) || m.cmsId().equalsIgnoreCase(nameOrId)) {
        return m;
      }
    }
    throw new IllegalArgumentException("no measure named " + nameOrId + " in package " + name
        + " (have " + measures.stream().map(MeasureDefinition::name).toList() + ")");
  }

  /** A measure: what its Measure resource says, nothing derived by hand. */
  public record MeasureDefinition(
      String name,
      String cmsId,
      String url,
      String version,
      String title,
      String library,
      String scoring,
      List<Group> groups,
      List<String> supplementalExpressions)
      implements Serializable {}

  /**
   * One group (rate).
   *
   * @param index 1-based position in the Measure
   * @param populations population code (initial-population, denominator, denominator-exclusion,
   *     numerator, numerator-exclusion, denominator-exception) → CQL expression name, in Measure order
   * @param improvementNotation increase or decrease (inverse measure)
   * @param stratifiers stratifier id → CQL expression name (only those defined by an expression)
   * @param descriptions population code → the Measure's narrative description of it
   * @param observations the measure observations (continuous-variable and ratio groups), in Measure order
   */
  public record Group(
      int index,
      String id,
      Map<String, String> populations,
      String scoring,
      String improvementNotation,
      Map<String, String> stratifiers,
      Map<String, String> descriptions,
      List<Observation> observations)
      implements Serializable {
    public Group withImprovementNotation(String notation) {
      return new Group(index, id, populations, scoring, notation, stratifiers, descriptions, observations);
    }
  }

  /**
   * A measure observation: a CQL function the measure applies to each episode of a population (or once per
   * person in a patient-based group), whose values the group aggregates into its score.
   *
   * @param id the population id in the Measure (e.g. {@code MeasureObservation_1})
   * @param function the CQL function's name
   * @param aggregate cqfm-aggregateMethod: Sum, Count, Average, Median, Minimum, Maximum
   * @param population the code of the population it observes (cqfm-criteriaReference): measure-population,
   *     denominator or numerator
   */
  public record Observation(String id, String function, String aggregate, String population) implements Serializable {}
}
