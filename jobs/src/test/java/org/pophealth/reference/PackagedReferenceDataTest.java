package org.pophealth.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pophealth.io.ClasspathDirs;

/**
 * Every CSV file under {@code measures/} (as packaged: target/classes) has a column declaration and loads
 * cleanly through {@link ReferenceData}, with no undeclared column; and every declaration names a file
 * that exists. A new file without types fails here, and so does a folder measures/README.md does not list.
 */
class PackagedReferenceDataTest {
  private static final Path MEASURES = ClasspathDirs.parentOf("measures/README.md");

  @Test
  void everyCsvIsDeclaredAndLoads() throws IOException {
    List<String> loaded = new ArrayList<>();
    for (Path csv : files(".csv")) {
      String folder = MEASURES.relativize(csv.getParent()).toString().replace('\\', '/');
      String name = csv.getFileName().toString();
      ReferenceTable t = ReferenceData.packaged(folder).table(name);
      assertEquals(List.of(), t.undeclared(), t.file() + ": columns not in its declaration");
      assertFalse(t.rows().isEmpty(), t.file() + " has no data line");
      loaded.add(folder + "/" + name);
    }
    assertTrue(loaded.contains("risk/cms-hcc/ra_coefficients_2026.csv"), loaded.toString());
    assertTrue(loaded.contains("ecqm/qicore-2024/improvement-notation.csv"), loaded.toString());
    assertTrue(loaded.size() >= 27, loaded.toString());
  }

  @Test
  void everyDeclarationNamesAFileBesideOrBelowIt() throws IOException {
    for (Path yaml : files("/" + ReferenceData.DECLARATIONS)) {
      Map<String, Map<String, Column>> declared = ColumnDeclarations.parse(yaml.toString(), Files.readAllBytes(yaml));
      for (String file : declared.keySet()) {
        try (Stream<Path> s = Files.walk(yaml.getParent())) {
          // a YYYY name declares the files of one layout per year (ReferenceData.yearPattern)
          assertTrue(s.anyMatch(p -> p.getFileName().toString().equals(file)
                  || ReferenceData.yearPattern(p.getFileName().toString()).equals(file)),
              MEASURES.relativize(yaml) + " declares " + file + ", which is not there");
        }
      }
    }
  }

  @Test
  void theReadmeListsEveryFolder() throws IOException {
    String readme = Files.readString(MEASURES.resolve("README.md"));
    try (Stream<Path> s = Files.walk(MEASURES)) {
      for (Path d : s.filter(Files::isDirectory).filter(d -> !d.equals(MEASURES)).toList()) {
        try (Stream<Path> in = Files.list(d)) {
          // folders of FHIR JSON resources only (an eCQM package's measure/, library/, valueset/) are named by
          // their package's row
          if (in.anyMatch(f -> Files.isRegularFile(f) && !f.toString().endsWith(".json"))) {
            String folder = MEASURES.relativize(d).toString().replace('\\', '/') + "/";
            assertTrue(readme.contains("`" + folder + "`"), "measures/README.md does not list " + folder);
          }
        }
      }
    }
  }

  private static List<Path> files(String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(MEASURES)) {
      return s.filter(p -> p.toString().endsWith(suffix) && Files.isRegularFile(p)).sorted().toList();
    }
  }
}
