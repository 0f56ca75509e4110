package org.pophealth.ingest.fhir.bulk;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job {@code ingest-fhir} for a source with a {@code base_url}. Per type (and type filter) the watermark
 * decides: since it, or in full when the type has none ({@link GroupTypesByWatermark}); types sharing a
 * {@code _since} share one export. Each export is downloaded, ingested with {@link IngestFhirExport}, then
 * its transactionTime becomes the watermark of its types and its status URL is DELETEd. At group level the
 * group's members are read and diffed with the last run's ({@code ops.bulk_group_member}); members new since
 * then have their history exported without {@code _since} (a POST naming them as {@code patient}).
 */
public final class IngestBulkExport {
  private static final Logger LOG = LoggerFactory.getLogger(IngestBulkExport.class);

  private final Lakehouse lakehouse;
  private final String source;
  private final BulkSettings settings;
  private final AccessTokens tokens;
  private UnaryOperator<IngestFhirExport> ingestOptions = UnaryOperator.identity();
  private FetchReferences.Settings fetchReferences = FetchReferences.Settings.DEFAULT;

  public IngestBulkExport(Lakehouse lakehouse, String source, BulkSettings settings, AccessTokens tokens) {
    this.lakehouse = lakehouse;
    this.source = source;
    this.settings = settings;
    this.tokens = tokens;
  }

  /** Options for the ingest step (chunk size, raw chars). */
  public IngestBulkExport ingestOptions(UnaryOperator<IngestFhirExport> options) {
    this.ingestOptions = options;
    return this;
  }

  /** The fetch-references step's settings (default {@link FetchReferences.Settings#DEFAULT}). */
  public IngestBulkExport fetchReferences(FetchReferences.Settings s) {
    this.fetchReferences = s;
    return this;
  }

  /**
   * One export of the run and its ingest.
   *
   * @param ingest null when the export brought no file (nothing to ingest)
   * @param watermark the watermark its types got (null for a member backfill, which moves none)
   * @param patients members named in the kick-off (a backfill), 0 otherwise
   * @param released the DELETE of the status URL: true accepted, false refused or failed, null not sent
   * @param exportSeconds kick-off to the last file on disk (the ingest's own time is in {@code ingest})
   * @param references what fetch-references fetched between the download and the ingest
   */
  public record ExportRun(GroupTypesByWatermark.Group group, int patients, RunBulkExport.Result export,
      IngestResult ingest, Instant watermark, Boolean released, double exportSeconds,
      FetchReferences.Result references) {
    public boolean backfill() {
      return patients > 0;
    }
  }

  /**
   * What the run did.
   *
   * @param decisions per type: full or since when, and why
   * @param members the group's member diff (null below group level)
   * @param backfilled members whose history was exported without {@code _since} this run
   * @param ingest this run's ingests added up ({@link IngestResults#sum}); zeros when nothing was downloaded
   */
  public record Result(List<GroupTypesByWatermark.Decision> decisions, List<ExportRun> exports,
      BulkGroupMembers.Diff members, int backfilled, IngestResult ingest) {
    /** The last export (the only one when every type shares its watermark). */
    public RunBulkExport.Result export() {
      return exports.isEmpty() ? null : exports.get(exports.size() - 1).export();
    }

    /** Seconds from the first kick-off to the last file on disk, ingests excluded. */
    public double exportSeconds() {
      return exports.stream().mapToDouble(ExportRun::exportSeconds).sum();
    }

    /** The {@code _since} of the run's only export, null when it was full or there were several. */
    public Instant since() {
      return exports.size() == 1 ? exports.get(0).export().since() : null;
    }

    /** The newest watermark this run stored. */
    public Instant watermark() {
      return exports.stream().map(ExportRun::watermark).filter(Objects::nonNull).max(Instant::compareTo).orElse(null);
    }
  }

  /**
   * Exports, downloads and ingests; then moves the watermarks. With {@code strict_counts} (the default) a
   * file whose lines still differ from the manifest's {@code count} after a second download is a
   * {@link BulkExportException} starting "NOT reconciled" with the figures, thrown after the ingest
   * (nothing that arrived is lost) and before that export's watermark moves.
   */
  public Result execute() throws IOException {
    BulkWatermarks marks = new BulkWatermarks(lakehouse);
    GroupTypesByWatermark.Result plan = new GroupTypesByWatermark(
        TypeScope.of(settings.types(), settings.typeFilters()), marks.read(source, settings.level()),
        settings.since()).execute();
    for (GroupTypesByWatermark.Decision d : plan.decisions()) {
      LOG.info("bulk export for source {}: {}", source, d.describe());
    }
    BulkGroupMembers.Diff members = null;
    BulkGroupMembers memberTable = null;
    if (settings.groupId() != null && settings.patients().isEmpty()) {
      memberTable = new BulkGroupMembers(lakehouse, source, settings.groupId());
      members = memberTable.diff(new ReadGroupMembers(new BulkHttp(settings, tokens), settings.groupId()).execute());
      LOG.info("Group/{}: {} members, {} new, {} removed since the last run{}", settings.groupId(),
          members.current().size(), members.added().size(), members.removed().size(),
          members.firstRun() ? " (first run)" : "");
    }
    List<GroupTypesByWatermark.Group> groups = inFlightFirst(plan.groups());
    List<ExportRun> runs = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      GroupTypesByWatermark.Group g = groups.get(i);
      runs.add(exportAndIngest(settings.forExport(g.types(), g.typeFilters(), settings.patients(), g.since()), g,
          marks, i == groups.size() - 1));
    }
    Set<String> backfilled = new LinkedHashSet<>();
    if (members != null && !members.firstRun() && !members.added().isEmpty()) {
      // the types exported in full this run brought the new members' history already
      List<TypeScope> incremental = plan.decisions().stream().filter(d -> d.since() != null)
          .map(GroupTypesByWatermark.Decision::scope).toList();
      if (!incremental.isEmpty()) {
        GroupTypesByWatermark.Group g = new GroupTypesByWatermark.Group(null, incremental);
        runs.add(exportAndIngest(settings.forExport(g.types(), g.typeFilters(), members.added(), null), g, marks,
            false));
      }
      backfilled.addAll(members.added());
    }
    if (memberTable != null) {
      memberTable.write(members, Instant.now(), backfilled);
    }
    List<IngestResult> ingests = runs.stream().map(ExportRun::ingest).filter(Objects::nonNull).toList();
    return new Result(plan.decisions(), List.copyOf(runs), members, backfilled.size(),
        IngestResults.sum(source, ingests, runs.isEmpty() ? null : runs.get(runs.size() - 1).export().exportDir()
            .toString()));
  }

  /** The export a killed run left in flight goes first, so it resumes instead of being started again. */
  private List<GroupTypesByWatermark.Group> inFlightFirst(List<GroupTypesByWatermark.Group> groups) throws IOException {
    List<GroupTypesByWatermark.Group> ordered = new ArrayList<>(groups);
    for (GroupTypesByWatermark.Group g : groups) {
      if (RunBulkExport.inFlight(settings.forExport(g.types(), g.typeFilters(), settings.patients(), g.since()))) {
        ordered.remove(g);
        ordered.add(0, g);
        break;
      }
    }
    return ordered;
  }

  private ExportRun exportAndIngest(BulkSettings s, GroupTypesByWatermark.Group group, BulkWatermarks marks,
      boolean dropLegacy) throws IOException {
    boolean backfill = !s.patients().isEmpty() && settings.patients().isEmpty();
    BulkHttp http = new BulkHttp(s, tokens);
    long t0 = System.nanoTime();
    RunBulkExport.Result export = new RunBulkExport(http).execute();
    double exportSeconds = (System.nanoTime() - t0) / 1e9;
    // fetch-references: referenced resources missing from the export land in it as <Type>.fetched.ndjson
    FetchReferences.Result references = export.download().files().isEmpty() ? null
        : new FetchReferences(http, fetchReferences, export.exportDir(), this::ingestedIds).execute();
    IngestResult ingest = export.download().files().isEmpty() ? null
        : ingestOptions.apply(new IngestFhirExport(lakehouse, source, export.exportDir().toString())).execute();
    Instant until = s.protocol().until();
    Instant tt = export.manifest().transactionTime();
    Instant mark = until != null && until.isBefore(tt) ? until : tt;
    int mismatches = export.download().mismatches();
    if (mismatches > 0 && s.strictCounts()) {
      RunBulkExport.complete(s.downloadDir());
      throw new BulkExportException("NOT reconciled: " + describeMismatches(export.download())
          + " (also when downloaded again). What arrived is ingested (run " + ingest.runId() + ": read "
          + ingest.linesRead() + " = loaded " + ingest.linesLoaded() + " + quarantined " + ingest.linesQuarantined()
          + "), but the watermark stays " + (s.since() == null ? "unset" : "at " + s.since()) + ", so the next run"
          + " exports this window again. Set strict_counts: false for source " + source + " to accept such exports.", 0);
    }
    if (mismatches > 0) {
      LOG.warn("NOT reconciled: {}; strict_counts is off, so the watermark moves on",
          describeMismatches(export.download()));
    }
    if (!backfill) {
      marks.write(source, s.baseUrl(), s.level(), group.scopes(), mark, export.since(),
          ingest == null ? "(no files)" : ingest.runId(), export.download().files().size(), export.download().lines(),
          dropLegacy);
    }
    RunBulkExport.complete(s.downloadDir());
    Boolean released = s.protocol().deleteAfterDownload()
        ? CancelExport.release(http, export.statusUrl()).execute().cancelled() : null;
    return new ExportRun(group, backfill ? s.patients().size() : 0, export, ingest, backfill ? null : mark, released,
        exportSeconds, references);
  }

  /** Ids of {@code type} the source already has in silver (not fetched again); none for a type without a table. */
  private java.util.Set<String> ingestedIds(String type) {
    var converter = org.pophealth.conform.Converters.forType(type);
    if (converter.isEmpty()) {
      return java.util.Set.of();
    }
    return new java.util.HashSet<>(lakehouse.read(converter.get().table())
        .filter(org.apache.spark.sql.functions.col("source").equalTo(source)).select("id")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }

  /** "Patient.1.ndjson (output Patient) manifest count 5, 2 lines downloaded; ..." for the mismatched files. */
  public static String describeMismatches(DownloadExportFiles.Result d) {
    List<String> parts = new ArrayList<>();
    for (DownloadExportFiles.FileResult f : d.files()) {
      if (f.countMismatch()) {
        parts.add(f.localName() + " (" + f.kind() + (f.type() == null || !f.type().matches("[A-Za-z]{1,64}") ? "" : " " + f.type()) + ") manifest count "
            + f.expected() + ", " + f.lines() + " lines downloaded");
      }
    }
    int shown = Math.min(parts.size(), 5);
    return String.join("; ", parts.subList(0, shown))
        + (parts.size() > shown ? "; and " + (parts.size() - shown) + " more file(s)" : "");
  }
}
