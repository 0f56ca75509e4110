package org.pophealth.bench.pathling;

import au.csiro.pathling.encoders.FhirEncoders;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.FhirVersionEnum;
import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Benchmark peer: FHIR bulk-export NDJSON directory to Delta Lake, encoded with Pathling's
 * encoders ({@code au.csiro.pathling:encoders:7.2.0}).
 *
 * <p>Usage: {@code PathlingIngest --input DIR --output DIR [--master local[2]] [--verify-counts]}
 *
 * <p>For each {@code <Type>.ndjson} or {@code <Type>.<anything>.ndjson} in DIR (Synthea writes
 * {@code Location.<timestamp>.ndjson}), grouped by type: {@code spark.read().text(files)}, parse
 * each line with HAPI in a {@code mapPartitions} (one parser per partition, FhirContext shared per
 * JVM, as Pathling's own {@code PathlingContext.encode} / {@code EncodeResourceMapPartitions} do),
 * encode with the Pathling {@link ExpressionEncoder} for the type, and write a Delta table at
 * OUTPUT/&lt;Type&gt; (mode overwrite). Types that Pathling cannot encode are skipped and listed.
 *
 * <p>Prints exactly one JSON line to stdout; all logging goes to stderr. Resource counts are
 * what Delta committed (the write's numOutputRows); {@code --verify-counts} also scans each table.
 */
public final class PathlingIngest {

  private static final Logger LOG = LoggerFactory.getLogger(PathlingIngest.class);

  static final String ENGINE = "pathling-encoders-7.2.0";

  private static final String USAGE =
      "usage: PathlingIngest --input DIR --output DIR [--master local[2]] [--verify-counts]";

  /** {@code Patient.ndjson}, {@code Location.1234567890.ndjson}, {@code Observation.000.ndjson}. */
  private static final Pattern NDJSON_FILE =
      Pattern.compile("^([A-Z][A-Za-z]*)(?:\\.[^/]+)?\\.ndjson$");

  private PathlingIngest() {}

  public static void main(final String[] args) throws Exception {
    String input = null;
    String output = null;
    String master = "local[2]";
    boolean verifyCounts = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--input" -> input = requireValue(args, ++i, "--input");
        case "--output" -> output = requireValue(args, ++i, "--output");
        case "--master" -> master = requireValue(args, ++i, "--master");
        case "--verify-counts" -> verifyCounts = true;
        case "-h", "--help" -> {
          System.err.println(USAGE);
          System.exit(0);
        }
        default -> usage("unknown argument: " + args[i]);
      }
    }
    if (input == null || output == null) {
      usage("--input and --output are required");
    }
    System.exit(run(Paths.get(input), Paths.get(output), master, verifyCounts));
  }

  private static String requireValue(final String[] args, final int i, final String flag) {
    if (i >= args.length) {
      usage(flag + " needs a value");
    }
    return args[i];
  }

  private static void usage(final String message) {
    System.err.println("PathlingIngest: " + message);
    System.err.println(USAGE);
    System.exit(2);
  }

  static int run(final Path inputDir, final Path outputDir, final String master,
      final boolean verifyCounts) throws IOException {
    if (!Files.isDirectory(inputDir)) {
      LOG.error("input is not a directory: {}", inputDir);
      return 2;
    }
    final Map<String, List<Path>> filesByType = listNdjson(inputDir);
    if (filesByType.isEmpty()) {
      LOG.error("no *.ndjson files in {}", inputDir);
      return 2;
    }

    // ---- startup (not part of "seconds"): Spark session, Delta wiring, FHIR context ----
    final SparkSession spark = SparkSession.builder()
        .appName("pophealth-bench-pathling")
        .master(master)
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog",
            "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");

    // FhirEncoders.forR4() defaults, stated because they differ from Pathling's library
    // (PathlingContext) defaults: maxNestingLevel = 0 (recursive types such as
    // Identifier.assigner.identifier are not expanded), extensions disabled (no _extension
    // column), openTypes = empty set (choice-of-any-type fields such as Extension.value[x] are not
    // encoded). Pathling's library defaults (nesting 3, extensions, open types) are ~30% slower.
    final FhirEncoders encoders = FhirEncoders.forR4().getOrCreate();
    final FhirContext fhirContext = encoders.getContext();
    final double startupSeconds =
        (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
    LOG.info("startup {} s (JVM start to SparkSession + FhirEncoders ready), Spark {}",
        fmt(startupSeconds, 3), spark.version());

    final Map<String, Long> bytesByType = new TreeMap<>();
    final Map<String, Double> secondsByType = new TreeMap<>();
    final Map<String, String> skipped = new TreeMap<>();
    final Map<String, String> written = new LinkedHashMap<>();

    // ---- timed section: from the first read to the end of the last Delta write ----
    final long t0 = System.nanoTime();
    for (final Map.Entry<String, List<Path>> entry : filesByType.entrySet()) {
      final String type = entry.getKey();
      final List<Path> files = entry.getValue();
      final long typeStart = System.nanoTime();
      final ExpressionEncoder<IBaseResource> encoder;
      final Class<? extends IBaseResource> resourceClass;
      try {
        resourceClass = fhirContext.getResourceDefinition(type).getImplementingClass();
        encoder = encoders.of(type);
      } catch (final RuntimeException e) {
        // UnsupportedResourceError (e.g. Parameters, Bundle) or an unknown type name
        skipped.put(type, e.getClass().getSimpleName() + ": " + e.getMessage());
        LOG.warn("skipping {} ({} files): {}", type, files.size(), e.toString());
        continue;
      }
      final String[] paths = files.stream().map(p -> p.toAbsolutePath().toString())
          .toArray(String[]::new);
      final String target = outputDir.resolve(type).toAbsolutePath().toString();
      final Dataset<String> lines = spark.read().text(paths).as(Encoders.STRING());
      final Dataset<IBaseResource> resources =
          lines.mapPartitions(new HapiParsePartition(resourceClass), encoder);
      resources.write().format("delta").mode(SaveMode.Overwrite).save(target);
      written.put(type, target);
      long bytes = 0;
      for (final Path f : files) {
        bytes += Files.size(f);
      }
      bytesByType.put(type, bytes);
      final double typeSeconds = (System.nanoTime() - typeStart) / 1e9;
      secondsByType.put(type, typeSeconds);
      LOG.info("{}: {} file(s), {} bytes -> {} in {} s", type, files.size(), bytes, target,
          fmt(typeSeconds, 3));
    }
    final double seconds = (System.nanoTime() - t0) / 1e9;
    LOG.info("timed section: {} s for {} type(s)", fmt(seconds, 3), written.size());

    // ---- counts from what was written (outside the timed section) ----
    // Delta's own write metrics (commitInfo.operationMetrics.numOutputRows of the commit just
    // made): file reads only, ~ms per table. A count() per table costs 1-3 s each on 2 cores.
    // --verify-counts additionally scans every table and fails on a mismatch.
    final Map<String, Long> counts = new TreeMap<>();
    long total = 0;
    long totalBytes = 0;
    long deltaBytes = 0;
    for (final Map.Entry<String, String> e : written.entrySet()) {
      final long[] metrics = lastCommitMetrics(Paths.get(e.getValue()));
      long n = metrics[0];
      if (n < 0 || verifyCounts) {
        final long scanned = spark.read().format("delta").load(e.getValue()).count();
        if (n >= 0 && n != scanned) {
          LOG.error("{}: commit says {} rows, table scan counts {}", e.getKey(), n, scanned);
          spark.stop();
          return 1;
        }
        n = scanned;
      }
      counts.put(e.getKey(), n);
      total += n;
      totalBytes += bytesByType.get(e.getKey());
      deltaBytes += Math.max(0, metrics[1]);
    }
    LOG.info("counted {} resources from the Delta tables in {} s (not part of \"seconds\")",
        total, fmt((System.nanoTime() - t0) / 1e9 - seconds, 3));
    spark.stop();

    final StringBuilder json = new StringBuilder(256);
    json.append('{')
        .append("\"engine\":\"").append(ENGINE).append('"')
        .append(",\"resources\":").append(total)
        .append(",\"bytes\":").append(totalBytes)
        .append(",\"seconds\":").append(fmt(seconds, 3))
        .append(",\"resources_per_second\":")
        .append(fmt(seconds > 0 ? total / seconds : 0, 1))
        .append(",\"mb_per_second\":")
        .append(fmt(seconds > 0 ? totalBytes / 1e6 / seconds : 0, 3))
        .append(",\"startup_seconds\":").append(fmt(startupSeconds, 3))
        .append(",\"delta_bytes\":").append(deltaBytes)
        .append(",\"master\":\"").append(jsonEscape(master)).append('"')
        .append(",\"spark\":\"").append(jsonEscape(spark.version())).append('"')
        .append(",\"encoder_config\":{\"fhir_version\":\"R4\",\"max_nesting_level\":0,"
            + "\"extensions\":false,\"open_types\":[]}")
        .append(",\"types\":{");
    boolean first = true;
    for (final Map.Entry<String, Long> e : counts.entrySet()) {
      json.append(first ? "" : ",").append('"').append(jsonEscape(e.getKey())).append("\":")
          .append(e.getValue());
      first = false;
    }
    // wall time per type, in processing order (alphabetical); the first one carries the JVM's
    // warm-up (codegen, Delta log setup), see STACK.md pitfall 8
    json.append("},\"type_seconds\":{");
    first = true;
    for (final Map.Entry<String, Double> e : secondsByType.entrySet()) {
      json.append(first ? "" : ",").append('"').append(jsonEscape(e.getKey())).append("\":")
          .append(fmt(e.getValue(), 3));
      first = false;
    }
    json.append("},\"skipped\":{");
    first = true;
    for (final Map.Entry<String, String> e : skipped.entrySet()) {
      json.append(first ? "" : ",").append('"').append(jsonEscape(e.getKey())).append("\":\"")
          .append(jsonEscape(e.getValue())).append('"');
      first = false;
    }
    json.append("}}");
    System.out.println(json);
    System.out.flush();
    return 0;
  }

  /** Groups the directory's NDJSON files by resource type (the file name up to the first dot). */
  static Map<String, List<Path>> listNdjson(final Path dir) throws IOException {
    final Map<String, List<Path>> byType = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(Files::isRegularFile).sorted().forEach(p -> {
        final Matcher m = NDJSON_FILE.matcher(p.getFileName().toString());
        if (m.matches()) {
          byType.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(p);
        }
      });
    }
    return byType;
  }

  private static final Pattern DELTA_COMMIT = Pattern.compile("^\\d{20}\\.json$");

  /**
   * numOutputRows and numOutputBytes of the newest commit in TABLE/_delta_log, or -1 when the
   * commit carries no such metric.
   */
  static long[] lastCommitMetrics(final Path table) throws IOException {
    final Path log = table.resolve("_delta_log");
    final Path last;
    try (Stream<Path> s = Files.list(log)) {
      last = s.filter(p -> DELTA_COMMIT.matcher(p.getFileName().toString()).matches())
          .max(Comparator.comparing(p -> p.getFileName().toString())).orElse(null);
    }
    final long[] result = {-1, -1};
    if (last == null) {
      return result;
    }
    final ObjectMapper mapper = new ObjectMapper();
    for (final String line : Files.readAllLines(last)) {
      if (line.isBlank()) {
        continue;
      }
      final JsonNode metrics = mapper.readTree(line).path("commitInfo").path("operationMetrics");
      if (metrics.has("numOutputRows")) {
        result[0] = Long.parseLong(metrics.get("numOutputRows").asText());
        result[1] = metrics.has("numOutputBytes")
            ? Long.parseLong(metrics.get("numOutputBytes").asText()) : -1;
      }
    }
    return result;
  }

  static String fmt(final double v, final int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  static String jsonEscape(final String s) {
    final StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      final char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /**
   * One HAPI JSON parser per partition; the FhirContext is Pathling's per-JVM cached one
   * ({@link FhirEncoders#contextFor}). Lazily parses line by line, skips blank lines and keeps only
   * resources of the expected class (like Pathling's {@code EncodeResourceMapPartitions}).
   */
  static final class HapiParsePartition implements MapPartitionsFunction<String, IBaseResource> {

    private static final long serialVersionUID = 1L;

    private final Class<? extends IBaseResource> resourceClass;

    HapiParsePartition(final Class<? extends IBaseResource> resourceClass) {
      this.resourceClass = resourceClass;
    }

    @Override
    public Iterator<IBaseResource> call(final Iterator<String> lines) {
      final IParser parser = FhirEncoders.contextFor(FhirVersionEnum.R4).newJsonParser();
      parser.setPrettyPrint(false);
      parser.setOverrideResourceIdWithBundleEntryFullUrl(false);
      return new Iterator<>() {
        private IBaseResource next;

        @Override
        public boolean hasNext() {
          while (next == null && lines.hasNext()) {
            final String line = lines.next();
            if (line == null || line.isBlank()) {
              continue;
            }
            final IBaseResource r = parser.parseResource(line);
            if (resourceClass.isInstance(r)) {
              next = r;
            }
          }
          return next != null;
        }

        @Override
        public IBaseResource next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          final IBaseResource r = next;
          next = null;
          return r;
        }
      };
    }
  }
}
