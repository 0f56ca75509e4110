package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * improvement-notation.csv of a measure package, packaged or in a package directory, read through the
 * reference loader; no Spark.
 */
class ImprovementNotationTest {
  private static final String MEASURE = "BreastCancerScreeningFHIR";

  @TempDir Path dir;

  @Test
  void thePackagedFileOverridesThePackagesNotation() {
    MeasurePackage p = LoadMeasurePackage.cached("qicore-2024");
    assertEquals("increase", p.measure(MEASURE).groups().get(0).improvementNotation());
    assertEquals("decrease", p.measure("DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR").groups().get(0)
        .improvementNotation());
    assertEquals("decrease", p.measure("UseofHighRiskMedicationsintheElderlyFHIR").groups().get(1)
        .improvementNotation());
  }

  @Test
  void aPackageDirectoryHasItsOwnFileOrNone() throws Exception {
    Path packaged = Path.of(getClass().getClassLoader().getResource("measures/ecqm/qicore-2024/measure").toURI())
        .getParent();
    for (String f : new String[] {"measure/" + MEASURE + ".json", "library/" + MEASURE + ".json", "profiles.yaml"}) {
      Files.createDirectories(dir.resolve(f).getParent());
      Files.copy(packaged.resolve(f), dir.resolve(f));
    }
    Files.createDirectories(dir.resolve("valueset"));
    // without the file, the package's own extension (which reads "decrease" for every group)
    assertEquals("decrease", new LoadMeasurePackage(dir.toString()).execute().measure(MEASURE).groups().get(0)
        .improvementNotation());
    Files.writeString(dir.resolve("improvement-notation.csv"), "# mine\nmeasure,improvement_notation\n"
        + MEASURE + ",increase\n");
    assertEquals("increase", new LoadMeasurePackage(dir.toString()).execute().measure(MEASURE).groups().get(0)
        .improvementNotation());
    Files.writeString(dir.resolve("improvement-notation.csv"), "measure,improvement_notation\n" + MEASURE + ",up\n");
    assertEquals(dir.resolve("improvement-notation.csv") + " line 2: improvement_notation must be increase or"
        + " decrease: up", assertThrows(IllegalArgumentException.class,
            () -> new LoadMeasurePackage(dir.toString()).execute()).getMessage());
  }
}
