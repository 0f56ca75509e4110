package org.pophealth.tools.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A larger population from a generated one: {@code copies} copies of a bulk-export directory, copy 0
 * the original and copy k a new set of patients. In copy k every resource id and every reference to it
 * (each UUID in the line) is replaced by a UUID derived from (UUID, k), so ids stay unique and links stay
 * intact; the shared directory resources (Organization, Location, Practitioner, PractitionerRole) appear
 * once and keep their ids. Each copied Patient gets other demographics, so copies are other people to
 * identity resolution: the names of another base patient of the same gender, the address of a third,
 * the birth date moved 20-365 days, new SSN, driver's licence, passport and phone. Deterministic: the same input and copies give byte-identical files.
 * Cached: an output directory holding the same parameters is reused.
 */
public final class ReplicatePopulation {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatePopulation.class);
  static final Pattern UUID_RE =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern NAME_SUFFIX = Pattern.compile("^(\\D+?)(\\d+)$");
  private static final Set<String> SHARED = Set.of("Organization", "Location", "Practitioner", "PractitionerRole");
  private static final String PARAMS = ".replica-params";

  private final Path base;
  private final Path out;
  private final int copies;
  private final ObjectMapper json = new ObjectMapper();
  private List<ObjectNode> donors = List.of();

  public ReplicatePopulation(Path base, Path out, int copies) {
    if (copies < 1) {
      throw new IllegalArgumentException("copies must be at least 1, not " + copies);
    }
    this.base = base;
    this.out = out;
    this.copies = copies;
  }

  /** Files written, lines written and whether the cached copy was reused. */
  public record Result(Path directory, int files, long lines, boolean cached) {}

  public Result execute() throws IOException {
    String params = "base=" + base.toRealPath() + "\ncopies=" + copies + "\nversion=2\n";
    Path marker = out.resolve(PARAMS);
    if (Files.isRegularFile(marker) && Files.readString(marker).equals(params)) {
      LOG.info("replicated population cached: {}", out);
      return new Result(out, countFiles(), -1, true);
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(base)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".ndjson")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no .ndjson files in " + base);
    }
    Set<String> sharedIds = sharedIds(files);
    donors = donors(base.resolve("Patient.ndjson"));
    Files.createDirectories(out);
    Files.deleteIfExists(marker);
    long lines = 0;
    for (Path f : files) {
      String type = f.getFileName().toString().replaceFirst("\\.ndjson$", "");
      Path target = out.resolve(f.getFileName());
      Path tmp = out.resolve(f.getFileName() + ".tmp");
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        for (int k = 0; k < (SHARED.contains(type) ? 1 : copies); k++) {
          try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            String line;
            int index = 0;
            while ((line = r.readLine()) != null) {
              if (line.isBlank()) {
                continue;
              }
              w.write(k == 0 ? line : copyLine(line, type, k, index++, sharedIds));
              w.newLine();
              lines++;
            }
          }
        }
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.writeString(marker, params);
    LOG.info("replicated population: {} files, {} resources, {} copies -> {}", files.size(), lines, copies, out);
    return new Result(out, files.size(), lines, false);
  }

  /**
   * Readies {@link #copyLine} without writing a population (for a generator that copies only some patients):
   * loads the shared directory ids and the name/address donors from the base export; returns the shared ids.
   */
  Set<String> prepareCopies() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(base)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".ndjson")).sorted().toList();
    }
    donors = donors(base.resolve("Patient.ndjson"));
    return sharedIds(files);
  }

  /** Whether resources of this type are shared by every copy (directory resources: kept, not copied). */
  static boolean shared(String type) {
    return SHARED.contains(type);
  }

  private int countFiles() throws IOException {
    try (Stream<Path> s = Files.list(out)) {
      return (int) s.filter(p -> p.getFileName().toString().endsWith(".ndjson")).count();
    }
  }

  /** UUIDs of the directory resources every copy shares (their ids and identifier values). */
  private Set<String> sharedIds(List<Path> files) throws IOException {
    Set<String> ids = new HashSet<>();
    for (Path f : files) {
      String type = f.getFileName().toString().replaceFirst("\\.ndjson$", "");
      if (!SHARED.contains(type)) {
        continue;
      }
      try (Stream<String> lines = Files.lines(f, StandardCharsets.UTF_8)) {
        lines.forEach(l -> {
          Matcher m = UUID_RE.matcher(l);
          while (m.find()) {
            ids.add(m.group());
          }
        });
      }
    }
    return ids;
  }

  /** The base patients whose names and addresses copies borrow. */
  private List<ObjectNode> donors(Path patients) throws IOException {
    if (!Files.isRegularFile(patients)) {
      return List.of();
    }
    List<ObjectNode> out = new java.util.ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(patients, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          out.add((ObjectNode) json.readTree(line));
        }
      }
    }
    return out;
  }

  /** One resource of copy k (index: its line among its type's): fresh UUIDs (shared ids kept), a Patient re-identified. */
  String copyLine(String line, String type, int k, int index, Set<String> sharedIds) {
    Matcher m = UUID_RE.matcher(line);
    StringBuilder sb = new StringBuilder(line.length());
    while (m.find()) {
      String id = m.group();
      m.appendReplacement(sb, sharedIds.contains(id) ? id : derived(id, k));
    }
    m.appendTail(sb);
    String replaced = sb.toString();
    return type.equals("Patient") ? perturbPatient(replaced, k, index) : replaced;
  }

  private static String derived(String id, int k) {
    return UUID.nameUUIDFromBytes((id + "#" + k).getBytes(StandardCharsets.UTF_8)).toString();
  }

  private String perturbPatient(String line, int k, int index) {
    try {
      ObjectNode p = (ObjectNode) json.readTree(line);
      long h = mix(p.path("id").asText().hashCode() * 31L + k);
      int donorCount = donors.size();
      if (donorCount > 1) {
        // names from the next base patient of the same gender after a copy-dependent offset; address from another
        String gender = p.path("gender").asText();
        int start = (int) ((index + 1 + (long) k * 7919) % donorCount);
        ObjectNode names = null;
        for (int i = 0; i < donorCount && names == null; i++) {
          ObjectNode d = donors.get((start + i) % donorCount);
          if ((start + i) % donorCount != index && gender.equals(d.path("gender").asText()) && d.has("name")) {
            names = d;
          }
        }
        if (names != null) {
          p.set("name", names.get("name").deepCopy());
        }
        ObjectNode home = donors.get((int) ((index + 1 + (long) k * 104_729) % donorCount));
        if (home.has("address") && (int) ((index + 1 + (long) k * 104_729) % donorCount) != index) {
          p.set("address", home.get("address").deepCopy());
        }
      }
      for (JsonNode nm : p.path("name")) {
        ObjectNode name = (ObjectNode) nm;
        if (name.has("family")) {
          name.put("family", suffix(name.get("family").asText(), h));
        }
        if (name.get("given") instanceof ArrayNode given) {
          for (int i = 0; i < given.size(); i++) {
            given.set(i, TextNode.valueOf(suffix(given.get(i).asText(), mix(h + i + 1))));
          }
        }
      }
      if (p.hasNonNull("birthDate")) {
        LocalDate d = LocalDate.parse(p.get("birthDate").asText().substring(0, 10));
        long days = 20 + Math.floorMod(h, 346);
        p.put("birthDate", (Math.floorMod(h >> 9, 2) == 0 ? d.minusDays(days) : d.plusDays(days)).toString());
      }
      for (JsonNode n : p.path("identifier")) {
        String system = n.path("system").asText();
        long v = Math.floorMod(mix(h + system.hashCode()), 1_000_000_000L);
        if (system.endsWith("us-ssn")) {
          ((ObjectNode) n).put("value", String.format("999-%02d-%04d", v % 100, (v / 100) % 10_000));
        } else if (system.startsWith("urn:oid:2.16.840.1.113883.4.3")) {
          ((ObjectNode) n).put("value", String.format("S%08d", v % 100_000_000));
        } else if (system.endsWith("passport-USA")) {
          ((ObjectNode) n).put("value", String.format("X%08dX", v % 100_000_000));
        }
      }
      for (JsonNode n : p.path("telecom")) {
        if ("phone".equals(n.path("system").asText())) {
          long v = Math.floorMod(mix(h + 7), 10_000_000L);
          ((ObjectNode) n).put("value", String.format("555-%03d-%04d", v / 10_000 % 1000, v % 10_000));
        }
      }
      for (JsonNode a : p.path("address")) {
        if (a.get("line") instanceof ArrayNode lines && !lines.isEmpty()) {
          String first = lines.get(0).asText().replaceFirst("^\\d+", "");
          lines.set(0, TextNode.valueOf((1 + Math.floorMod(mix(h + 11), 9_999)) + first));
        }
      }
      return json.writeValueAsString(p);
    } catch (IOException e) {
      throw new UncheckedIOException("a Patient line of the base population is not JSON", e);
    }
  }

  /** Synthea names end in digits ("Legros616"): a new number, so the copy is a different person. */
  private static String suffix(String name, long h) {
    Matcher m = NAME_SUFFIX.matcher(name);
    String stem = m.matches() ? m.group(1) : name;
    return stem + (100 + Math.floorMod(h, 900));
  }

  static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb93fe1a85ec9L;
    x ^= x >>> 33;
    return x;
  }
}
