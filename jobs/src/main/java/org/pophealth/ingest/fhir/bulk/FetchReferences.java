package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.pophealth.conform.FhirJson;
import org.pophealth.config.PopHealthConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step {@code fetch-references}, between the download of a bulk export and its ingest: resources that the
 * exported ones reference ({@code Medication/123}) but that are neither in the export nor already ingested
 * from the source (EHRs such as Epic and Cerner do not bulk-export Medication) are read from the same server,
 * with the same HTTP client and token, by id in batched searches ({@code GET [base]/Medication?_id=a,b,c},
 * following the Bundle's {@code next} links), and written to the export folder as {@code <Type>.fetched.ndjson}
 * (sorted by id) with an entry in its {@code manifest.json}, so the ingest reads them like any export file, with
 * that file name as lineage. Local references ({@code #id}, contained resources) and conditional ones are not
 * fetched. A search the server refuses is a warning, not a failure: the references stay unresolved and the
 * ingest counts them ({@code ops.ingest_reconciliation.unresolved_references}). Logs carry counts and types only.
 */
public final class FetchReferences {
  private static final Logger LOG = LoggerFactory.getLogger(FetchReferences.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern RELATIVE = Pattern.compile("([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\\-.]{1,64})(/_history/[^/]*)?");

  /** Suffix of the files this step writes: {@code Medication.fetched.ndjson}. */
  public static final String FILE_SUFFIX = ".fetched.ndjson";

  /**
   * @param enabled whether the step runs (source key {@code fetch_references.enabled}, default true)
   * @param types resource types to fetch when referenced and missing (default {@code [Medication]})
   * @param batchSize ids per search request ({@code _id=a,b,...} and {@code _count}), default 50
   */
  public record Settings(boolean enabled, List<String> types, int batchSize) {
    public static final Settings DEFAULT = new Settings(true, List.of("Medication"), 50);

    public Settings {
      types = types == null ? List.of() : List.copyOf(types);
      for (String t : types) {
        if (!FhirJson.isResourceType(t)) {
          throw new IllegalArgumentException("fetch_references.types: " + t + " is not a FHIR R4 resource type");
        }
      }
      if (batchSize < 1 || batchSize > 1000) {
        throw new IllegalArgumentException("fetch_references.batch_size must be between 1 and 1000, not " + batchSize);
      }
    }

    /** The source's {@code fetch_references} section; absent keys take {@link #DEFAULT}'s values. */
    public static Settings of(PopHealthConfig.Source s) {
      PopHealthConfig.FetchReferences f = s == null ? null : s.fetchReferences();
      if (f == null) {
        return DEFAULT;
      }
      return new Settings(f.enabled() == null ? DEFAULT.enabled() : f.enabled(),
          f.types() == null ? DEFAULT.types() : f.types(),
          f.batchSize() == null ? DEFAULT.batchSize() : f.batchSize());
    }
  }

  /**
   * One type: distinct ids referenced by the export, those missing (neither exported nor ingested before),
   * fetched, not found (missing minus fetched: not on the server or the search refused), search requests
   * sent (pages included), and the file written (null when nothing was fetched).
   */
  public record TypeResult(String type, int referenced, int missing, int fetched, int notFound, int requests,
      String file) {}

  /** What the step did; {@code skipped} when disabled. */
  public record Result(boolean skipped, List<TypeResult> types) {
    public Result {
      types = List.copyOf(types);
    }

    public int fetched() {
      return types.stream().mapToInt(TypeResult::fetched).sum();
    }

    public int notFound() {
      return types.stream().mapToInt(TypeResult::notFound).sum();
    }

    /** "Medication: 3 missing from the export, 2 fetched (1 request), 1 not found; ..." for the console. */
    public String describe() {
      if (skipped) {
        return "off";
      }
      List<String> parts = new ArrayList<>();
      for (TypeResult t : types) {
        parts.add(t.type() + ": " + t.referenced() + " referenced, " + t.missing() + " missing from the export, "
            + t.fetched() + " fetched (" + t.requests() + (t.requests() == 1 ? " request" : " requests") + "), "
            + t.notFound() + " not found" + (t.file() == null ? "" : " -> " + t.file()));
      }
      return parts.isEmpty() ? "nothing to fetch" : String.join("; ", parts);
    }
  }

  private final BulkHttp http;
  private final Settings settings;
  private final Path exportDir;
  private final Function<String, Set<String>> alreadyIngested;

  /**
   * @param exportDir the downloaded export (its {@code manifest.json} names the output files)
   * @param alreadyIngested type → ids the source already has in silver (not fetched again); may be null
   */
  public FetchReferences(BulkHttp http, Settings settings, Path exportDir,
      Function<String, Set<String>> alreadyIngested) {
    this.http = http;
    this.settings = settings;
    this.exportDir = exportDir;
    this.alreadyIngested = alreadyIngested == null ? t -> Set.of() : alreadyIngested;
  }

  public Result execute() throws IOException {
    if (!settings.enabled() || settings.types().isEmpty()) {
      return new Result(true, List.of());
    }
    Path manifestFile = exportDir.resolve("manifest.json");
    ObjectNode manifest = Files.isRegularFile(manifestFile) ? (ObjectNode) JSON.readTree(manifestFile.toFile()) : null;
    List<String[]> files = outputFiles(manifest);
    Map<String, Set<String>> referenced = new LinkedHashMap<>();
    Map<String, Set<String>> present = new LinkedHashMap<>();
    for (String t : settings.types()) {
      referenced.put(t, new TreeSet<>());
      present.put(t, new HashSet<>());
    }
    for (String[] f : files) {
      scan(exportDir.resolve(f[0]), f[1], referenced, present);
    }
    List<TypeResult> results = new ArrayList<>();
    for (String type : settings.types()) {
      Set<String> missing = new TreeSet<>(referenced.get(type));
      missing.removeAll(present.get(type));
      if (!missing.isEmpty()) {
        missing.removeAll(alreadyIngested.apply(type));
      }
      String name = type + FILE_SUFFIX;
      Files.deleteIfExists(exportDir.resolve(name)); // an earlier attempt's file: fetched again below
      int[] requests = {0};
      Map<String, String> fetched = missing.isEmpty() ? Map.of() : fetch(type, missing, requests);
      if (!fetched.isEmpty()) {
        try (Writer w = Files.newBufferedWriter(exportDir.resolve(name), StandardCharsets.UTF_8)) {
          for (String line : fetched.values()) {
            w.write(line);
            w.write('\n');
          }
        }
      }
      if (manifest != null) {
        listInManifest(manifest, type, name, fetched.size());
      }
      results.add(new TypeResult(type, referenced.get(type).size(), missing.size(), fetched.size(),
          missing.size() - fetched.size(), requests[0], fetched.isEmpty() ? null : name));
    }
    if (manifest != null) {
      PRETTY.writeValue(manifestFile.toFile(), manifest);
    }
    Result r = new Result(false, results);
    LOG.info("fetch-references: {}", r.describe());
    return r;
  }

  /** The output files of the export: (local name, type) from the manifest, else every {@code *.ndjson}. */
  private List<String[]> outputFiles(JsonNode manifest) throws IOException {
    List<String[]> out = new ArrayList<>();
    if (manifest != null) {
      for (JsonNode e : manifest.path("output")) {
        String url = e.path("url").asText("");
        String local = url.substring(url.lastIndexOf('/') + 1);
        if (!local.isEmpty() && !local.endsWith(FILE_SUFFIX) && Files.isRegularFile(exportDir.resolve(local))) {
          out.add(new String[] {local, e.path("type").asText(null)});
        }
      }
      return out;
    }
    try (var s = Files.list(exportDir)) {
      for (Path p : s.sorted().toList()) {
        String n = p.getFileName().toString();
        if ((n.endsWith(".ndjson") || n.endsWith(".ndjson.gz")) && !n.endsWith(FILE_SUFFIX)) {
          out.add(new String[] {n, n.substring(0, n.indexOf('.'))});
        }
      }
    }
    return out;
  }

  /** Collects the references to the fetched types and the ids of resources of those types in one file. */
  private void scan(Path file, String fileType, Map<String, Set<String>> referenced, Map<String, Set<String>> present)
      throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      boolean ownType = fileType != null && present.containsKey(fileType);
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.isBlank() || !(ownType || mentionsAny(line, referenced.keySet()))) {
          continue; // most lines reference none of the types: no JSON parse
        }
        JsonNode n;
        try {
          n = JSON.readTree(line);
        } catch (IOException e) {
          continue; // the ingest quarantines it
        }
        if (n == null || !n.isObject()) {
          continue;
        }
        Set<String> own = present.get(FhirJson.text(n, "resourceType"));
        if (own != null && FhirJson.text(n, "id") != null) {
          own.add(FhirJson.text(n, "id"));
        }
        collect(n, referenced);
      }
    }
  }

  private static boolean mentionsAny(String line, Set<String> types) {
    for (String t : types) {
      if (line.contains(t + "/")) {
        return true;
      }
    }
    return false;
  }

  /** Every {@code reference} in the tree (contained resources' own references included) to one of the types. */
  private void collect(JsonNode n, Map<String, Set<String>> referenced) {
    if (n.isArray()) {
      n.forEach(x -> collect(x, referenced));
      return;
    }
    if (!n.isObject()) {
      return;
    }
    JsonNode ref = n.get("reference");
    if (ref != null && ref.isTextual()) {
      String[] target = target(ref.textValue());
      if (target != null && referenced.containsKey(target[0])) {
        referenced.get(target[0]).add(target[1]);
      }
    }
    n.forEach(x -> {
      if (x.isContainerNode()) {
        collect(x, referenced);
      }
    });
  }

  /** (type, id) of a literal reference to this server ({@code Type/id}, or absolute under base_url), else null. */
  private String[] target(String reference) {
    String rel = reference;
    String base = http.settings().baseUrl() + "/";
    if (reference.startsWith(base)) {
      rel = reference.substring(base.length());
    } else if (reference.contains("://")) {
      return null; // another server's resource
    }
    Matcher m = RELATIVE.matcher(rel);
    return m.matches() ? new String[] {m.group(1), m.group(2)} : null;
  }

  /** Searches the ids in batches; id → the resource as one JSON line, sorted by id. */
  private Map<String, String> fetch(String type, Set<String> ids, int[] requests) {
    Map<String, String> out = new TreeMap<>();
    List<String> all = new ArrayList<>(ids);
    for (int from = 0; from < all.size(); from += settings.batchSize()) {
      List<String> batch = all.subList(from, Math.min(all.size(), from + settings.batchSize()));
      Set<String> wanted = new HashSet<>(batch);
      String url = http.settings().baseUrl() + "/" + type + "?_id="
          + URLEncoder.encode(String.join(",", batch), StandardCharsets.UTF_8) + "&_count=" + settings.batchSize();
      for (int page = 0; url != null; page++) {
        if (page > all.size() + 10) {
          LOG.warn("fetch-references: {} search keeps sending next links; stopped", type);
          break;
        }
        String u = url;
        requests[0]++;
        HttpResponse<byte[]> r;
        try {
          r = http.exchange("fetch-references " + type + " search",
              () -> HttpRequest.newBuilder(URI.create(u)).header("Accept", "application/fhir+json").GET(), true);
        } catch (BulkExportException | IllegalArgumentException e) {
          LOG.warn("fetch-references: {}; {} {} reference(s) of this batch stay unresolved", e.getMessage(),
              batch.size(), type);
          break;
        }
        if (r.statusCode() != 200) {
          LOG.warn("fetch-references: {}; {} {} reference(s) of this batch stay unresolved",
              OperationOutcomes.describe(type + " search", r.statusCode(), r.body()), batch.size(), type);
          break;
        }
        JsonNode bundle;
        try {
          bundle = JSON.readTree(r.body());
        } catch (IOException e) {
          bundle = null;
        }
        if (bundle == null || !"Bundle".equals(bundle.path("resourceType").asText())) {
          LOG.warn("fetch-references: the {} search did not answer a Bundle; {} reference(s) of this batch stay"
              + " unresolved", type, batch.size());
          break;
        }
        for (JsonNode e : bundle.path("entry")) {
          JsonNode res = e.path("resource");
          String id = FhirJson.text(res, "id");
          if (type.equals(FhirJson.text(res, "resourceType")) && id != null && wanted.contains(id)) {
            out.put(id, res.toString());
          }
        }
        url = next(bundle);
      }
    }
    return out;
  }

  private static String next(JsonNode bundle) {
    for (JsonNode l : bundle.path("link")) {
      if ("next".equals(l.path("relation").asText()) && !l.path("url").asText("").isEmpty()) {
        return l.path("url").asText();
      }
    }
    return null;
  }

  /** Lists the fetched file as an output entry of the manifest (replacing an earlier attempt's entry). */
  private static void listInManifest(ObjectNode manifest, String type, String name, int count) {
    ArrayNode output = manifest.withArray("output");
    for (int i = output.size() - 1; i >= 0; i--) {
      if (name.equals(output.get(i).path("url").asText())) {
        output.remove(i);
      }
    }
    if (count > 0) {
      output.addObject().put("type", type).put("url", name).put("count", count);
    }
  }
}
