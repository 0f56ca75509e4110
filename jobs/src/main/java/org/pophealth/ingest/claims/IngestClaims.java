package org.pophealth.ingest.claims;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.io.DecodedLines;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.ops.RunIds;
import org.pophealth.io.Messages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job {@code ingest-claims}: one claims delivery directory of a source → bronze.claim_row (flat rows as
 * they arrived) and ops.quarantine (rows that break an error rule), payer FHIR through ingest-fhir
 * into bronze.fhir_resource; then the source's silver.medical_claim, silver.pharmacy_claim,
 * silver.eligibility (final-action versions), silver.claim_line_version (every version, running totals),
 * silver.member_month and its silver.event rows are
 * rebuilt from all of its bronze rows. Per run: read = loaded + quarantined per table and format
 * (ops.ingest_run, ops.ingest_reconciliation), rule counts in ops.claim_validation. Re-running on the
 * same files adds nothing and leaves the tables as they were.
 */
public final class IngestClaims {
  private static final Logger LOG = LoggerFactory.getLogger(IngestClaims.class);

  private final Lakehouse lakehouse;
  private final String source;
  private final String directory;
  private ValidationRules rules = ValidationRules.defaults();
  private PopHealthConfig.Ingest ingestSettings;
  private Long chunkBytes;
  private PopHealthConfig.Gates gates = PopHealthConfig.Gates.defaults();
  private Charset charset = StandardCharsets.UTF_8;

  public IngestClaims(Lakehouse lakehouse, String source, String directory) {
    if (source == null || !source.matches("[a-z][a-z0-9_\\-]{0,62}")) {
      throw new IllegalArgumentException("source name must be lower-case letters, digits, '-' or '_': " + source);
    }
    this.lakehouse = lakehouse;
    this.source = source;
    this.directory = directory;
  }

  /**
   * Applies the {@code claims:} and {@code ingest:} sections of the config, and the source's
   * {@code sources.<source>.charset} when it is configured.
   */
  public IngestClaims settings(PopHealthConfig config) {
    if (config.claims() != null) {
      String dir = config.claims().qualityDir();
      this.rules = new ValidationRules(config.claims().rules(), config.claims().maxAmount(),
          dir == null ? null : ClaimQualityTests.load(dir));
      if (config.claims().gates() != null) {
        this.gates = config.claims().gates();
      }
    }
    this.ingestSettings = config.ingest();
    PopHealthConfig.Source s = config.sources() == null ? null : config.sources().get(source);
    if (s != null && s.charset() != null) {
      charset(s.charset(), "sources." + source + ".charset");
    }
    return this;
  }

  /**
   * The charset of the delivery's CSV files (default UTF-8), decoded strictly: a record with bytes that are
   * not valid in it is quarantined as {@code bad-encoding}. An unknown charset, or one that is not
   * ASCII-compatible, is an IllegalArgumentException naming {@code what} (the config key).
   */
  public IngestClaims charset(String name, String what) {
    this.charset = DecodedLines.charset(name, what);
    return this;
  }

  /** The delivery gates' thresholds ({@code claims.gates}). */
  /** CSV files larger than this are read in parallel chunks (default: config {@code ingest.chunk_bytes}). */
  public IngestClaims chunkBytes(long bytes) {
    this.chunkBytes = bytes;
    return this;
  }

  public IngestClaims gates(PopHealthConfig.Gates g) {
    this.gates = g;
    return this;
  }

  public IngestClaims rules(ValidationRules r) {
    this.rules = r;
    return this;
  }

  public ClaimsIngestResult execute() throws IOException {
    long t0 = System.nanoTime();
    Instant started = Instant.now();
    SparkSession spark = lakehouse.spark();
    ReadClaimFiles.Delivery delivery =
        new ReadClaimFiles(directory, spark.sparkContext().hadoopConfiguration()).execute();
    if (delivery.flatFiles().isEmpty() && !delivery.hasFhir()) {
      throw new IllegalArgumentException("no claims files in " + directory
          + " (expected medical_claim*.csv|parquet, pharmacy_claim*, eligibility*, or FHIR *.ndjson)");
    }
    String runId = RunIds.next("ingest-claims", source);
    LOG.info("claims run {}: source {}, {} flat files ({} empty), charset {}, payer FHIR: {}", runId, source,
        delivery.flatFiles().size(), delivery.flatFiles().stream().filter(f -> f.size() == 0).count(), charset.name(),
        delivery.hasFhir());
    String fhirRunId = null;
    Timestamp fhirExport = null;
    if (delivery.hasFhir()) {
      IngestFhirExport fhir = new IngestFhirExport(lakehouse, source, directory).buildEvents(false);
      if (ingestSettings != null) {
        fhir.settings(ingestSettings);
      }
      IngestResult fr = fhir.execute();
      fhirRunId = fr.runId();
      fhirExport = fr.exportTime() == null ? null : Timestamp.from(fr.exportTime());
      LOG.info("payer FHIR: run {}, read {}, loaded {}, quarantined {}", fr.runId(), fr.linesRead(), fr.linesLoaded(),
          fr.linesQuarantined());
    }
    Timestamp deliveryTs = Timestamp.from(delivery.deliveryTime());
    ValidateClaims validate = new ValidateClaims(spark, source, rules);
    if (chunkBytes != null || ingestSettings != null) {
      validate.chunkBytes(chunkBytes != null ? chunkBytes : ingestSettings.chunkBytes());
    }
    Map<ClaimTable, Dataset<Row>> flat = validate.files(delivery.flatFiles(), runId, charset);
    List<Dataset<Row>> persisted = new ArrayList<>(validate.cached());
    try {
      // 1. this delivery's flat rows: quarantine and bronze
      // one commit per table for the whole delivery (not one per claims table)
      Map<ClaimTable, Dataset<Row>> rejected = new EnumMap<>(ClaimTable.class);
      Dataset<Row> bronzeRows = null;
      for (Map.Entry<ClaimTable, Dataset<Row>> e : flat.entrySet()) {
        Dataset<Row> v = e.getValue();
        rejected.put(e.getKey(), v.filter(col("status").equalTo(ValidatedRows.QUARANTINED)));
        Dataset<Row> b = v.filter(col("status").equalTo(ValidatedRows.LOADED))
            .select(col("row_key"), lit(source).as("source"), col("table_name"), col("file_format"), col("fields"),
                col("raw"), lit(deliveryTs).as("delivery_time"), col("file"), col("line"),
                lit(runId).as("ingest_run_id"));
        bronzeRows = bronzeRows == null ? b : bronzeRows.unionByName(b);
      }
      // read / loaded / quarantined and findings of the flat rows, in one job: the loaded count below, the
      // quarantine write (none when nothing was rejected) and the run's counts all come from it
      List<RowCount> flatCounts = RowCount.of(flat);
      if (flatCounts.stream().anyMatch(c -> !c.loaded())) {
        quarantine(rejected, deliveryTs, runId);
      } else if (!rejected.isEmpty()) {
        lakehouse.ensure("ops.quarantine"); // as the write of no rows would have left it
      }
      long bronzeAdded = bronzeRows == null ? 0 : lakehouse.insertNew("bronze.claim_row", bronzeRows,
          "t.source = '" + source + "' AND t.table_name IN (" + tableNames(flat.keySet()) + ")");
      // 2. delivery gates: this delivery's rows (flat files and payer FHIR) against the source's last accepted
      // deliveries
      Map<ClaimTable, Dataset<Row>> delivered = new EnumMap<>(flat);
      Map<ClaimTable, Dataset<Row>> fhirDelivered = new EnumMap<>(ClaimTable.class);
      JavaRDD<ClaimRecord> fhirNow = null;
      if (fhirExport != null) {
        fhirNow = new ReadPayerFhir(lakehouse, source).onlyExport(fhirExport).execute()
            .persist(StorageLevel.MEMORY_AND_DISK());
        for (ClaimTable t : ClaimTable.values()) {
          Dataset<Row> f = validate.records(t, fhirNow).persist(StorageLevel.MEMORY_AND_DISK());
          persisted.add(f);
          fhirDelivered.put(t, f);
          delivered.merge(t, f, Dataset::union);
        }
      }
      DeliveryGates.Measures measures = DeliveryGates.measure(delivered);
      DeliveryGates deliveryGates = new DeliveryGates(lakehouse, source, gates);
      // read before this delivery's decision is recorded: a rebuild happens only when it is not held, and then
      // that decision changes neither set
      DeliveryGates.Held held = deliveryGates.held();
      DeliveryGates.Decision gate = deliveryGates.decide(runId, measures);
      deliveryGates.record(gate, measures, fhirExport);
      LOG.info("claims run {}: delivery gates {}: {} claim lines, {} member months", runId, gate.decision(),
          measures.claimLines(), measures.memberMonths());
      if (gate.held()) {
        gate.messages().forEach(m -> LOG.warn("claims run {} held: {}", runId, m));
      }
      // 3. silver rebuilt from everything the source has, held deliveries left out (not when this one is held:
      // then its payer FHIR rows are counted and quarantined as read from this delivery alone)
      Rebuilt rebuilt;
      if (gate.held()) {
        Map<ClaimTable, Dataset<Row>> fhirRejected = new EnumMap<>(ClaimTable.class);
        fhirDelivered.forEach((t, d) -> fhirRejected.put(t, d.filter(col("status").equalTo(ValidatedRows.QUARANTINED))));
        quarantine(fhirRejected, deliveryTs, runId);
        rebuilt = Rebuilt.none(fhirDelivered);
      } else {
        // this delivery's validated rows stand for its bronze rows when bronze took every one of them; a row
        // re-sent from an earlier delivery stays in bronze under that delivery (so silver says so): then every
        // bronze row is validated again
        long loadedFlat = flatCounts.stream().filter(RowCount::loaded).mapToLong(RowCount::rows).sum();
        rebuilt = rebuild(validate, persisted, loadedFlat == bronzeAdded ? flat : Map.of(), fhirRunId, deliveryTs,
            runId, held);
      }
      Map<ClaimTable, Dataset<Row>> fhirRows = rebuilt.fhirRows();
      Map<ClaimTable, Long> silverRows = rebuilt.silverRows();
      long eligRows = silverRows.get(ClaimTable.ELIGIBILITY);
      long memberMonths = rebuilt.memberMonths();
      long events = rebuilt.events();

      // 4. counts of this run
      Map<String, Long> findings = new TreeMap<>();
      List<ClaimsIngestResult.TableCount> byTable =
          countRows(delivery, flatCounts, fhirRows, fhirRunId, silverRows, findings);
      List<Row> validationRows = new ArrayList<>();
      // outside-eligibility: this run's claim lines that no eligibility span covers
      String sev = rules.severity("outside-eligibility");
      if (!ValidationRules.OFF.equals(sev)) {
        // both tables in one job
        Dataset<Row> outside = null;
        for (ClaimTable t : List.of(ClaimTable.MEDICAL, ClaimTable.PHARMACY)) {
          var runCol = col("ingest_run_id").equalTo(runId);
          if (fhirRunId != null) {
            runCol = runCol.or(col("ingest_run_id").equalTo(fhirRunId));
          }
          Dataset<Row> o = lakehouse.read(t.silverTable()).filter(col("source").equalTo(source).and(runCol)
              .and(functionsNot(col("eligibility_matched")))).select(lit(t.tableName()).as("table_name"));
          outside = outside == null ? o : outside.union(o);
        }
        for (Row r : outside.groupBy("table_name").count().collectAsList()) {
          findings.merge(r.getString(0) + "|warning:outside-eligibility", r.getLong(1), Long::sum);
        }
      }
      long warnings = 0;
      for (Map.Entry<String, Long> f : findings.entrySet()) {
        String[] k = f.getKey().split("\\|", 2);
        String[] sr = k[1].split(":", 2);
        validationRows.add(RowFactory.create(runId, source, k[0], sr[1], sr[0], f.getValue()));
        if (sr[0].equals(ValidationRules.WARNING) || sr[0].equals(ClaimQualityTests.UNVERIFIED)) {
          warnings += f.getValue();
        }
      }
      byTable.sort(java.util.Comparator.comparing(ClaimsIngestResult.TableCount::table)
          .thenComparing(ClaimsIngestResult.TableCount::format));
      List<ClaimsIngestResult.TableCount> withWarnings = new ArrayList<>();
      for (ClaimsIngestResult.TableCount c : byTable) {
        long w = findings.entrySet().stream().filter(e -> e.getKey().startsWith(c.table() + "|warning:")
                || e.getKey().startsWith(c.table() + "|" + ClaimQualityTests.UNVERIFIED + ":"))
            .mapToLong(Map.Entry::getValue).sum();
        withWarnings.add(new ClaimsIngestResult.TableCount(c.table(), c.format(), c.files(), c.read(), c.loaded(),
            c.quarantined(), byTable.stream().filter(x -> x.table().equals(c.table())).count() == 1 ? w : 0,
            c.silverRows()));
      }
      long read = withWarnings.stream().mapToLong(ClaimsIngestResult.TableCount::read).sum();
      long loadedRows = withWarnings.stream().mapToLong(ClaimsIngestResult.TableCount::loaded).sum();
      long quarantined = withWarnings.stream().mapToLong(ClaimsIngestResult.TableCount::quarantined).sum();
      ClaimsIngestResult result = new ClaimsIngestResult(runId, source, directory, delivery.flatFiles().size(), read,
          loadedRows, quarantined, warnings, bronzeAdded, withWarnings, findings,
          silverRows.get(ClaimTable.MEDICAL), silverRows.get(ClaimTable.PHARMACY), eligRows, memberMonths, events,
          delivery.ignored(), fhirRunId, (System.nanoTime() - t0) / 1e9, gate);
      if (!validationRows.isEmpty()) {
        lakehouse.append("ops.claim_validation",
            spark.createDataFrame(validationRows, lakehouse.contract("ops.claim_validation").schema()));
      }
      recordRun(result, started, delivery.deliveryTime());
      if (!result.reconciled()) {
        throw new IllegalStateException("reconciliation failed for run " + runId + ": read " + read
            + " != loaded " + loadedRows + " + quarantined " + quarantined);
      }
      LOG.info("claims run {}: read {}, loaded {}, quarantined {}, warnings {}, medical lines {}, pharmacy lines {},"
              + " eligibility spans {}, member months {}, events {} in {}s", runId, read, loadedRows, quarantined,
          warnings, result.medicalClaimLines(), result.pharmacyClaimLines(), eligRows, memberMonths, events,
          String.format("%.1f", result.seconds()));
      if (rebuilt.fhirRecords() != null) {
        rebuilt.fhirRecords().unpersist();
      }
      if (fhirNow != null) {
        fhirNow.unpersist();
      }
      return result;
    } finally {
      persisted.forEach(Dataset::unpersist);
    }
  }

  /** What a silver rebuild wrote; the payer FHIR rows it validated (to count and quarantine this run's). */
  private record Rebuilt(Map<ClaimTable, Long> silverRows, long memberMonths, long events,
      Map<ClaimTable, Dataset<Row>> fhirRows, JavaRDD<ClaimRecord> fhirRecords) {
    /** Nothing rebuilt (a held delivery); {@code fhirRows}: its payer FHIR rows, to count. */
    static Rebuilt none(Map<ClaimTable, Dataset<Row>> fhirRows) {
      Map<ClaimTable, Long> zero = new EnumMap<>(ClaimTable.class);
      for (ClaimTable t : ClaimTable.values()) {
        zero.put(t, 0L);
      }
      return new Rebuilt(zero, 0, 0, new EnumMap<>(fhirRows), null);
    }
  }

  /**
   * Silver, member months and events rebuilt from the source's bronze rows (held deliveries left out; this
   * delivery's {@code flat} rows as validated already) and payer FHIR (held exports left out); with
   * {@code fhirRunId}, that FHIR run's rejected rows are quarantined under {@code runId}.
   */
  private Rebuilt rebuild(ValidateClaims validate, List<Dataset<Row>> persisted, Map<ClaimTable, Dataset<Row>> flat,
      String fhirRunId, Timestamp deliveryTs, String runId, DeliveryGates.Held heldDeliveries) {
    Set<String> held = heldDeliveries.runs();
    if (!held.isEmpty()) {
      LOG.info("claims source {}: {} held deliveries left out of silver", source, held.size());
    }
    long t0 = System.nanoTime();
    // everything the source has: bronze flat rows + payer FHIR, validated again (deterministic)
    Dataset<Row> bronze = lakehouse.read("bronze.claim_row").filter(col("source").equalTo(source));
    if (!held.isEmpty()) {
      bronze = bronze.filter(functionsNot(col("ingest_run_id").isin(held.toArray())));
    }
    ReadPayerFhir payer = new ReadPayerFhir(lakehouse, source)
        .excluding(heldDeliveries.fhirExports());
    JavaRDD<ClaimRecord> fhirRecords = payer.any() ? payer.execute().persist(StorageLevel.MEMORY_AND_DISK()) : null;
    Map<ClaimTable, Dataset<Row>> fhirRows = new EnumMap<>(ClaimTable.class);
    Map<ClaimTable, Dataset<Row>> all = new EnumMap<>(ClaimTable.class);
    for (ClaimTable t : ClaimTable.values()) {
      // this delivery's flat rows are validated already (the same rules give the same rows): only the earlier
      // deliveries' bronze rows are validated again
      Dataset<Row> rows = flat.containsKey(t)
          ? validate.bronze(t, bronze.filter(col("ingest_run_id").notEqual(runId))).union(flat.get(t))
          : validate.bronze(t, bronze);
      if (fhirRecords != null) {
        Dataset<Row> f = validate.records(t, fhirRecords).persist(StorageLevel.MEMORY_AND_DISK());
        persisted.add(f);
        fhirRows.put(t, f);
        rows = rows.union(f);
      }
      // not materialised here: each table's first step (the content hash of ResolveFinalActionClaims, the
      // eligibility window) reads these rows once and cuts the lineage
      all.put(t, rows.filter(col("status").equalTo(ValidatedRows.LOADED)));
    }
    if (fhirRecords != null && fhirRunId != null) {
      Map<ClaimTable, Dataset<Row>> fhirRejected = new EnumMap<>(ClaimTable.class);
      for (Map.Entry<ClaimTable, Dataset<Row>> e : fhirRows.entrySet()) {
        fhirRejected.put(e.getKey(), e.getValue().filter(col("status").equalTo(ValidatedRows.QUARANTINED)
            .and(col("ingest_run_id").equalTo(fhirRunId))));
      }
      quarantine(fhirRejected, deliveryTs, runId);
    }
    long t1 = System.nanoTime();
    Map<ClaimTable, Long> silverRows = rebuildSilver(all);
    long t2 = System.nanoTime();
    long memberMonths = new ComputeMemberMonths(lakehouse, source).execute().memberMonths();
    long t3 = System.nanoTime();
    long events = new BuildClaimEvents(lakehouse, source).execute().events();
    LOG.info("claims source {} rebuilt: validated again {}s, silver and versions {}s, member months {}s, events {}s",
        source, Messages.seconds(t1 - t0), Messages.seconds(t2 - t1), Messages.seconds(t3 - t2),
        Messages.seconds(System.nanoTime() - t3));
    return new Rebuilt(silverRows, memberMonths, events, fhirRows, fhirRecords);
  }

  /**
   * {@code ingest-claims --accept-gate}: releases the source's held deliveries whose failing gates
   * {@code accepted} covers ({@code all}: every gate), recorded in ops.claim_delivery, and rebuilds silver with
   * them.
   */
  public ClaimsIngestResult release(Set<String> accepted) {
    long t0 = System.nanoTime();
    DeliveryGates deliveryGates = new DeliveryGates(lakehouse, source, gates);
    List<DeliveryGates.Release> released = deliveryGates.release(accepted);
    String runId = RunIds.next("ingest-claims", source);
    List<Dataset<Row>> persisted = new ArrayList<>();
    try {
      Rebuilt r = rebuild(new ValidateClaims(lakehouse.spark(), source, rules), persisted, Map.of(), null, null,
          runId, deliveryGates.held());
      if (r.fhirRecords() != null) {
        r.fhirRecords().unpersist();
      }
      List<String> messages = released.stream().map(x -> "released delivery " + x.runId() + " (accepted gates "
          + String.join(", ", x.failed()) + ")").toList();
      DeliveryGates.Decision d = new DeliveryGates.Decision(runId, DeliveryGates.RELEASED,
          released.stream().flatMap(x -> x.failed().stream()).distinct().sorted().toList(), messages,
          released.stream().map(DeliveryGates.Release::runId).toList());
      messages.forEach(m -> LOG.info("claims source {}: {}", source, m));
      return new ClaimsIngestResult(runId, source, directory, 0, 0, 0, 0, 0, 0, List.of(), Map.of(),
          r.silverRows().get(ClaimTable.MEDICAL), r.silverRows().get(ClaimTable.PHARMACY),
          r.silverRows().get(ClaimTable.ELIGIBILITY), r.memberMonths(), r.events(), List.of(), null,
          (System.nanoTime() - t0) / 1e9, d);
    } finally {
      persisted.forEach(Dataset::unpersist);
    }
  }

  /** This run's rejected rows of the given tables into ops.quarantine, one commit (keys are stage-suffixed hashes). */
  private void quarantine(Map<ClaimTable, Dataset<Row>> rejectedByTable, Timestamp deliveryTs, String runId) {
    Dataset<Row> q = null;
    for (Dataset<Row> rejected : rejectedByTable.values()) {
      Dataset<Row> one = rejected
          .select(functionsSha(col("row_key")).as("row_key"), lit(source).as("source"), col("stage"),
              col("reason_code"), col("reason"), col("table_name").as("resource_type"),
              lit(null).cast("string").as("resource_id"), col("raw"), lit(deliveryTs).as("export_time"),
              col("file"), col("line"), lit(runId).as("ingest_run_id"));
      q = q == null ? one : q.unionByName(one);
    }
    if (q != null) {
      lakehouse.insertNew("ops.quarantine", q,
          "t.source = '" + source + "' AND t.resource_type IN (" + tableNames(rejectedByTable.keySet()) + ")");
    }
  }

  private static String tableNames(java.util.Collection<ClaimTable> tables) {
    return tables.stream().map(t -> "'" + t.tableName() + "'").collect(java.util.stream.Collectors.joining(", "));
  }

  /**
   * silver.eligibility (latest spans), then silver.medical_claim and silver.pharmacy_claim (final-action
   * lines matched to eligibility) and silver.claim_line_version (every version of every line, running
   * totals), replacing the source's rows; returns rows written per table.
   */
  private Map<ClaimTable, Long> rebuildSilver(Map<ClaimTable, Dataset<Row>> all) {
    SparkSession spark = lakehouse.spark();
    List<String> silverCols = ValidatedRows.contract(ClaimTable.ELIGIBILITY).columns().stream()
        .map(c -> c.name()).toList();
    Dataset<Row> elig = ResolveFinalActionClaims.latestEligibility(spark,
        all.get(ClaimTable.ELIGIBILITY).select(silverCols.stream().map(org.apache.spark.sql.functions::col)
            .toArray(org.apache.spark.sql.Column[]::new)));
    String where = "source = '" + source + "'";
    long eligRows = lakehouse.replaceWhereCounted("silver.eligibility", elig, where);
    Dataset<Row> eligNow = lakehouse.read("silver.eligibility").filter(where);
    Map<ClaimTable, Long> silverRows = new EnumMap<>(ClaimTable.class);
    silverRows.put(ClaimTable.ELIGIBILITY, eligRows);
    Dataset<Row> versions = null;
    for (ClaimTable t : List.of(ClaimTable.MEDICAL, ClaimTable.PHARMACY)) {
      ResolveFinalActionClaims resolve = new ResolveFinalActionClaims(spark, t);
      long t0 = System.nanoTime();
      // not materialised: the families are the hashed rows (materialised) joined to small broadcast tables, read
      // twice below (final action, versions) at less cost than one more copy of the wide rows
      Dataset<Row> families = resolve.families(all.get(t));
      long t1 = System.nanoTime();
      Dataset<Row> resolved = resolve.finalAction(families).localCheckpoint(true);
      long t2 = System.nanoTime();
      Dataset<Row> matched = ResolveFinalActionClaims.matchEligibility(spark, t, resolved, eligNow);
      silverRows.put(t, lakehouse.replaceWhereCounted(t.silverTable(), matched, where));
      LOG.info("claims source {} {}: families {}s, final action {}s, eligibility match and write {}s", source,
          t.tableName(), Messages.seconds(t1 - t0), Messages.seconds(t2 - t1),
          Messages.seconds(System.nanoTime() - t2));
      Dataset<Row> v = new BuildClaimLineVersions(spark, t).execute(families);
      versions = versions == null ? v : versions.unionByName(v);
    }
    lakehouse.replaceWhereCounted("silver.claim_line_version", versions, where);
    return silverRows;
  }

  /**
   * Rows of one table, file format, status and set of findings: what the run counts of validated rows, from one
   * aggregation over every table's rows (a narrow projection, one job for all tables).
   */
  record RowCount(ClaimTable table, String format, boolean loaded, List<String> findings, long rows) {
    static List<RowCount> of(Map<ClaimTable, Dataset<Row>> byTable) {
      Dataset<Row> all = null;
      for (Map.Entry<ClaimTable, Dataset<Row>> e : byTable.entrySet()) {
        Dataset<Row> d = e.getValue().select(lit(e.getKey().name()).as("t"), col("file_format"), col("status"),
            col("findings"));
        all = all == null ? d : all.union(d);
      }
      List<RowCount> out = new ArrayList<>();
      if (all == null) {
        return out;
      }
      for (Row r : all.groupBy("t", "file_format", "status", "findings").count().collectAsList()) {
        out.add(new RowCount(ClaimTable.valueOf(r.getString(0)), r.getString(1),
            ValidatedRows.LOADED.equals(r.getString(2)), r.isNullAt(3) ? List.of() : r.getList(3), r.getLong(4)));
      }
      return out;
    }
  }

  /**
   * Read, loaded and quarantined rows of this run per table and file format (flat files, counted already, and
   * this run's payer FHIR), adding each validation finding's count to {@code findings}.
   */
  private static List<ClaimsIngestResult.TableCount> countRows(ReadClaimFiles.Delivery delivery,
      List<RowCount> flatCounts, Map<ClaimTable, Dataset<Row>> fhirRows, String fhirRunId,
      Map<ClaimTable, Long> silverRows, Map<String, Long> findings) {
    List<ClaimsIngestResult.TableCount> byTable = new ArrayList<>();
    // every listed flat file is counted, an empty one (0 bytes, or a header only) included: its table and
    // format get a row with files = the files listed, even when no row was read from any of them
    for (ReadClaimFiles.FlatFile f : delivery.flatFiles()) {
      if (byTable.stream().noneMatch(c -> c.table().equals(f.table().tableName()) && c.format().equals(f.format()))) {
        byTable.add(new ClaimsIngestResult.TableCount(f.table().tableName(), f.format(),
            (int) delivery.flatFiles().stream().filter(g -> g.table() == f.table() && g.format().equals(f.format()))
                .count(), 0, 0, 0, 0, silverRows.get(f.table())));
      }
    }
    List<RowCount> counts = new ArrayList<>(flatCounts);
    if (fhirRunId != null) {
      Map<ClaimTable, Dataset<Row>> fhirNow = new EnumMap<>(ClaimTable.class);
      fhirRows.forEach((t, d) -> fhirNow.put(t, d.filter(col("ingest_run_id").equalTo(fhirRunId))));
      counts.addAll(RowCount.of(fhirNow));
    }
    for (RowCount n : counts) {
      ClaimTable t = n.table();
      String fmt = n.format();
      ClaimsIngestResult.TableCount old = byTable.stream()
          .filter(c -> c.table().equals(t.tableName()) && c.format().equals(fmt)).findFirst().orElse(null);
      ClaimsIngestResult.TableCount c = new ClaimsIngestResult.TableCount(t.tableName(), fmt,
          (int) delivery.flatFiles().stream().filter(f -> f.table() == t && f.format().equals(fmt)).count(),
          (old == null ? 0 : old.read()) + n.rows(), (old == null ? 0 : old.loaded()) + (n.loaded() ? n.rows() : 0),
          (old == null ? 0 : old.quarantined()) + (n.loaded() ? 0 : n.rows()), 0, silverRows.get(t));
      if (old != null) {
        byTable.remove(old);
      }
      byTable.add(c);
      for (String finding : n.findings()) {
        findings.merge(t.tableName() + "|" + finding, n.rows(), Long::sum);
      }
    }
    return byTable;
  }

  /** Quarantine row keys carry a stage suffix so a claims row key never collides with a FHIR line key. */
  private static org.apache.spark.sql.Column functionsSha(org.apache.spark.sql.Column key) {
    return org.apache.spark.sql.functions.concat(key, lit("-claims"));
  }

  private static org.apache.spark.sql.Column functionsNot(org.apache.spark.sql.Column c) {
    return org.apache.spark.sql.functions.not(c);
  }

  /** ops.ingest_run.files_not_ingested: the delivery's files that are not claims files. */
  private static scala.collection.Map<String, String> notClaimsFiles(List<String> files) {
    Map<String, String> m = new java.util.TreeMap<>();
    files.forEach(f -> m.put(f, "not a claims file"));
    return scala.collection.JavaConverters.mapAsScalaMap(m);
  }

  private void recordRun(ClaimsIngestResult r, Instant started, Instant deliveryTime) {
    SparkSession spark = lakehouse.spark();
    Map<String, Long> versions = new LinkedHashMap<>();
    for (String t : List.of("bronze.claim_row", "ops.quarantine", "silver.medical_claim", "silver.pharmacy_claim",
        "silver.claim_line_version", "silver.eligibility", "silver.member_month", "silver.event")) {
      versions.put(t, lakehouse.version(t));
    }
    Row run = RowFactory.create(r.runId(), "ingest-claims", source, r.directory(), Timestamp.from(deliveryTime),
        Timestamp.from(started), Timestamp.from(Instant.now()),
        !r.reconciled() ? "failed" : r.held() ? DeliveryGates.HELD : "succeeded",
        r.files(), r.rowsRead(), r.rowsLoaded(), r.rowsQuarantined(), r.bronzeRowsAdded(),
        r.medicalClaimLines() + r.pharmacyClaimLines() + r.eligibilitySpans(),
        scala.collection.JavaConverters.mapAsScalaMap(versions),
        !r.reconciled() ? "read != loaded + quarantined"
            : r.held() ? "held by delivery gates " + String.join(", ", r.gate().failed()) : null,
        notClaimsFiles(r.ignoredFiles()));
    lakehouse.append("ops.ingest_run",
        spark.createDataFrame(List.of(run), lakehouse.contract("ops.ingest_run").schema()));
    List<Row> rec = new ArrayList<>();
    for (ClaimsIngestResult.TableCount t : r.byTable()) {
      rec.add(RowFactory.create(r.runId(), source, t.table(), t.format(), t.files(), t.read(), t.loaded(),
          t.quarantined(), null, "silver." + t.table(), t.silverRows(), 0L, null, null, null, null, null));
    }
    if (!rec.isEmpty()) {
      lakehouse.append("ops.ingest_reconciliation",
          spark.createDataFrame(rec, lakehouse.contract("ops.ingest_reconciliation").schema()));
    }
  }
}
