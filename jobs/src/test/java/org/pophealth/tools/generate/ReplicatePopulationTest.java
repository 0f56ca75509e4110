package org.pophealth.tools.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A replicated population (bench pipeline above --base) is a bigger population of other people: each
 * copy has its own resource ids, every reference still points at a resource of the same copy, and the
 * copied patients do not share name, birth date or SSN with the patient they were copied from.
 * Expectations are counted from the fixture files themselves, not from the replicator.
 */
class ReplicatePopulationTest {
  private static final Set<String> SHARED = Set.of("Organization", "Location", "Practitioner", "PractitionerRole");
  private static final Pattern REF = Pattern.compile("\"reference\":\"([A-Za-z]+)/([0-9a-f-]{36})\"");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path base;
  private static Path out;

  @BeforeAll
  static void replicate() throws Exception {
    base = Path.of(ReplicatePopulationTest.class.getResource("/synthea-tiny").toURI());
    out = Files.createTempDirectory("replica-").resolve("p-x3");
    ReplicatePopulation.Result r = new ReplicatePopulation(base, out, 3).execute();
    assertFalse(r.cached());
  }

  @Test
  void everyPatientResourceIsCopiedThriceAndTheDirectoryOnce() throws Exception {
    for (Path f : ndjson(base)) {
      String type = f.getFileName().toString().replace(".ndjson", "");
      long lines = lines(f).size();
      assertEquals(SHARED.contains(type) ? lines : 3 * lines, lines(out.resolve(f.getFileName())).size(), type);
    }
  }

  @Test
  void idsAreUniqueAndEveryResolvableReferenceStillResolves() throws Exception {
    Map<String, Set<String>> ids = new HashMap<>();
    for (Path f : ndjson(out)) {
      for (String l : lines(f)) {
        JsonNode n = JSON.readTree(l);
        assertTrue(ids.computeIfAbsent(n.get("resourceType").asText(), t -> new HashSet<>()).add(n.get("id").asText()),
            "duplicate id in " + f.getFileName());
      }
    }
    Map<String, Set<String>> baseIds = new HashMap<>();
    for (Path f : ndjson(base)) {
      for (String l : lines(f)) {
        JsonNode n = JSON.readTree(l);
        baseIds.computeIfAbsent(n.get("resourceType").asText(), t -> new HashSet<>()).add(n.get("id").asText());
      }
    }
    int resolvedInBase = countResolved(base, baseIds, false) + countResolved(base, baseIds, true);
    int fromShared = countResolved(base, baseIds, true);
    assertTrue(resolvedInBase > 100, "the fixture has references to check");
    // references from patient data appear once per copy and must still resolve; the directory's own once
    assertEquals(fromShared + 3 * (resolvedInBase - fromShared),
        countResolved(out, ids, false) + countResolved(out, ids, true));
  }

  @Test
  void copiedPatientsAreOtherPeople() throws Exception {
    List<JsonNode> originals = new ArrayList<>();
    for (String l : lines(base.resolve("Patient.ndjson"))) {
      originals.add(JSON.readTree(l));
    }
    List<String> copied = lines(out.resolve("Patient.ndjson"));
    for (int k = 1; k < 3; k++) {
      for (int i = 0; i < originals.size(); i++) {
        JsonNode o = originals.get(i);
        JsonNode c = JSON.readTree(copied.get(k * originals.size() + i));
        assertNotEquals(o.get("id"), c.get("id"));
        assertEquals(o.get("gender"), c.get("gender"));
        assertNotEquals(o.at("/name/0"), c.at("/name/0"), "name of copy " + k);
        assertNotEquals(o.get("birthDate"), c.get("birthDate"));
        assertNotEquals(ssn(o), ssn(c));
      }
    }
  }

  @Test
  void sameInputGivesTheSameBytesAndIsReused() throws Exception {
    Path again = Files.createTempDirectory("replica-again-").resolve("p-x3");
    new ReplicatePopulation(base, again, 3).execute();
    for (Path f : ndjson(out)) {
      assertEquals(Files.readString(f), Files.readString(again.resolve(f.getFileName())), f.getFileName().toString());
    }
    assertTrue(new ReplicatePopulation(base, again, 3).execute().cached());
  }

  /** References that resolve to an id of the given map, counted in the shared files or in the others. */
  private static int countResolved(Path dir, Map<String, Set<String>> ids, boolean inShared) throws Exception {
    int n = 0;
    for (Path f : ndjson(dir)) {
      if (SHARED.contains(f.getFileName().toString().replace(".ndjson", "")) != inShared) {
        continue;
      }
      Matcher m = REF.matcher(String.join("\n", lines(f)));
      while (m.find()) {
        n += ids.getOrDefault(m.group(1), Set.of()).contains(m.group(2)) ? 1 : 0;
      }
    }
    return n;
  }

  private static String ssn(JsonNode patient) {
    for (JsonNode i : patient.path("identifier")) {
      if (i.path("system").asText().endsWith("us-ssn")) {
        return i.path("value").asText();
      }
    }
    return null;
  }

  private static List<Path> ndjson(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".ndjson")).sorted().toList();
    }
  }

  private static List<String> lines(Path f) throws Exception {
    return Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList();
  }
}
