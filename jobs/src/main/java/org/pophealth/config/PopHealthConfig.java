package org.pophealth.config;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** The whole configuration; see {@code pophealth-defaults.yaml} for every key and its default. */
public record PopHealthConfig(
    Spark spark,
    Lakehouse lakehouse,
    Map<String, Source> sources,
    MeasurementPeriod measurementPeriod,
    Ingest ingest,
    Demo demo,
    Claims claims,
    Identity identity,
    Risk risk,
    Duplicates duplicates,
    Measures measures,
    Cohorts cohorts,
    SchedulerConfig scheduler,
    Views views,
    Alerts alerts,
    List<FreshnessRule> freshness)
    implements Serializable {

  /**
   * Where alerts go ({@code alerts}): an HTTP POST of the event as JSON to {@code webhookUrl} and/or a command
   * ({@code command}, an argv list run without a shell) given the event on standard input. Null or empty: not
   * used. The webhook's secret header value comes from the environment variable {@code webhookAuthEnv} or the
   * file {@code webhookAuthFile}, never from the configuration.
   */
  public record Alerts(String webhookUrl, String webhookAuthHeader, String webhookAuthEnv, String webhookAuthFile,
      double webhookTimeoutSeconds, int webhookRetries, double webhookRetryBackoffSeconds, List<String> command,
      double commandTimeoutSeconds) implements Serializable {
    /** No notifier: events are still recorded in ops.alert. */
    public static Alerts none() {
      return new Alerts(null, "Authorization", null, null, 10, 2, 1, List.of(), 30);
    }
  }

  /**
   * A freshness rule ({@code freshness[]}): a source (its last successful ingest in ops.ingest_run) or a table
   * (its last Delta commit) older than {@code maxAgeHours} is stale.
   */
  public record FreshnessRule(String source, String table, double maxAgeHours) implements Serializable {}

  public record Spark(String master, String appName, int shufflePartitions, Map<String, String> conf)
      implements Serializable {}

  /**
   * The lakehouse: its root, the single-writer lease, and the group that may read patient-level files.
   *
   * @param phiGroup group given read access to published patient-level files (0640/0750); null: owner only
   *     (0600/0700)
   * @param umask permission bits taken away from every file and folder the lakehouse's writes create
   *     (Hadoop's {@code fs.permissions.umask-mode}); default 077: owner only
   */
  public record Lakehouse(String root, Lease lease, String phiGroup, String umask) implements Serializable {
    public Lakehouse {
      lease = lease != null ? lease : new Lease(0, 300);
      umask = umask != null ? umask : "077";
    }
  }

  /**
   * One writer per lakehouse ({@code lakehouse.lease}).
   *
   * @param waitSeconds how long a job waits for another run's lease before it is refused (0: refuse at once)
   * @param staleSeconds a lease not renewed for this long (its holder on another host died) may be taken over
   */
  public record Lease(int waitSeconds, int staleSeconds) implements Serializable {}

  /**
   * One data source. With {@code baseUrl} set, {@code ingest-fhir --source NAME} runs a FHIR Bulk Data
   * export against it; otherwise it reads {@code dir}. Null bulk settings take the client's defaults.
   * {@code charset} (claims sources): the encoding of the delivery's CSV files, null = UTF-8, decoded strictly.
   */
  public record Source(
      String kind,
      String dir,
      String baseUrl,
      String level,
      java.util.List<String> types,
      java.util.List<String> typeFilters,
      java.util.List<String> elements,
      java.util.List<String> patients,
      String since,
      String downloadDir,
      Double pollCapSeconds,
      Long initialBackoffMillis,
      Integer maxRetries,
      Integer parallelDownloads,
      Boolean cancelOnAbort,
      String outputFormat,
      Boolean includeAssociatedData,
      Boolean strictCounts,
      Auth auth,
      java.util.List<String> tokenOrigins,
      String charset,
      FetchReferences fetchReferences,
      String kickOffMethod,
      String until,
      String organizeOutputBy,
      Boolean allowPartialManifests,
      Boolean deleteAfterDownload)
      implements Serializable {
    /** A source without {@code fetch_references} and protocol settings (their defaults apply). */
    public Source(String kind, String dir, String baseUrl, String level, java.util.List<String> types,
        java.util.List<String> typeFilters, java.util.List<String> elements, java.util.List<String> patients,
        String since, String downloadDir, Double pollCapSeconds, Long initialBackoffMillis, Integer maxRetries,
        Integer parallelDownloads, Boolean cancelOnAbort, String outputFormat, Boolean includeAssociatedData,
        Boolean strictCounts, Auth auth, java.util.List<String> tokenOrigins, String charset) {
      this(kind, dir, baseUrl, level, types, typeFilters, elements, patients, since, downloadDir, pollCapSeconds,
          initialBackoffMillis, maxRetries, parallelDownloads, cancelOnAbort, outputFormat, includeAssociatedData,
          strictCounts, auth, tokenOrigins, charset, null, null, null, null, null, null);
    }

    /** A directory-only source (no bulk client). */
    public Source(String kind, String dir) {
      this(kind, dir, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
          null, null, null);
    }

    /** This source with another base URL, level and types (the one-off {@code ingest-fhir --url/--level/--type}). */
    public Source withExport(String url, String lvl, java.util.List<String> typeList) {
      return new Source(kind, dir, url, lvl, typeList, typeFilters, elements, patients, since, downloadDir,
          pollCapSeconds, initialBackoffMillis, maxRetries, parallelDownloads, cancelOnAbort, outputFormat,
          includeAssociatedData, strictCounts, auth, tokenOrigins, charset, fetchReferences, kickOffMethod, until,
          organizeOutputBy, allowPartialManifests, deleteAfterDownload);
    }
  }

  /**
   * A bulk source's {@code fetch_references}: after the download, referenced resources of {@code types} missing
   * from the export are read from the server by id, {@code batchSize} ids per search. Null values take the
   * defaults (enabled, [Medication], 50).
   */
  public record FetchReferences(Boolean enabled, java.util.List<String> types, Integer batchSize)
      implements Serializable {}

  /** SMART Backend Services credentials; the private key is read from a file, never stored here. */
  public record Auth(
      String clientId, String tokenEndpoint, String privateKeyFile, String keyId, String algorithm, String scope)
      implements Serializable {}

  public record MeasurementPeriod(LocalDate start, LocalDate end) implements Serializable {}

  /**
   * Quality measures: the eCQM package folder under {@code measures/ecqm/} (or a directory path) and the
   * small-cell threshold of the executive summary, the reporting organisation exported MeasureReports name.
   */
  public record Measures(String packageDir, int smallCellThreshold, String reporter) implements Serializable {}

  public record Ingest(long chunkBytes, int maxQuarantineRawChars) implements Serializable {}

  /**
   * Claims ingest: rule severities ({@code error}, {@code warning}, {@code off}) by rule code, the
   * amount ceiling, the delivery gates, the demo payer's settings, and {@code qualityDir}: a directory whose files
   * replace those of the packaged data-quality tests {@code measures/claims-quality/} (null: the packaged ones).
   */
  public record Claims(java.math.BigDecimal maxAmount, Map<String, String> rules, Gates gates, DemoPayer demoPayer,
      String qualityDir)
      implements Serializable {}

  /**
   * Delivery gates of ingest-claims: a delivery is compared with the median of the source's last
   * {@code baselineDeliveries} accepted deliveries; a threshold of 0 (or {@code missingMonth} false) turns its
   * gate off. Nothing is compared while those deliveries have fewer than {@code minLines} claim lines in all,
   * and a volume cell (table and service month) only when its baseline has at least {@code minLines} lines.
   */
  public record Gates(int baselineDeliveries, long minLines, double volumeDropPercent, double pmpmChangePercent,
      double undeterminedShareMax, double providerDropPercent, boolean missingMonth) implements Serializable {
    public static Gates defaults() {
      return new Gates(3, 20, 50, 100, 0.5, 50, true);
    }
  }

  /** The demo payer derived from the Synthea population (noise rates are fractions of members). */
  public record DemoPayer(String name, long seed, double typoRate, double nicknameRate, double movedRate,
      double swappedBirthRate, double missingSsnRate) implements Serializable {}

  /**
   * The demo population: Synthea's size, seed, history, age range ({@code MIN-MAX}, null: all ages), cache,
   * launcher; {@code trendPeriods} earlier measurement periods evaluated before the configured one (the
   * dashboard's trend) and scored as the prior payment year (the rising-risk tier); {@code jobs}: the
   * demo's pipeline, run like a scheduler pipeline with the demo's inputs as variables.
   */
  public record Demo(int patients, long seed, int yearsOfHistory, String ages, int trendPeriods, String cacheDir,
      String syntheaScript, List<SchedulerConfig.Job> jobs) implements Serializable {}

  /**
   * CMS-HCC scoring ({@code score-risk}): default payment year, whether EHR encounter diagnoses count
   * (false for payment scores; true only for clinical triage), and the share of largest score
   * increases flagged as rising.
   */
  public record Risk(int paymentYear, boolean includeEhrDiagnoses, double risingPercent) implements Serializable {}

  /**
   * detect-duplicate-tests: {@code rulesDir} null = the packaged measures/duplicate-tests/; rate cells
   * with fewer than {@code minCellSize} tests are suppressed.
   */
  public record Duplicates(String rulesDir, int minCellSize) implements Serializable {}

  /**
   * Cohorts ({@code build-cohorts}, {@code publish}): definitions directory (null: packaged
   * measures/cohorts/), publish directory (null: {@code <lakehouse.root>/published}), as-of date (null:
   * measurement_period.end), attribution windows and rules, small-cell threshold of aggregate audiences, holiday
   * calendar of business-day deadlines (a holidays.csv file or a directory holding one; null: packaged
   * measures/calendar/), worklist rules directory (null: packaged measures/worklist/).
   */
  public record Cohorts(String definitionsDir, String publishDir, LocalDate asOf, Attribution attribution,
      int minCellSize, String calendar, String worklistDir) implements Serializable {}

  /** Attribution: look-back and fallback windows (months); rules directory (null: packaged measures/attribution/). */
  public record Attribution(int lookbackMonths, int fallbackMonths, String rulesDir) implements Serializable {}

  /**
   * SQL on FHIR ViewDefinitions ({@code build-views}): the directory of {@code *.json} definitions, each
   * materialised as {@code view.<name>}; null: the packaged {@code measures/views/}.
   */
  public record Views(String dir) implements Serializable {}

  /** A copy with the lakehouse root replaced (the global {@code --lakehouse} option). */
  public PopHealthConfig withLakehouseRoot(String root) {
    return new PopHealthConfig(spark, new Lakehouse(Locations.absolute(root), lakehouse.lease(), lakehouse.phiGroup(), lakehouse.umask()), sources, measurementPeriod, ingest, demo, claims, identity, risk, duplicates, measures, cohorts, scheduler, views, alerts, freshness);
  }

  /** A copy with the Spark master replaced. */
  public PopHealthConfig withSparkMaster(String master) {
    return new PopHealthConfig(
        new Spark(master, spark.appName(), spark.shufflePartitions(), spark.conf()),
        lakehouse, sources, measurementPeriod, ingest, demo, claims, identity, risk, duplicates, measures, cohorts, scheduler, views, alerts, freshness);
  }

  /** A copy with demo settings replaced. */
  public PopHealthConfig withDemo(Demo d) {
    return new PopHealthConfig(spark, lakehouse, sources, measurementPeriod, ingest, d, claims, identity, risk, duplicates, measures, cohorts, scheduler, views, alerts, freshness);
  }

  /** A copy with scheduler settings replaced. */
  public PopHealthConfig withScheduler(SchedulerConfig sc) {
    return new PopHealthConfig(spark, lakehouse, sources, measurementPeriod, ingest, demo, claims, identity, risk, duplicates, measures, cohorts, sc, views, alerts, freshness);
  }

  /** A copy with other notifiers and freshness rules. */
  public PopHealthConfig withAlerts(Alerts a, List<FreshnessRule> rules) {
    return new PopHealthConfig(spark, lakehouse, sources, measurementPeriod, ingest, demo, claims, identity, risk, duplicates, measures, cohorts, scheduler, views, a, rules);
  }

  /** A copy with identity settings replaced. */
  public PopHealthConfig withIdentity(Identity i) {
    return new PopHealthConfig(spark, lakehouse, sources, measurementPeriod, ingest, demo, claims, i, risk, duplicates, measures, cohorts, scheduler, views, alerts, freshness);
  }

  /**
   * Identity resolution ({@code resolve-identity}, {@code link}): record sources, blocking and
   * training rules (lists of Spark SQL expressions over person fields), thresholds on match
   * probability, EM and random-pair settings, over-link guard.
   */
  public record Identity(
      java.util.List<IdentitySource> sources,
      java.util.List<java.util.List<String>> blockingRules,
      java.util.List<java.util.List<String>> trainingRules,
      double matchThreshold,
      double reviewThreshold,
      int maxBlockSize,
      long maxRuleComparisons,
      long trainingMaxPairs,
      int emIterations,
      int uSampleRecords,
      long uRandomPairs,
      long seed,
      Guard guard,
      String groundTruthFile,
      java.util.List<String> termFrequencyFields,
      double weakFieldsMatchThreshold,
      double minEstimatedPrecision)
      implements Serializable {
    /** These settings reading other source tables (tests, benchmarks). */
    public Identity withSources(java.util.List<IdentitySource> s) {
      return new Identity(s, blockingRules, trainingRules, matchThreshold, reviewThreshold, maxBlockSize,
          maxRuleComparisons, trainingMaxPairs, emIterations, uSampleRecords, uRandomPairs, seed, guard, groundTruthFile,
          termFrequencyFields, weakFieldsMatchThreshold, minEstimatedPrecision);
    }
  }

  /** Over-link guard: clusters never hold SSNs more than {@code ssnMaxEdits} apart, nor two sexes. */
  public record Guard(int ssnMaxEdits, boolean sex) implements Serializable {}

  /**
   * A table of person records: {@code sourceColumn} (else the constant {@code sourceName}) names the
   * source, {@code recordIdColumn} identifies the record in it; {@code fields} maps person fields to
   * SQL expressions over the table; {@code kind} (ehr or claims) and {@code updatedColumn} rank
   * records for the golden record.
   */
  public record IdentitySource(
      String table,
      String sourceColumn,
      String sourceName,
      String recordIdColumn,
      String kind,
      String updatedColumn,
      java.util.Map<String, String> fields)
      implements Serializable {}
}
