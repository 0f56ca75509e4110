package org.pophealth.ingest.fhir.bulk;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.pophealth.ingest.fhir.IngestResult;

/** The ingests of one bulk run added up: what this run did, never an earlier run's figures. */
final class IngestResults {
  private IngestResults() {}

  /**
   * The sum of {@code ingests} (the one itself when there is one); with none, a result of zeros (run id
   * {@code (none)}): a run whose exports brought no file ingested nothing and added no row.
   */
  static IngestResult sum(String source, List<IngestResult> ingests, String directory) {
    if (ingests.size() == 1) {
      return ingests.get(0);
    }
    List<IngestResult.TypeCount> byType = new ArrayList<>();
    List<org.pophealth.ingest.fhir.ExportPlan.NotIngested> ignored = new ArrayList<>();
    Map<String, Map<String, Long>> unresolved = new TreeMap<>();
    Map<String, Long> versions = new LinkedHashMap<>();
    Map<String, Long> reasons = new TreeMap<>();
    long informational = 0;
    long subsetted = 0;
    long read = 0;
    long loaded = 0;
    long quarantined = 0;
    long bronze = 0;
    long silver = 0;
    long events = 0;
    long bytes = 0;
    int files = 0;
    double seconds = 0;
    for (IngestResult r : ingests) {
      byType.addAll(r.byType());
      ignored.addAll(r.ignoredFiles());
      versions.putAll(r.tableVersions());
      if (r.quarantinedByReason() != null) {
        r.quarantinedByReason().forEach((k, v) -> reasons.merge(k, v, Long::sum));
      }
      if (r.unresolvedReferences() != null) {
        r.unresolvedReferences().forEach((type, targets) -> targets.forEach((target, n) ->
            unresolved.computeIfAbsent(type, k -> new TreeMap<>()).merge(target, n, Long::sum)));
      }
      informational += r.linesInformational();
      subsetted += r.linesSubsetted();
      read += r.linesRead();
      loaded += r.linesLoaded();
      quarantined += r.linesQuarantined();
      bronze += r.bronzeRowsAdded();
      silver += r.silverRowsChanged();
      events += r.events();
      bytes += r.bytes();
      files += r.files();
      seconds += r.seconds();
    }
    String runIds = ingests.isEmpty() ? "(none)"
        : String.join(", ", ingests.stream().map(IngestResult::runId).toList());
    Instant exportTime = ingests.stream().map(IngestResult::exportTime).filter(Objects::nonNull)
        .max(Instant::compareTo).orElse(null);
    return new IngestResult(runIds, source, directory, exportTime, files, read, loaded, quarantined, bronze, silver,
        events, List.copyOf(byType), List.copyOf(ignored), Map.copyOf(versions), seconds, bytes, Map.copyOf(reasons),
        Map.copyOf(unresolved), informational, subsetted);
  }
}
