package org.pophealth.tools.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;

/**
 * The next night's bulk export of a population (a Synthea-style directory of {@code <Type>.ndjson}): what an EHR
 * sends with {@code _since} after a day, and the population as it stands after that day.
 *
 * <p>Patients are chosen by a seeded hash of their id (so the same base and seed give the same night):
 * <ul>
 *   <li><b>changed</b> ({@code changedFraction}, at least one): a new phone number on the Patient, and a new
 *       visit (a copy of the patient's latest Encounter under a new id) with a new result (a copy of the latest
 *       Observation, pointing at the new visit when it pointed at the copied one);</li>
 *   <li><b>added</b> ({@code addedFraction}, at least one): new people, each a copy of a chosen patient's whole
 *       record under fresh ids and other demographics (as {@link ReplicatePopulation} makes copies);</li>
 *   <li><b>deleted</b> ({@code deletedFraction}, at least one): every resource of the patient, in the export's
 *       {@code deleted/} folder as one tombstone Bundle of DELETE entries per patient. The EHR deletes its record;
 *       the patient stays a member of the plan, so the after-population keeps them (a payer re-delivery that
 *       drops a member's whole history would rightly be held by the claims delivery gates).</li>
 * </ul>
 * Writes {@code <base>-night/} (the incremental export: only new or changed resources, and the tombstones) and
 * {@code <base>-after/} (the population the payer sees after the night, for its cumulative re-delivery).
 * Deterministic.
 */
public final class GenerateNightlyExport {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Copy number for the added people's ids: far from ReplicatePopulation's copies 1..n of a larger population. */
  private static final int COPY = 900_001;

  private final Path base;
  private final Path out;
  private final long seed;
  private double changedFraction = 0.005;
  private double addedFraction = 0.005;
  private double deletedFraction = 0.0005;

  public GenerateNightlyExport(Path base, Path out, long seed) {
    this.base = base;
    this.out = out;
    this.seed = seed;
  }

  public GenerateNightlyExport fractions(double changed, double added, double deleted) {
    this.changedFraction = changed;
    this.addedFraction = added;
    this.deletedFraction = deleted;
    return this;
  }

  /**
   * @param night the incremental export's directory
   * @param after the population after the night
   * @param resources resources in the night's export (output files), tombstones its deleted entries
   */
  public record Result(Path night, Path after, int patients, int changed, int added, int deleted, long resources,
      long tombstones) {}

  public Result execute() throws IOException {
    // named after the base (a payer's files generated from the after-population are cached by this folder's name)
    Path night = out.resolve(base.getFileName() + "-night");
    Path after = out.resolve(base.getFileName() + "-after");
    FileUtils.deleteQuietly(night.toFile());
    FileUtils.deleteQuietly(after.toFile());
    Files.createDirectories(night.resolve("deleted"));
    Files.createDirectories(after);

    List<String> patients = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(base.resolve("Patient.ndjson"), StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          patients.add(JSON.readTree(line).path("id").asText());
        }
      }
    }
    List<String> order = new ArrayList<>(patients);
    order.sort(Comparator.comparingLong((String id) -> ReplicatePopulation.mix(id.hashCode() * 31L + seed)).thenComparing(id -> id));
    int nDeleted = atLeastOne(patients.size(), deletedFraction);
    int nChanged = atLeastOne(patients.size(), changedFraction);
    int nAdded = atLeastOne(patients.size(), addedFraction);
    if (nDeleted + nChanged + nAdded > patients.size()) {
      throw new IllegalArgumentException("a night needs at least 3 patients in " + base);
    }
    Set<String> deleted = new HashSet<>(order.subList(0, nDeleted));
    Set<String> changed = new HashSet<>(order.subList(nDeleted, nDeleted + nChanged));
    Set<String> added = new HashSet<>(order.subList(nDeleted + nChanged, nDeleted + nChanged + nAdded));

    ReplicatePopulation copier = new ReplicatePopulation(base, out, 1);
    Set<String> sharedIds = copier.prepareCopies();
    List<Path> files;
    try (Stream<Path> s = Files.list(base)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".ndjson")).sorted().toList();
    }

    Map<String, List<String>> nightLines = new TreeMap<>();
    Map<String, List<String>> tombstones = new TreeMap<>();
    Map<String, String[]> latestEncounter = new HashMap<>();
    Map<String, String[]> latestObservation = new HashMap<>();
    Set<String> referencedByCopies = new HashSet<>();
    Map<String, Integer> copyIndex = new HashMap<>();
    // pass 1: every patient's resources; the after-population without deleted resources, changed Patients replaced
    for (Path f : files) {
      String type = f.getFileName().toString().replaceFirst("\\.ndjson$", "");
      try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8);
          BufferedWriter w = Files.newBufferedWriter(after.resolve(f.getFileName()), StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          String owner = ReplicatePopulation.shared(type) ? null : owner(line, deleted, changed, added);
          if (owner != null && deleted.contains(owner)) {
            // deleted from the EHR, still a member of the plan: the payer's population keeps the patient
            tombstones.computeIfAbsent(owner, k -> new ArrayList<>()).add(type + "/" + idOf(line));
          }
          if (owner != null && changed.contains(owner) && type.equals("Patient")) {
            line = newPhone(line);
            nightLines.computeIfAbsent(type, k -> new ArrayList<>()).add(line);
          } else if (owner != null && changed.contains(owner) && type.equals("Encounter")) {
            keepLatest(latestEncounter, owner, line, "start");
          } else if (owner != null && changed.contains(owner) && type.equals("Observation")) {
            keepLatest(latestObservation, owner, line, "effectiveDateTime");
          }
          w.write(line);
          w.newLine();
          if (owner != null && added.contains(owner)) {
            int index = copyIndex.merge(type, 1, Integer::sum) - 1;
            String copy = copier.copyLine(line, type, COPY, index, sharedIds);
            nightLines.computeIfAbsent(type, k -> new ArrayList<>()).add(copy);
            Matcher m = ReplicatePopulation.UUID_RE.matcher(line);
            while (m.find()) {
              referencedByCopies.add(m.group());
            }
          }
        }
      }
    }
    // pass 2: resources of no patient that the added people's resources refer to (Synthea's Medication) are copied too
    for (Path f : files) {
      String type = f.getFileName().toString().replaceFirst("\\.ndjson$", "");
      if (ReplicatePopulation.shared(type) || type.equals("Patient")) {
        continue;
      }
      try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          if (!line.isBlank() && owner(line, deleted, changed, added) == null
              && referencedByCopies.contains(idOf(line))) {
            int index = copyIndex.merge(type, 1, Integer::sum) - 1;
            nightLines.computeIfAbsent(type, k -> new ArrayList<>())
                .add(copier.copyLine(line, type, COPY, index, sharedIds));
          }
        }
      }
    }
    // the changed patients' new visit and result
    for (String p : new java.util.TreeSet<>(changed)) {
      String[] enc = latestEncounter.get(p);
      String[] obs = latestObservation.get(p);
      String encId = enc == null ? null : idOf(enc[1]);
      if (enc != null) {
        nightLines.computeIfAbsent("Encounter", k -> new ArrayList<>()).add(enc[1].replace(encId, renamed(encId)));
      }
      if (obs != null) {
        String obsId = idOf(obs[1]);
        String copy = obs[1].replace(obsId, renamed(obsId));
        nightLines.computeIfAbsent("Observation", k -> new ArrayList<>())
            .add(encId == null ? copy : copy.replace(encId, renamed(encId)));
      }
    }
    long resources = 0;
    for (Map.Entry<String, List<String>> e : nightLines.entrySet()) {
      Files.write(night.resolve(e.getKey() + ".ndjson"), e.getValue(), StandardCharsets.UTF_8);
      // the after-population holds the new resources too (changed Patients were replaced in pass 1)
      List<String> extra = e.getValue().stream()
          .filter(l -> !(e.getKey().equals("Patient") && changed.contains(idOf(l)))).toList();
      Files.write(after.resolve(e.getKey() + ".ndjson"), extra, StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      resources += e.getValue().size();
    }
    long tombstoneCount = 0;
    List<String> bundles = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : tombstones.entrySet()) {
      ObjectNode bundle = JSON.createObjectNode().put("resourceType", "Bundle").put("type", "transaction");
      ArrayNode entries = bundle.putArray("entry");
      for (String ref : e.getValue()) {
        entries.addObject().putObject("request").put("method", "DELETE").put("url", ref);
        tombstoneCount++;
      }
      bundles.add(JSON.writeValueAsString(bundle));
    }
    Files.write(night.resolve("deleted").resolve("Bundle.ndjson"), bundles, StandardCharsets.UTF_8);
    return new Result(night, after, patients.size(), nChanged, nAdded, nDeleted, resources, tombstoneCount);
  }

  private static int atLeastOne(int n, double fraction) {
    return (int) Math.max(1, Math.round(n * fraction));
  }

  /**
   * The chosen patient a resource line belongs to (its UUIDs include the patient's id), or null. Only chosen
   * patients matter, so only their ids are looked up.
   */
  private static String owner(String line, Set<String> deleted, Set<String> changed, Set<String> added) {
    Matcher m = ReplicatePopulation.UUID_RE.matcher(line);
    while (m.find()) {
      String u = m.group();
      if (deleted.contains(u) || changed.contains(u) || added.contains(u)) {
        return u;
      }
    }
    return null;
  }

  private static String idOf(String line) {
    try {
      return JSON.readTree(line).path("id").asText();
    } catch (IOException e) {
      throw new IllegalArgumentException("a line of the base export is not JSON", e);
    }
  }

  /** Keeps the line with the latest date (ISO text compares in time order) for the patient. */
  private static void keepLatest(Map<String, String[]> latest, String patient, String line, String field)
      throws IOException {
    JsonNode n = JSON.readTree(line);
    String when = field.equals("start") ? n.path("period").path("start").asText("") : n.path(field).asText("");
    String[] cur = latest.get(patient);
    if (cur == null || when.compareTo(cur[0]) > 0) {
      latest.put(patient, new String[] {when, line});
    }
  }

  private String renamed(String id) {
    return UUID.nameUUIDFromBytes(("night#" + seed + "#" + id).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** The Patient with a new phone number (the night's demographic change) and a later lastUpdated. */
  private String newPhone(String line) throws IOException {
    ObjectNode p = (ObjectNode) JSON.readTree(line);
    long v = Math.floorMod(ReplicatePopulation.mix(p.path("id").asText().hashCode() + seed), 10_000_000L);
    String phone = String.format("555-%03d-%04d", v / 10_000 % 1000, v % 10_000);
    ArrayNode telecom = p.has("telecom") ? (ArrayNode) p.get("telecom") : p.putArray("telecom");
    boolean replaced = false;
    for (JsonNode t : telecom) {
      if ("phone".equals(t.path("system").asText())) {
        ((ObjectNode) t).put("value", phone);
        replaced = true;
      }
    }
    if (!replaced) {
      telecom.addObject().put("system", "phone").put("value", phone).put("use", "home");
    }
    return JSON.writeValueAsString(p);
  }
}
