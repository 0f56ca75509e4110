package org.pophealth.ingest.fhir;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.pophealth.conform.BuildEvents;
import org.pophealth.conform.Converters;
import org.pophealth.conform.ResourceConverter;
import org.pophealth.conform.UpsertSilver;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.ops.RunIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.pophealth.conform.ParsedLines;

/**
 * Job step {@code ingest-fhir}: one bulk-export directory → bronze (append-only, lineage),
 * ops.quarantine (every rejected line with its reason), silver typed tables (latest version, deletes
 * applied) and silver.event, with per-type reconciliation in ops. Re-running on the same export
 * writes nothing new.
 */
public final class IngestFhirExport {
  private static final Logger LOG = LoggerFactory.getLogger(IngestFhirExport.class);

  private static final String OTHER = "(other)";

  private final Lakehouse lakehouse;
  private final String source;
  private final String directory;
  private long chunkBytes = 32L * 1024 * 1024;
  private int maxRawChars = 1 << 20;
  private Instant exportTimeOverride;
  private boolean buildEvents = true;
  private boolean fullEvents;

  public IngestFhirExport(Lakehouse lakehouse, String source, String directory) {
    if (source == null || !source.matches("[a-z][a-z0-9_\\-]{0,62}")) {
      throw new IllegalArgumentException("source name must be lower-case letters, digits, '-' or '_': " + source);
    }
    this.lakehouse = lakehouse;
    this.source = source;
    this.directory = directory;
  }

  public IngestFhirExport chunkBytes(long bytes) {
    this.chunkBytes = bytes;
    return this;
  }

  public IngestFhirExport maxQuarantineRawChars(int chars) {
    this.maxRawChars = chars;
    return this;
  }

  /** Applies the {@code ingest:} section of the config (chunk size, quarantine raw-text limit). */
  public IngestFhirExport settings(org.pophealth.config.PopHealthConfig.Ingest ingest) {
    return chunkBytes(ingest.chunkBytes()).maxQuarantineRawChars(ingest.maxQuarantineRawChars());
  }

  /** Uses this export time instead of the manifest's / the files' modification time. */
  public IngestFhirExport exportTime(Instant t) {
    this.exportTimeOverride = t;
    return this;
  }

  /**
   * Whether to rebuild silver.event for the source (default true). A claims source turns it off: its
   * events come from its claims (org.pophealth.ingest.claims.BuildClaimEvents), not its FHIR resources.
   */
  public IngestFhirExport buildEvents(boolean build) {
    this.buildEvents = build;
    return this;
  }

  /**
   * Rebuild every silver.event row of the source (true), instead of only the events of the patients this run
   * touched (false, the default; {@link BuildEvents#changedIn}). Both give the same table.
   */
  public IngestFhirExport fullEvents(boolean full) {
    this.fullEvents = full;
    return this;
  }

  public IngestResult execute() throws IOException {
    long t0 = System.nanoTime();
    Instant started = Instant.now();
    SparkSession spark = lakehouse.spark();
    var hadoop = spark.sparkContext().hadoopConfiguration();
    ExportPlan plan = new ReadExportDirectory(directory, hadoop).execute();
    Instant exportTime = exportTimeOverride != null ? exportTimeOverride : plan.exportTime();
    String runId = RunIds.next("ingest-fhir", source);
    LOG.info("ingest run {}: source {}, {} files, export time {} (from {}){}", runId, source, plan.files().size(),
        exportTime, exportTimeOverride != null ? "--export-time" : plan.exportTimeFrom(),
        plan.ignoredFiles().isEmpty() ? "" : ", " + plan.ignoredFiles().size() + " entries not part of the export");
    for (ExportPlan.NotIngested ignored : plan.ignoredFiles()) {
      LOG.warn("not ingested: {}", ignored);
    }
    List<Chunk> chunks = new PlanChunks(plan.files(), chunkBytes, hadoop).execute();
    IngestContext ctx = new IngestContext(source, Timestamp.from(exportTime), runId, maxRawChars,
        new SerializableHadoopConf(hadoop));

    // one parse per resource type with a silver table (narrow typed schema), one for everything else
    Map<String, List<Chunk>> groups = new TreeMap<>();
    for (Chunk c : chunks) {
      String t = c.file().resourceType();
      boolean typed = "output".equals(c.file().kind()) && t != null && Converters.forType(t).isPresent();
      groups.computeIfAbsent(typed ? t : OTHER, k -> new ArrayList<>()).add(c);
      if ("output".equals(c.file().kind()) && t == null) {
        // a typeless file (organizeOutputBy) mixes types: every typed pass reads it for its own lines
        for (ResourceConverter conv : Converters.all()) {
          groups.computeIfAbsent(conv.resourceType(), k -> new ArrayList<>()).add(c);
        }
      }
    }
    JavaSparkContext jsc = new JavaSparkContext(spark.sparkContext());
    Map<String, Dataset<Row>> parsed = new LinkedHashMap<>();
    for (Map.Entry<String, List<Chunk>> g : groups.entrySet()) {
      ResourceConverter conv = OTHER.equals(g.getKey()) ? null : Converters.forType(g.getKey()).orElseThrow();
      JavaRDD<Row> rows = jsc.parallelize(g.getValue(), g.getValue().size())
          .mapPartitions(it -> it.hasNext() ? new ParseChunk(it.next(), ctx, conv) : java.util.Collections.emptyIterator());
      parsed.put(g.getKey(), spark.createDataFrame(rows, ParsedLines.schema(conv)).persist(StorageLevel.MEMORY_AND_DISK()));
    }
    try {
      return write(plan, exportTime, runId, parsed, started, t0);
    } finally {
      parsed.values().forEach(Dataset::unpersist);
    }
  }

  private IngestResult write(ExportPlan plan, Instant exportTime, String runId, Map<String, Dataset<Row>> byGroup,
      Instant started, long t0) {
    Dataset<Row> parsed = null;
    for (Dataset<Row> d : byGroup.values()) {
      Dataset<Row> lines = d.select(ParsedLines.baseColumns()[0], java.util.Arrays.copyOfRange(ParsedLines.baseColumns(), 1,
          ParsedLines.baseColumns().length));
      parsed = parsed == null ? lines : parsed.union(lines);
    }
    if (parsed == null) {
      parsed = spark().createDataFrame(List.of(), ParsedLines.schema(null));
    }
    Timestamp exportTs = Timestamp.from(exportTime);
    // per type and kind: lines read / loaded / quarantined (a tombstone bundle counts once, as a line),
    // and quarantined lines per reason code
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, Long> byReason = new TreeMap<>();
    // c: loaded, quarantined, informational (error files' server messages), subsetted (part of loaded)
    for (Row r : parsed.filter(col("line_first"))
        .groupBy(col("kind"), col("resource_type"), col("status"), col("reason_code")).count().collectAsList()) {
      String key = r.getString(0) + "|" + (r.isNullAt(1) ? "(unknown)" : r.getString(1));
      long[] c = counts.computeIfAbsent(key, k -> new long[4]);
      long n = r.getLong(4);
      switch (r.getString(2)) {
        case ParsedLines.LOADED -> c[0] += n;
        case ParsedLines.SUBSETTED -> {
          c[0] += n;
          c[3] += n;
        }
        case ParsedLines.INFORMATIONAL -> c[2] += n;
        default -> {
          c[1] += n;
          byReason.merge(r.isNullAt(3) ? "(none)" : r.getString(3), n, Long::sum);
        }
      }
    }
    Map<String, long[]> duplicates = duplicateIds(parsed);

    Dataset<Row> quarantined = parsed.filter(col("status").equalTo(ParsedLines.QUARANTINED))
        .select(col("row_key"), lit(source).as("source"), col("stage"), col("reason_code"), col("reason"),
            col("resource_type"), col("resource_id"), col("raw"), lit(exportTs).as("export_time"),
            col("file"), col("line"), lit(runId).as("ingest_run_id"));
    long tq = System.nanoTime();
    LOG.info("parsed and counted in {} ms", (tq - t0) / 1_000_000);
    long quarantinedTotal = counts.values().stream().mapToLong(c -> c[1]).sum();
    if (quarantinedTotal > 0) {
      // insertNew creates the table when absent, and then appends without a query for rows in scope
      lakehouse.insertNew("ops.quarantine", quarantined, exportScope(exportTime));
    } else {
      lakehouse.ensure("ops.quarantine");
    }
    LOG.info("quarantine written in {} ms", (System.nanoTime() - tq) / 1_000_000);

    Dataset<Row> bronze = parsed.filter(col("status").isin(ParsedLines.LOADED, ParsedLines.SUBSETTED))
        .select(col("row_key"), lit(source).as("source"), col("resource_type"), col("resource_id"),
            col("version_id"), col("last_updated"), col("is_deleted"), col("raw"), col("content_hash"),
            lit(exportTs).as("export_time"), lit(plan.request()).cast("string").as("export_request"),
            col("file"), col("line"), lit(runId).as("ingest_run_id"));
    long tb = System.nanoTime();
    // a bronze table new with this run holds no tombstone but this run's own, which silver gets as `deleted`
    boolean priorBronze = lakehouse.exists("bronze.fhir_resource");
    long bronzeAdded = lakehouse.insertNew("bronze.fhir_resource", bronze, exportScope(exportTime));
    LOG.info("bronze written in {} ms", (System.nanoTime() - tb) / 1_000_000);

    Map<String, long[]> silver = upsertSilver(byGroup, counts, duplicates, priorBronze, exportTs);
    long silverChanged = silver.values().stream().mapToLong(v -> v[0] + v[1]).sum();
    Map<String, Map<String, Long>> unresolved = org.pophealth.conform.UnresolvedReferences.count(lakehouse, source,
        byGroup);
    long te = System.nanoTime();
    long events = buildEvents ? new BuildEvents(lakehouse, source).changedIn(fullEvents ? null : runId).execute().events() : 0;
    LOG.info("events built in {} ms", (System.nanoTime() - te) / 1_000_000);

    // reconciliation
    List<IngestResult.TypeCount> byType = new ArrayList<>();
    long read = 0;
    long loaded = 0;
    long quarantinedLines = 0;
    long informational = 0;
    long subsetted = 0;
    Map<String, Integer> filesPerKey = new HashMap<>();
    Map<String, Long> expectedPerKey = new HashMap<>();
    Map<String, Integer> countedPerKey = new HashMap<>();
    long bytes = 0;
    long typelessExpected = 0; // typeless files' lines are counted under their own types: checked in total
    int typelessCounted = 0;
    for (ExportFile f : plan.files()) {
      String key = f.kind() + "|" + (f.resourceType() == null ? "(unknown)" : f.resourceType());
      filesPerKey.merge(key, 1, Integer::sum);
      if (f.expectedCount() != null && "output".equals(f.kind()) && f.resourceType() == null) {
        typelessExpected += f.expectedCount();
        typelessCounted++;
      } else if (f.expectedCount() != null) {
        expectedPerKey.merge(key, f.expectedCount(), Long::sum);
        countedPerKey.merge(key, 1, Integer::sum);
      }
      bytes += Math.max(0, f.size());
      counts.computeIfAbsent(key, k -> new long[4]);
    }
    // a type's expected lines are known only when the manifest gives every one of its files a count
    expectedPerKey.keySet().removeIf(k -> !countedPerKey.get(k).equals(filesPerKey.get(k)));
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      String[] k = e.getKey().split("\\|", 2);
      long[] c = e.getValue();
      long[] sv = silver.getOrDefault(k[1], new long[2]);
      boolean hasDeleted = counts.containsKey("deleted|" + k[1]);
      long[] s = switch (k[0]) {
        case "output" -> new long[] {sv[0], hasDeleted ? 0 : sv[1]};
        case "deleted" -> new long[] {0, sv[1]};
        default -> new long[2];
      };
      String table = Converters.forType(k[1]).map(ResourceConverter::table).orElse(null);
      Long expected = expectedPerKey.get(e.getKey());
      long lines = c[0] + c[1] + c[2];
      if (expected != null && expected != lines) {
        LOG.warn("{} {} files: manifest count {} but {} lines read", k[0], k[1], expected, lines);
      }
      long[] dup = "output".equals(k[0]) ? duplicates.getOrDefault(k[1], new long[2]) : null;
      byType.add(new IngestResult.TypeCount(k[1], k[0], filesPerKey.getOrDefault(e.getKey(), 0),
          lines, c[0], c[1], expected, "error".equals(k[0]) ? null : table, s[0], s[1],
          dup == null ? null : dup[0], dup == null ? null : dup[1], c[2], c[3]));
      read += lines;
      loaded += c[0];
      quarantinedLines += c[1];
      informational += c[2];
      subsetted += c[3];
    }
    List<String> typelessFiles = plan.files().stream()
        .filter(f -> "output".equals(f.kind()) && f.resourceType() == null).map(ExportFile::relPath).toList();
    if (typelessCounted > 0 && typelessCounted == typelessFiles.size()) {
      long lines = parsed.filter(col("line_first").and(col("file").isin(typelessFiles.toArray()))).count();
      if (lines != typelessExpected) {
        LOG.warn("output files without a type ({}): manifest count {} but {} lines read", typelessFiles.size(),
            typelessExpected, lines);
      }
    }
    Map<String, Long> versions = new LinkedHashMap<>();
    for (String t : List.of("bronze.fhir_resource", "ops.quarantine", "silver.event")) {
      versions.put(t, lakehouse.version(t));
    }
    for (ResourceConverter conv : Converters.all()) {
      if (silver.containsKey(conv.resourceType())) {
        versions.put(conv.table(), lakehouse.version(conv.table()));
      }
    }
    IngestResult result = new IngestResult(runId, source, plan.directory(), exportTime, plan.files().size(), read,
        loaded, quarantinedLines, bronzeAdded, silverChanged, events, byType, plan.ignoredFiles(), versions,
        (System.nanoTime() - t0) / 1e9, bytes, byReason, unresolved, informational, subsetted);
    recordRun(result, started);
    if (!result.reconciled()) {
      throw new IllegalStateException("reconciliation failed for run " + runId + ": read " + read + " != loaded "
          + loaded + " + quarantined " + quarantinedLines + " + informational " + informational);
    }
    LOG.info("ingest run {}: read {}, loaded {} ({} subsetted, bronze only), quarantined {}, informational {},"
        + " bronze +{}, silver changes {}, events {} in {}s",
        runId, read, loaded, subsetted, quarantinedLines, informational, bronzeAdded, silverChanged, events,
        String.format("%.1f", result.seconds()));
    if (!result.describeUnresolvedReferences().isEmpty()) {
      LOG.warn("ingest run {}: unresolved references (contained resource absent, or target neither exported,"
          + " fetched nor ingested before): {}", runId, result.describeUnresolvedReferences());
    }
    if (result.duplicateIds() > 0) {
      LOG.warn("ingest run {}: {} resource ids appear on more than one line of this export ({} lines more than"
          + " one per id); silver keeps the newest version of each", runId, result.duplicateIds(),
          result.duplicateLines());
    }
    return result;
  }

  /**
   * Per resource type: ids that more than one loaded output line of this run has, and how many lines beyond
   * one per id they have (the versions that lose in silver, by UpsertSilver's order; bronze keeps them all).
   */
  private static Map<String, long[]> duplicateIds(Dataset<Row> parsed) {
    Map<String, long[]> out = new TreeMap<>();
    for (Row r : parsed.filter(col("status").isin(ParsedLines.LOADED, ParsedLines.SUBSETTED)
            .and(col("kind").equalTo("output")))
        .groupBy(col("resource_type"), col("resource_id")).count()
        .filter(col("count").gt(1))
        .groupBy(col("resource_type"))
        .agg(org.apache.spark.sql.functions.count(lit(1)), org.apache.spark.sql.functions.sum(col("count").minus(1)))
        .collectAsList()) {
      out.put(r.getString(0), new long[] {r.getLong(1), r.getLong(2)});
    }
    return out;
  }

  /** Upserts every silver table that has rows in this run, a few tables at a time (Delta commits are per table). */
  private Map<String, long[]> upsertSilver(Map<String, Dataset<Row>> byGroup, Map<String, long[]> counts,
      Map<String, long[]> duplicates, boolean priorBronze, Timestamp exportTs) {
    boolean anyTombstones = counts.entrySet().stream()
        .anyMatch(e -> e.getKey().startsWith("deleted|") && e.getValue()[0] > 0);
    Dataset<Row> deleted = anyTombstones && byGroup.containsKey(OTHER)
        ? byGroup.get(OTHER).filter(col("kind").equalTo("deleted").and(col("status").equalTo(ParsedLines.LOADED)))
        : null;
    java.util.Set<String> withTombstones = !priorBronze ? java.util.Set.of()
        : new java.util.HashSet<>(lakehouse.read("bronze.fhir_resource")
            .filter(col("source").equalTo(source).and(col("is_deleted")))
            .select("resource_type").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    List<ResourceConverter> todo = new ArrayList<>();
    for (ResourceConverter conv : Converters.all()) {
      lakehouse.ensure(conv.table());
      if (counts.containsKey("output|" + conv.resourceType()) || counts.containsKey("deleted|" + conv.resourceType())) {
        todo.add(conv);
      }
    }
    Map<String, long[]> out = new java.util.concurrent.ConcurrentHashMap<>();
    List<Runnable> writes = new ArrayList<>();
    for (ResourceConverter conv : todo) {
      writes.add(() -> {
        long ts = System.nanoTime();
        UpsertSilver.Result r = new UpsertSilver(lakehouse, conv, source, byGroup.get(conv.resourceType()), deleted,
            exportTs)
            .priorTombstonesPossible(withTombstones.contains(conv.resourceType()))
            .idsUnique(!duplicates.containsKey(conv.resourceType()))
            .execute();
        LOG.info("{}: {} upserted, {} deleted in {} ms", conv.table(), r.upserted(), r.deleted(),
            (System.nanoTime() - ts) / 1_000_000);
        out.put(conv.resourceType(), new long[] {r.upserted(), r.deleted()});
      });
    }
    org.pophealth.lakehouse.ParallelWrites.run(3, "silver", writes);
    return out;
  }

  /** Target rows that can share a row key with this run: same source and export (keys hash both). */
  private String exportScope(Instant exportTime) {
    return "t.source = '" + source + "' AND t.export_time = timestamp'" + Timestamp.from(exportTime) + "'";
  }

  private SparkSession spark() {
    return lakehouse.spark();
  }

  /** ops.ingest_run.files_not_ingested: file (relative to the directory) to reason. */
  private static scala.collection.Map<String, String> notIngested(List<ExportPlan.NotIngested> files) {
    Map<String, String> m = new TreeMap<>();
    files.forEach(f -> m.put(f.file(), f.reason()));
    return scala.collection.JavaConverters.mapAsScalaMap(m);
  }

  private void recordRun(IngestResult r, Instant started) {
    SparkSession spark = lakehouse.spark();
    Row run = RowFactory.create(r.runId(), "ingest-fhir", source, r.directory(), Timestamp.from(r.exportTime()),
        Timestamp.from(started), Timestamp.from(Instant.now()), r.reconciled() ? "succeeded" : "failed",
        r.files(), r.linesRead(), r.linesLoaded(), r.linesQuarantined(), r.bronzeRowsAdded(),
        r.silverRowsChanged(), scala.collection.JavaConverters.mapAsScalaMap(r.tableVersions()),
        r.reconciled() ? null : "read != loaded + quarantined + informational", notIngested(r.ignoredFiles()));
    lakehouse.append("ops.ingest_run",
        spark.createDataFrame(List.of(run), lakehouse.contract("ops.ingest_run").schema()));
    List<Row> rec = new ArrayList<>();
    for (IngestResult.TypeCount t : r.byType()) {
      Map<String, Long> unresolved = "output".equals(t.kind()) ? r.unresolvedReferences().get(t.resourceType()) : null;
      rec.add(RowFactory.create(r.runId(), source, t.resourceType(), t.kind(), t.files(), t.read(), t.loaded(),
          t.quarantined(), t.expected(), t.silverTable(), t.silverUpserted(), t.silverDeleted(), t.duplicateIds(),
          t.duplicateLines(), unresolved == null ? null : scala.collection.JavaConverters.mapAsScalaMap(unresolved),
          t.informational(), t.subsetted()));
    }
    lakehouse.append("ops.ingest_reconciliation",
        spark.createDataFrame(rec, lakehouse.contract("ops.ingest_reconciliation").schema()));
  }
}
