package org.pophealth.ingest.fhir;

import java.util.List;
import java.util.Map;

/**
 * Counts of one ingest run; {@link #reconciled()} is the nothing-lost invariant. {@code quarantinedByReason}:
 * quarantined lines per reason code ({@code bad-encoding}, {@code unknown-resource-type}, ...).
 * {@code unresolvedReferences}: per referring resource type checked in this run, target type → references whose
 * target could not be resolved.
 * {@code linesInformational}: error-file OperationOutcomes whose issues are all information or warning (server
 * messages, neither loaded nor quarantined); {@code linesSubsetted}: loaded lines tagged SUBSETTED (in bronze,
 * never in silver; part of {@code linesLoaded}).
 */
public record IngestResult(
    String runId,
    String source,
    String directory,
    java.time.Instant exportTime,
    int files,
    long linesRead,
    long linesLoaded,
    long linesQuarantined,
    long bronzeRowsAdded,
    long silverRowsChanged,
    long events,
    List<TypeCount> byType,
    List<ExportPlan.NotIngested> ignoredFiles,
    Map<String, Long> tableVersions,
    double seconds,
    long bytes,
    Map<String, Long> quarantinedByReason,
    Map<String, Map<String, Long>> unresolvedReferences,
    long linesInformational,
    long linesSubsetted) {

  /**
   * References that could not be resolved (contained {@code #id} absent, target neither exported, fetched nor in
   * silver), "MedicationRequest → Medication 2, ..."; empty when none (see
   * org.pophealth.conform.UnresolvedReferences).
   */
  public String describeUnresolvedReferences() {
    return org.pophealth.conform.UnresolvedReferences.describe(unresolvedReferences);
  }

  /**
   * Per resource type and file kind. For output files, {@code duplicateIds} is the number of ids that more
   * than one loaded line of the run has and {@code duplicateLines} the lines beyond one per id (null for
   * deleted and error files). {@code informational}: error files' information/warning OperationOutcomes
   * (read = loaded + quarantined + informational); {@code subsetted}: loaded lines tagged SUBSETTED.
   */
  public record TypeCount(
      String resourceType, String kind, int files, long read, long loaded, long quarantined, Long expected,
      String silverTable, long silverUpserted, long silverDeleted, Long duplicateIds, Long duplicateLines,
      long informational, long subsetted) {}

  /** Ids on more than one loaded output line of this run, all types. */
  public long duplicateIds() {
    return byType.stream().mapToLong(t -> t.duplicateIds() == null ? 0 : t.duplicateIds()).sum();
  }

  /** Loaded output lines beyond one per id, all types. */
  public long duplicateLines() {
    return byType.stream().mapToLong(t -> t.duplicateLines() == null ? 0 : t.duplicateLines()).sum();
  }

  /** Nothing lost: read = loaded + quarantined + informational, in all and per type (manifest counts aside). */
  public boolean reconciled() {
    return linesRead == linesLoaded + linesQuarantined + linesInformational
        && byType.stream().allMatch(t -> t.read() == t.loaded() + t.quarantined() + t.informational());
  }

  /** The types whose lines read differ from the manifest's {@code count} (empty without counts). */
  public List<TypeCount> countMismatches() {
    return byType.stream().filter(t -> t.expected() != null && t.expected() != t.read()).toList();
  }

  /** "output Patient count 5, read 2; ..." for {@link #countMismatches()}, empty when there are none. */
  public String describeCountMismatches() {
    return String.join("; ", countMismatches().stream()
        .map(t -> t.kind() + " " + t.resourceType() + " count " + t.expected() + ", read " + t.read()).toList());
  }
}
