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
    List<String> tokenOrigins) {

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
        s.tokenOrigins());
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
    return new BulkSettings(baseUrl, level, types, typeFilters, elements, patients, outputFormat,
        includeAssociatedData, s, downloadDir, pollCap, initialBackoff, maxRetries, parallelDownloads, cancelOnAbort,
        strictCounts, auth, tokenOrigins);
  }

  /** These settings with {@code origins} as the extra token origins. */
  public BulkSettings withTokenOrigins(List<String> origins) {
    return new BulkSettings(baseUrl, level, types, typeFilters, elements, patients, outputFormat,
        includeAssociatedData, since, downloadDir, pollCap, initialBackoff, maxRetries, parallelDownloads,
        cancelOnAbort, strictCounts, auth, origins);
  }
}
