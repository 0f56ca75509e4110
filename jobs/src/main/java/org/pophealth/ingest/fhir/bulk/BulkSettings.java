package org.pophealth.ingest.fhir.bulk;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.pophealth.config.PopHealthConfig;

/**
 * Everything one bulk export needs, with defaults applied.
 *
 * @param level {@code system}, {@code patient} or {@code group:<id>}
 * @param since explicit {@code _since} (overrides the watermark), null for none
 * @param pollCap longest single wait (Retry-After and back-off are capped to it)
 * @param strictCounts a file whose line count still differs from the manifest's {@code count} after one
 *     re-download fails the run (after ingesting what arrived) and keeps the watermark where it was
 * @param tokenOrigins origins ({@code scheme://host[:port]}) besides the FHIR server's and the token
 *     endpoint's that may receive the access token: a separate file host of the same server
 * @param protocol kick-off method, {@code _until}, {@code organizeOutputBy}, {@code allowPartialManifests}
 *     and the DELETE of the status URL after a successful run
 */
public record BulkSettings(
    String baseUrl,
    String level,
    List<String> types,
    List<String> typeFilters,
    List<String> elements,
    List<String> patients,
    String outputFormat,
    boolean includeAssociatedData,
    Instant since,
    Path downloadDir,
    Duration pollCap,
    Duration initialBackoff,
    int maxRetries,
    int parallelDownloads,
    boolean cancelOnAbort,
    boolean strictCounts,
    PopHealthConfig.Auth auth,
    List<String> tokenOrigins,
    Protocol protocol) {

  /**
   * The protocol choices of a kick-off and of the end of a run.
   *
   * @param kickOffMethod {@code post} (a Parameters body; GET when the server refuses POST) or {@code get}
   * @param until {@code _until}, null for none
   * @param organizeOutputBy {@code organizeOutputBy} (e.g. {@code Patient}), null for none
   * @param allowPartialManifests send {@code allowPartialManifests=true} (manifest pages are followed anyway)
   * @param deleteAfterDownload DELETE the status URL once the export is ingested and its watermark stored
   */
  public record Protocol(String kickOffMethod, Instant until, String organizeOutputBy, boolean allowPartialManifests,
      boolean deleteAfterDownload) {
    /** POST kick-off, no {@code _until} or {@code organizeOutputBy}, no partial manifests, DELETE after the run. */
    public static final Protocol DEFAULTS = new Protocol("post", null, null, false, true);

    public Protocol {
      kickOffMethod = kickOffMethod == null ? "post" : kickOffMethod.toLowerCase(java.util.Locale.ROOT);
      if (!kickOffMethod.equals("post") && !kickOffMethod.equals("get")) {
        throw new IllegalArgumentException("kick_off_method must be post or get, not " + kickOffMethod);
      }
      if (organizeOutputBy != null && !organizeOutputBy.matches("[A-Za-z]{1,64}")) {
        throw new IllegalArgumentException("organize_output_by must be a resource type, not " + organizeOutputBy);
      }
    }
  }

  public BulkSettings {
    if (baseUrl == null || baseUrl.isBlank()) {
      throw new IllegalArgumentException("bulk export needs a base_url");
    }
    baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    level = level == null ? "system" : level;
    if (!level.equals("system") && !level.equals("patient") && !level.matches("group:[A-Za-z0-9\\-.]{1,64}")) {
      throw new IllegalArgumentException("level must be system, patient or group:<id>, not " + level);
    }
    types = types == null ? List.of() : List.copyOf(types);
    typeFilters = typeFilters == null ? List.of() : List.copyOf(typeFilters);
    elements = elements == null ? List.of() : List.copyOf(elements);
    patients = patients == null ? List.of() : List.copyOf(patients);
    if (maxRetries < 0 || parallelDownloads < 1) {
      throw new IllegalArgumentException("max_retries must be >= 0 and parallel_downloads >= 1");
    }
    if (TokenOrigins.of(java.net.URI.create(baseUrl)) == null) {
      throw new IllegalArgumentException("base_url must be an absolute http or https url");
    }
    tokenOrigins = TokenOrigins.normalize(tokenOrigins);
    protocol = protocol == null ? Protocol.DEFAULTS : protocol;
  }

  /** Settings with the default protocol (POST kick-off, DELETE after the run). */
  public BulkSettings(String baseUrl, String level, List<String> types, List<String> typeFilters,
      List<String> elements, List<String> patients, String outputFormat, boolean includeAssociatedData,
      Instant since, Path downloadDir, Duration pollCap, Duration initialBackoff, int maxRetries,
      int parallelDownloads, boolean cancelOnAbort, boolean strictCounts, PopHealthConfig.Auth auth,
      List<String> tokenOrigins) {
    this(baseUrl, level, types, typeFilters, elements, patients, outputFormat, includeAssociatedData, since,
        downloadDir, pollCap, initialBackoff, maxRetries, parallelDownloads, cancelOnAbort, strictCounts, auth,
        tokenOrigins, Protocol.DEFAULTS);
  }

  /** Settings without extra token origins (the token goes to the FHIR server and the token endpoint only). */
  public BulkSettings(String baseUrl, String level, List<String> types, List<String> typeFilters,
      List<String> elements, List<String> patients, String outputFormat, boolean includeAssociatedData,
      Instant since, Path downloadDir, Duration pollCap, Duration initialBackoff, int maxRetries,
      int parallelDownloads, boolean cancelOnAbort, boolean strictCounts, PopHealthConfig.Auth auth) {
    this(baseUrl, level, types, typeFilters, elements, patients, outputFormat, includeAssociatedData, since,
        downloadDir, pollCap, initialBackoff, maxRetries, parallelDownloads, cancelOnAbort, strictCounts, auth,
        List.of());
  }

  /** Settings for {@code source} from its config entry. */
  public static BulkSettings of(String source, PopHealthConfig.Source s) {
    return new BulkSettings(
        s.baseUrl(), s.level(), s.types(), s.typeFilters(), s.elements(), s.patients(), s.outputFormat(),
        s.includeAssociatedData() != null && s.includeAssociatedData(),
        s.since() == null ? null : Instant.parse(s.since()),
        Path.of(s.downloadDir() != null ? s.downloadDir() : "./.cache/bulk/" + source),
        Duration.ofMillis(Math.round(1000 * (s.pollCapSeconds() == null ? 60.0 : s.pollCapSeconds()))),
        Duration.ofMillis(s.initialBackoffMillis() == null ? 1000 : s.initialBackoffMillis()),
        s.maxRetries() == null ? 5 : s.maxRetries(),
        s.parallelDownloads() == null ? 2 : s.parallelDownloads(),
        s.cancelOnAbort() == null || s.cancelOnAbort(),
        s.strictCounts() == null || s.strictCounts(),
        s.auth(),
        s.tokenOrigins(),
        new Protocol(s.kickOffMethod(), s.until() == null ? null : Instant.parse(s.until()), s.organizeOutputBy(),
            Boolean.TRUE.equals(s.allowPartialManifests()), s.deleteAfterDownload() == null || s.deleteAfterDownload()));
  }

  /** The kick-off URL path for the level, without query. */
  public String kickOffUrl() {
    if (level.equals("system")) {
      return baseUrl + "/$export";
    }
    if (level.equals("patient")) {
      return baseUrl + "/Patient/$export";
    }
    return baseUrl + "/Group/" + level.substring("group:".length()) + "/$export";
  }

  public BulkSettings withSince(Instant s) {
    return with(types, typeFilters, patients, s, tokenOrigins, protocol);
  }

  /** These settings with {@code origins} as the extra token origins. */
  public BulkSettings withTokenOrigins(List<String> origins) {
    return with(types, typeFilters, patients, since, origins, protocol);
  }

  /** These settings with another protocol. */
  public BulkSettings withProtocol(Protocol p) {
    return with(types, typeFilters, patients, since, tokenOrigins, p);
  }

  /** One export of a run: these types and filters, since {@code s} (null: full), for {@code patientRefs}. */
  public BulkSettings forExport(List<String> exportTypes, List<String> exportFilters, List<String> patientRefs,
      Instant s) {
    return with(exportTypes, exportFilters, patientRefs, s, tokenOrigins, protocol);
  }

  /** The group id of a {@code group:<id>} level, else null. */
  public String groupId() {
    return level.startsWith("group:") ? level.substring("group:".length()) : null;
  }

  private BulkSettings with(List<String> t, List<String> f, List<String> p, Instant s, List<String> origins,
      Protocol proto) {
    return new BulkSettings(baseUrl, level, t, f, elements, p, outputFormat, includeAssociatedData, s, downloadDir,
        pollCap, initialBackoff, maxRetries, parallelDownloads, cancelOnAbort, strictCounts, auth, origins, proto);
  }
}
