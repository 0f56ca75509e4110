package org.pophealth.tools.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The next night of the three-patient fixture: one patient changed, one added, one deleted (the minimum of one
 * each). Expectations are counted from the fixture files with plain string and JSON reads, not from the generator.
 */
class GenerateNightlyExportTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REF = Pattern.compile("\"reference\":\"([A-Za-z]+)/([0-9a-f-]{36})\"");
  private static Path base;
  private static GenerateNightlyExport.Result r;

  @BeforeAll
  static void generate() throws Exception {
    base = Path.of(GenerateNightlyExportTest.class.getResource("/synthea-tiny").toURI());
    r = new GenerateNightlyExport(base, Files.createTempDirectory("night-"), 7).execute();
  }

  @Test
  void onePatientEachChangedAddedDeleted() throws Exception {
    assertEquals(3, r.patients());
    assertEquals(1, r.changed());
    assertEquals(1, r.added());
    assertEquals(1, r.deleted());
    Set<String> baseIds = ids(lines(base.resolve("Patient.ndjson")));
    List<String> night = lines(r.night().resolve("Patient.ndjson"));
    assertEquals(2, night.size(), "the changed Patient and the added one");
    Set<String> nightIds = ids(night);
    assertEquals(1, nightIds.stream().filter(baseIds::contains).count(), "one is a known patient, changed");
    assertEquals(1, nightIds.stream().filter(id -> !baseIds.contains(id)).count(), "one is new");
    Set<String> after = ids(lines(r.after().resolve("Patient.ndjson")));
    assertEquals(4, after.size(), "3 + 1 added (the deleted one is deleted from the EHR, still the payer's member)");
  }

  @Test
  void theDeletedPatientsEveryResourceIsTombstonedAndStaysInThePayersPopulation() throws Exception {
    JsonNode entries = JSON.readTree(lines(r.night().resolve("deleted").resolve("Bundle.ndjson")).get(0))
        .get("entry");
    String patientRef = null;
    for (JsonNode e : entries) {
      assertEquals("DELETE", e.path("request").path("method").asText());
      assertTrue(e.path("request").path("url").asText().matches("[A-Za-z]+/[0-9a-f-]{36}"));
      if (e.path("request").path("url").asText().startsWith("Patient/")) {
        patientRef = e.path("request").path("url").asText();
      }
    }
    String gone = patientRef.substring("Patient/".length());
    assertTrue(ids(lines(base.resolve("Patient.ndjson"))).contains(gone));
    long referencing = 0;
    for (Path f : ndjson(base)) {
      referencing += lines(f).stream().filter(l -> l.contains(gone)).count();
    }
    assertEquals(1, lines(r.night().resolve("deleted").resolve("Bundle.ndjson")).size());
    assertEquals(referencing, entries.size());
    assertEquals(referencing, r.tombstones());
    long inAfter = 0;
    for (Path f : ndjson(r.after())) {
      inAfter += lines(f).stream().filter(l -> l.contains(gone)).count();
    }
    assertEquals(referencing, inAfter, "the payer still sees the patient's whole history");
  }

  @Test
  void theChangedPatientHasANewPhoneAVisitAndAResult() throws Exception {
    Set<String> baseIds = ids(lines(base.resolve("Patient.ndjson")));
    JsonNode changed = lines(r.night().resolve("Patient.ndjson")).stream().map(GenerateNightlyExportTest::tree)
        .filter(p -> baseIds.contains(p.get("id").asText())).findFirst().orElseThrow();
    JsonNode before = lines(base.resolve("Patient.ndjson")).stream().map(GenerateNightlyExportTest::tree)
        .filter(p -> p.get("id").equals(changed.get("id"))).findFirst().orElseThrow();
    assertNotEquals(before.get("telecom"), changed.get("telecom"));
    assertEquals(before.get("name"), changed.get("name"));
    String pid = changed.get("id").asText();
    long newVisits = lines(r.night().resolve("Encounter.ndjson")).stream().filter(l -> l.contains(pid)).count();
    long newResults = lines(r.night().resolve("Observation.ndjson")).stream().filter(l -> l.contains(pid)).count();
    assertEquals(1, newVisits);
    assertEquals(1, newResults);
    // the after-population: the base's lines of each type plus the night's (Patient replaced, not added)
    for (String type : List.of("Encounter", "Observation")) {
      long baseLines = lines(base.resolve(type + ".ndjson")).size();
      assertEquals(baseLines + lines(r.night().resolve(type + ".ndjson")).size(),
          lines(r.after().resolve(type + ".ndjson")).size(), type);
    }
  }

  @Test
  void everyReferenceOfTheNightResolvesInTheAfterPopulation() throws Exception {
    Set<String> afterIds = new HashSet<>();
    for (Path f : ndjson(r.after())) {
      lines(f).forEach(l -> afterIds.add(tree(l).get("id").asText()));
    }
    int checked = 0;
    for (Path f : ndjson(r.night())) {
      for (String l : lines(f)) {
        Matcher m = REF.matcher(l);
        while (m.find()) {
          assertTrue(afterIds.contains(m.group(2)), "dangling " + m.group(1) + " reference in " + f.getFileName());
          checked++;
        }
      }
    }
    assertTrue(checked > 20, "the night has references to check: " + checked);
  }

  @Test
  void theSameBaseAndSeedGiveTheSameNight() throws Exception {
    GenerateNightlyExport.Result again = new GenerateNightlyExport(base, Files.createTempDirectory("night-"), 7)
        .execute();
    for (Path f : ndjson(r.night())) {
      assertEquals(Files.readString(f), Files.readString(again.night().resolve(f.getFileName())));
    }
  }

  private static JsonNode tree(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> ids(List<String> lines) {
    Set<String> out = new HashSet<>();
    lines.forEach(l -> out.add(tree(l).get("id").asText()));
    return out;
  }

  private static List<String> lines(Path f) throws Exception {
    return Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList();
  }

  private static List<Path> ndjson(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".ndjson")).sorted().toList();
    }
  }
}
