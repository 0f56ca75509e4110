package org.pophealth.ingest.fhir;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.pophealth.conform.FhirJson;
import org.pophealth.ingest.fhir.ExportPlan.NotIngested;

/**
 * Reads a bulk-export directory in any of the layouts export clients write, and says what every entry of it
 * is: an export file (read), or not (listed with the reason, never silently skipped).
 * <ul>
 *   <li>Ours and most servers': {@code <Type>.ndjson}, {@code <Type>.<n>.ndjson}; SMART Fetch's
 *       {@code <Type>.001.ndjson.gz}; the SMART bulk-data-client's {@code <n>.<Type>.ndjson}; any of them
 *       {@code .gz}.</li>
 *   <li>{@code deleted/} and {@code error/} subfolders (bulk-data-client, SMART Fetch): their files are the
 *       export's deleted (tombstone Bundles) and error (OperationOutcome) files.</li>
 *   <li>A bulk manifest ({@code output}, {@code deleted}, {@code error}, {@code transactionTime}): it then
 *       decides which files belong to the export. An entry's local file is found by its {@code destination}
 *       (bulk-data-client's {@code addDestinationToManifest}), its url's last segment, or the name the client
 *       gave it ({@code <n>.<Type>.ndjson}, {@code <Type>.<nnn>.ndjson[.gz]}), in the kind's subfolder or at
 *       the top.</li>
 *   <li>Without a manifest, the export time is the {@code transactionTime} the client's log
 *       ({@code log.ndjson}, the Bulk Data client log format: events {@code status_complete} /
 *       {@code manifest_complete}) recorded, else the newest file's modification time.</li>
 * </ul>
 * Not ingested, each with its reason: the client's log, SMART Fetch's {@code .metadata}, hidden, checksum and
 * partial-download files, {@code attachments/} and other folders, files no manifest entry names, names that
 * are not export file names. Two manifests, or a manifest or log that cannot be read, are errors naming the
 * file.
 */
public final class ReadExportDirectory {
  private static final Pattern NDJSON = Pattern.compile("^([A-Za-z]+)(\\..*)?\\.(ndjson|jsonl)(\\.gz)?$");
  /** The SMART bulk-data-client's standard names ({@code forceStandardFileNames}): {@code 1.Patient.ndjson}. */
  private static final Pattern NUMBERED = Pattern.compile("^\\d+\\.([A-Za-z]+)\\.(ndjson|jsonl)(\\.gz)?$");
  /** Client logs: {@code log.ndjson}, and the bulk-data-client's rotated {@code log1.ndjson}... */
  private static final Pattern CLIENT_LOG = Pattern.compile("^log\\d*\\.ndjson(\\.gz)?$");
  private static final Pattern RESOURCE_TYPE = Pattern.compile("[A-Z][A-Za-z]+");
  private static final List<String> KINDS = List.of("output", "deleted", "error");
  private static final long MAX_MANIFEST_BYTES = 64L * 1024 * 1024;
  static final String NOT_AN_EXPORT_NAME = "not an NDJSON export file name (<Type>.ndjson, <Type>.<n>.ndjson,"
      + " <n>.<Type>.ndjson, optionally .gz)";

  private final String directory;
  private final Configuration hadoop;
  private final ObjectMapper json = new ObjectMapper();

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
    // every file, by its path relative to the directory (top level, deleted/, error/); folders are reported
    Map<String, FileStatus> found = new TreeMap<>();
    List<NotIngested> notIngested = new ArrayList<>();
    for (FileStatus s : sorted(fs.listStatus(dir))) {
      String name = s.getPath().getName();
      if (!s.isDirectory()) {
        found.put(name, s);
      } else if ((name.equals("deleted") || name.equals("error"))) {
        for (FileStatus c : sorted(fs.listStatus(s.getPath()))) {
          String rel = name + "/" + c.getPath().getName();
          if (c.isDirectory()) {
            notIngested.add(new NotIngested(rel + "/", "a folder inside " + name + "/ (only its files are read)"));
          } else {
            found.put(rel, c);
          }
        }
      } else {
        notIngested.add(new NotIngested(name + "/", folderReason(name)));
      }
    }
    rejectSmartFetchManagedFolder(fs, found.get(".metadata"));
    JsonNode manifest = null;
    String manifestName = null;
    for (Map.Entry<String, FileStatus> e : found.entrySet()) {
      String rel = e.getKey();
      if (rel.contains("/") || !rel.endsWith(".json") || rel.startsWith(".") || e.getValue().getLen() > MAX_MANIFEST_BYTES) {
        continue;
      }
      JsonNode n = readJson(fs, e.getValue().getPath(), rel);
      if (n != null && n.isObject() && n.has("transactionTime") && n.has("output")) {
        if (manifest != null) {
          throw new IllegalArgumentException("two bulk manifests in " + directory + ": " + manifestName + " and " + rel
              + "; a directory holds one export");
        }
        manifest = n;
        manifestName = rel;
      }
    }
    Instant[] logTime = new Instant[1];
    Map<String, String> special = new HashMap<>();
    for (Map.Entry<String, FileStatus> e : found.entrySet()) {
      String reason = specialReason(fs, e.getKey(), e.getValue(), logTime);
      if (reason != null) {
        special.put(e.getKey(), reason);
      }
    }
    List<ExportFile> files = new ArrayList<>();
    Instant exportTime;
    String exportTimeFrom;
    String request = null;
    Set<String> used = new HashSet<>();
    if (manifest != null) {
      Instant t = FhirJson.parseInstant(manifest.path("transactionTime").asText(""));
      if (t == null) {
        throw new IllegalArgumentException("manifest " + manifestName + " has an unparseable transactionTime");
      }
      exportTime = t;
      exportTimeFrom = manifestName;
      request = manifest.hasNonNull("request") ? manifest.get("request").asText() : null;
      used.add(manifestName);
      files.addAll(manifestFiles(manifest, manifestName, dir, found, used));
      for (Map.Entry<String, FileStatus> e : found.entrySet()) {
        if (!used.contains(e.getKey())) {
          notIngested.add(new NotIngested(e.getKey(), special.getOrDefault(e.getKey(),
              "not listed in the manifest " + manifestName)));
        }
      }
    } else {
      long newest = 0;
      for (Map.Entry<String, FileStatus> e : found.entrySet()) {
        String rel = e.getKey();
        String name = e.getValue().getPath().getName();
        if (special.containsKey(rel)) {
          notIngested.add(new NotIngested(rel, special.get(rel)));
          continue;
        }
        if (!NUMBERED.matcher(name).matches() && !NDJSON.matcher(name).matches()) {
          notIngested.add(new NotIngested(rel, name.endsWith(".json")
              ? "JSON but not a bulk manifest (no transactionTime and output)" : NOT_AN_EXPORT_NAME));
          continue;
        }
        String kind = rel.startsWith("deleted/") ? "deleted" : rel.startsWith("error/") ? "error" : "output";
        files.add(fileOf(rel, e.getValue(), kind, typeFromName(name), null));
        newest = Math.max(newest, e.getValue().getModificationTime());
      }
      exportTime = logTime[0] != null ? logTime[0] : Instant.ofEpochMilli(newest);
      exportTimeFrom = logTime[0] != null ? "client log" : "file modification times";
    }
    notIngested.sort(Comparator.comparing(NotIngested::file));
    return new ExportPlan(directory, exportTime, exportTimeFrom, request, manifest != null, List.copyOf(files),
        List.copyOf(notIngested));
  }

  /** The manifest's entries as export files; the local files they name are added to {@code used}. */
  private List<ExportFile> manifestFiles(JsonNode manifest, String manifestName, Path dir,
      Map<String, FileStatus> found, Set<String> used) {
    List<ExportFile> files = new ArrayList<>();
    Map<String, Integer> perType = new HashMap<>(); // bulk-data-client numbers a type's files across kinds
    for (String kind : KINDS) {
      Map<String, Integer> perKindType = new HashMap<>(); // SMART Fetch numbers them per kind
      int index = 0;
      for (JsonNode entry : manifest.path(kind)) {
        String url = entry.path("url").asText("");
        String urlName = url.substring(url.lastIndexOf('/') + 1);
        String destination = entry.path("destination").asText("").replace('\\', '/');
        String destinationName = destination.substring(destination.lastIndexOf('/') + 1);
        if (urlName.isBlank() && destinationName.isBlank()) {
          // name the entry (kind, index, type), not the url: an empty name cannot be a file of the export
          throw new IllegalArgumentException("manifest " + manifestName + ": entry " + kind + "[" + index + "]"
              + (entry.path("type").asText("").matches("[A-Za-z]{1,64}") ? " (" + entry.get("type").asText() + ")" : "")
              + (url.isBlank() ? " has no url" : " has a url that does not end in a file name"));
        }
        index++;
        String type = entry.hasNonNull("type") ? entry.get("type").asText() : typeFromName(urlName);
        Long count = entry.hasNonNull("count") ? entry.get("count").asLong() : null;
        Set<String> names = new LinkedHashSet<>();
        names.add(destinationName);
        names.add(urlName);
        if (type != null && RESOURCE_TYPE.matcher(type).matches()) {
          int n = perType.merge(type, 1, Integer::sum);
          int m = perKindType.merge(type, 1, Integer::sum);
          names.add(n + "." + type + ".ndjson");
          names.add(String.format("%s.%03d.ndjson", type, m));
          names.add(String.format("%s.%03d.ndjson.gz", type, m));
        }
        names.remove("");
        List<String> folders = "output".equals(kind) ? List.of("") : List.of(kind + "/", "");
        String local = null;
        for (String folder : folders) {
          for (String name : names) {
            if (local == null && found.containsKey(folder + name) && !used.contains(folder + name)) {
              local = folder + name;
            }
          }
        }
        if (local == null) {
          // listed but absent: recorded as an unreadable file so the gap shows in the run's counts
          String rel = names.iterator().next();
          files.add(new ExportFile(rel, new Path(dir, rel).toString(), kind, type, count, -1, false));
        } else {
          files.add(fileOf(local, found.get(local), kind, type, count));
          used.add(local);
        }
      }
    }
    return files;
  }

  /**
   * Why a file that is never export data is not read, or null: hidden and checksum files, SMART Fetch's
   * metadata, an export client's log (whose {@code transactionTime} goes to {@code logTime[0]}).
   */
  private String specialReason(FileSystem fs, String rel, FileStatus s, Instant[] logTime) throws IOException {
    String name = s.getPath().getName();
    if (name.equals(".metadata")) {
      return "SMART Fetch folder metadata (export state, not data)";
    }
    if (name.startsWith(".") && name.endsWith(".part")) {
      return "an unfinished download (the bulk client's partial file)";
    }
    if (name.startsWith(".") && name.endsWith(".crc")) {
      return "checksum file of the file system";
    }
    if (name.startsWith(".")) {
      return "hidden file";
    }
    if (!rel.contains("/") && CLIENT_LOG.matcher(name).matches()) {
      Instant[] time = new Instant[1];
      if (isClientLog(fs, s, time)) {
        if (time[0] != null && (logTime[0] == null || name.equals("log.ndjson"))) {
          logTime[0] = time[0];
        }
        return "export client log (Bulk Data client log events, not data)";
      }
    }
    return null;
  }

  /**
   * Whether the file is a Bulk Data client log (its first line an object with {@code eventId}); its last
   * {@code transactionTime} of a {@code status_complete} or {@code manifest_complete} event goes to {@code time[0]}.
   */
  private boolean isClientLog(FileSystem fs, FileStatus s, Instant[] time) throws IOException {
    String name = s.getPath().getName();
    try (InputStream raw = fs.open(s.getPath());
        BufferedReader in = new BufferedReader(new InputStreamReader(
            name.endsWith(".gz") ? new GZIPInputStream(raw) : raw, StandardCharsets.UTF_8))) {
      boolean first = true;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode event;
        try {
          event = json.readTree(line);
        } catch (JsonProcessingException e) {
          if (first) {
            return false;
          }
          continue; // a cut last line of a log being written: the events before it stand
        }
        if (first && (event == null || !event.isObject() || !event.has("eventId"))) {
          return false;
        }
        first = false;
        String id = event.path("eventId").asText("");
        Instant t = FhirJson.parseInstant(event.path("eventDetail").path("transactionTime").asText(""));
        if (t != null && (id.equals("status_complete") || id.equals("manifest_complete"))) {
          time[0] = t;
        }
      }
      return !first;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + name + " in " + directory + ": "
          + e.getClass().getSimpleName());
    }
  }

  /**
   * SMART Fetch's managed folder (its {@code .metadata} says {@code "kind": "managed"}) gathers several exports:
   * one numbered folder each, linked from the top. Read as one export they would share one export time, so
   * the folder is rejected, naming the file, and each export folder is to be ingested on its own.
   */
  private void rejectSmartFetchManagedFolder(FileSystem fs, FileStatus metadata) {
    if (metadata == null || metadata.getLen() > MAX_MANIFEST_BYTES) {
      return;
    }
    JsonNode m = readJson(fs, metadata.getPath(), ".metadata");
    if (m != null && "managed".equals(m.path("kind").asText(""))) {
      throw new IllegalArgumentException(directory + " is a SMART Fetch managed folder (.metadata: kind managed), which"
          + " holds several exports: ingest each numbered export folder in it on its own (--dir), oldest first");
    }
  }

  private static String folderReason(String name) {
    if (name.equals("attachments")) {
      return "bulk-data-client's DocumentReference attachments (files the resources point to, not NDJSON)";
    }
    if (name.matches("\\d+\\..+")) {
      return "a SMART Fetch export folder: ingest it on its own (--dir)";
    }
    return "a folder: an export is read from its top level and its deleted/ and error/ folders";
  }

  private static FileStatus[] sorted(FileStatus[] statuses) {
    Arrays.sort(statuses, Comparator.comparing(s -> s.getPath().getName()));
    return statuses;
  }

  private static ExportFile fileOf(String rel, FileStatus s, String kind, String type, Long count) {
    return new ExportFile(rel, s.getPath().toString(), kind, type, count, s.getLen(), rel.endsWith(".gz"));
  }

  /**
   * {@code Observation.3.ndjson}, {@code 2.Observation.ndjson} → Observation; null when the name does not
   * hold a type.
   */
  static String typeFromName(String name) {
    Matcher numbered = NUMBERED.matcher(name);
    if (numbered.matches()) {
      return RESOURCE_TYPE.matcher(numbered.group(1)).matches() ? numbered.group(1) : null;
    }
    Matcher m = NDJSON.matcher(name);
    String first = m.matches() ? m.group(1) : name.split("\\.")[0];
    return RESOURCE_TYPE.matcher(first).matches() ? first : null;
  }

  /** The file's JSON, or null when it is not JSON; a file that cannot be read is an error naming it. */
  private JsonNode readJson(FileSystem fs, Path p, String rel) {
    try (InputStream in = fs.open(p)) {
      return json.readTree(in);
    } catch (JsonProcessingException e) {
      return null;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + rel + " in " + directory + ": " + e.getClass().getSimpleName());
    }
  }
}
