package org.pophealth.ingest.fhir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.pophealth.conform.FhirJson;

/**
 * Reads a bulk-export directory: files {@code <Type>.ndjson}, {@code <Type>.<n>.ndjson} (optionally
 * {@code .gz}) and optionally a bulk manifest JSON ({@code output}, {@code deleted}, {@code error},
 * {@code transactionTime}). With a manifest, the manifest decides which files belong to the export.
 */
public final class ReadExportDirectory {
  private static final Pattern NDJSON = Pattern.compile("^([A-Za-z]+)(\\..*)?\\.(ndjson|jsonl)(\\.gz)?$");
  private static final Pattern RESOURCE_TYPE = Pattern.compile("[A-Z][A-Za-z]+");

  private final String directory;
  private final Configuration hadoop;

  public ReadExportDirectory(String directory, Configuration hadoop) {
    this.directory = directory;
    this.hadoop = hadoop;
  }

  public ExportPlan execute() throws IOException {
    Path dir = new Path(directory);
    FileSystem fs = dir.getFileSystem(hadoop);
    if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) {
      throw new IllegalArgumentException("export directory not found: " + directory);
    }
    FileStatus[] statuses = fs.listStatus(dir);
    java.util.Arrays.sort(statuses, Comparator.comparing(s -> s.getPath().getName()));
    Map<String, FileStatus> byName = new HashMap<>();
    JsonNode manifest = null;
    String manifestName = null;
    ObjectMapper json = new ObjectMapper();
    for (FileStatus s : statuses) {
      if (s.isDirectory() || s.getPath().getName().startsWith(".")) {
        continue;
      }
      byName.put(s.getPath().getName(), s);
      String name = s.getPath().getName();
      if (name.endsWith(".json") && s.getLen() < 64L * 1024 * 1024) {
        JsonNode n = readJson(json, fs, s.getPath());
        if (n != null && n.isObject() && n.has("transactionTime") && n.has("output")) {
          manifest = n;
          manifestName = name;
        }
      }
    }
    List<ExportFile> files = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    Instant exportTime;
    String request = null;
    if (manifest != null) {
      Instant t = FhirJson.parseInstant(manifest.path("transactionTime").asText(""));
      if (t == null) {
        throw new IllegalArgumentException("manifest " + manifestName + " has an unparseable transactionTime");
      }
      exportTime = t;
      request = manifest.hasNonNull("request") ? manifest.get("request").asText() : null;
      List<String> used = new ArrayList<>();
      used.add(manifestName);
      for (String kind : List.of("output", "deleted", "error")) {
        int index = 0;
        for (JsonNode entry : manifest.path(kind)) {
          String url = entry.path("url").asText("");
          String local = url.substring(url.lastIndexOf('/') + 1);
          if (local.isBlank()) {
            // name the entry (kind, index, type), not the url: an empty name cannot be a file of the export
            throw new IllegalArgumentException("manifest " + manifestName + ": entry " + kind + "[" + index + "]"
                + (entry.path("type").asText("").matches("[A-Za-z]{1,64}") ? " (" + entry.get("type").asText() + ")" : "")
                + (url.isBlank() ? " has no url" : " has a url that does not end in a file name"));
          }
          index++;
          FileStatus s = byName.get(local);
          String type = entry.hasNonNull("type") ? entry.get("type").asText() : typeFromName(local);
          Long count = entry.hasNonNull("count") ? entry.get("count").asLong() : null;
          if (s == null) {
            // listed but absent: recorded as an unreadable file so the gap shows in the run's counts
            files.add(new ExportFile(local, new Path(dir, local).toString(), kind, type, count, -1, false));
          } else {
            files.add(fileOf(s, kind, type, count));
          }
          used.add(local);
        }
      }
      for (FileStatus s : statuses) {
        if (!s.isDirectory() && !used.contains(s.getPath().getName()) && !s.getPath().getName().startsWith(".")) {
          ignored.add(s.getPath().getName());
        }
      }
    } else {
      long newest = 0;
      for (FileStatus s : statuses) {
        String name = s.getPath().getName();
        if (s.isDirectory() || name.startsWith(".")) {
          continue;
        }
        Matcher m = NDJSON.matcher(name);
        if (!m.matches()) {
          ignored.add(name);
          continue;
        }
        files.add(fileOf(s, "output", typeFromName(name), null));
        newest = Math.max(newest, s.getModificationTime());
      }
      exportTime = Instant.ofEpochMilli(newest == 0 ? 0 : newest);
    }
    return new ExportPlan(directory, exportTime, request, manifest != null, List.copyOf(files), List.copyOf(ignored));
  }

  private static ExportFile fileOf(FileStatus s, String kind, String type, Long count) {
    String name = s.getPath().getName();
    return new ExportFile(name, s.getPath().toString(), kind, type, count, s.getLen(), name.endsWith(".gz"));
  }

  /** {@code Observation.3.ndjson} → Observation; null when the name does not start with a type. */
  static String typeFromName(String name) {
    Matcher m = NDJSON.matcher(name);
    String first = m.matches() ? m.group(1) : name.split("\\.")[0];
    return RESOURCE_TYPE.matcher(first).matches() ? first : null;
  }

  private static JsonNode readJson(ObjectMapper json, FileSystem fs, Path p) {
    try (InputStream in = fs.open(p)) {
      return json.readTree(in);
    } catch (IOException e) {
      return null;
    }
  }
}
