package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** measures/dashboard/targets.csv and a --targets file, read through the reference loader; no Spark. */
class DashboardTargetsTest {
  @TempDir Path dir;

  @Test
  void packagedTargetsByMeasureThenDefault() {
    DashboardTargets t = DashboardTargets.packaged();
    assertEquals(0.75, t.target("BreastCancerScreeningFHIR", 1));
    assertEquals(0.05, t.target("UseofHighRiskMedicationsintheElderlyFHIR", 2));
    assertEquals(0.70, t.target("SomeOtherMeasure", 1));
  }

  @Test
  void aFileOfItsOwnAndItsErrors() throws Exception {
    Path f = Files.writeString(dir.resolve("t.csv"), "# mine\nmeasure,group_index,target\nM,2,0.4\nM,*,0.5\n");
    DashboardTargets t = DashboardTargets.file(f);
    assertEquals(0.4, t.target("M", 2));
    assertEquals(0.5, t.target("M", 1));
    assertNull(t.target("N", 1));
    Files.writeString(f, "measure,group_index,target\nM,*,0.5\nN,*,1.5\n");
    assertEquals(f + " line 3: expected measure,group_index,target (0..1): a target is a rate between 0 and 1",
        assertThrows(IllegalArgumentException.class, () -> DashboardTargets.file(f)).getMessage());
    Files.writeString(f, "measure,group_index,target\nM,*,high\n");
    assertEquals(f + " line 2: column target: \"high\" is not a double",
        assertThrows(IllegalArgumentException.class, () -> DashboardTargets.file(f)).getMessage());
  }
}
