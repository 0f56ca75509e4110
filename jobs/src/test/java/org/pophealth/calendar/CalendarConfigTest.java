package org.pophealth.calendar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pophealth.config.ConfigLoader;

/** {@code cohorts.calendar}: null by default (the packaged calendar), else a file or directory, made absolute. */
class CalendarConfigTest {
  @TempDir Path dir;

  @Test
  void defaultIsThePackagedCalendar() {
    assertNull(ConfigLoader.defaults().cohorts().calendar());
  }

  @Test
  void ownCalendarFromTheConfiguration() throws Exception {
    Path cal = Files.createDirectories(dir.resolve("cal"));
    // the packaged lines kept, plus a day the organisation closes: Tuesday 2025-01-21
    Files.writeString(cal.resolve("holidays.csv"), "date,name,calendar\n2025-01-20,MLK Day,us-federal\n"
        + "2025-01-21,Staff day,us-federal\n");
    Path cfg = Files.writeString(dir.resolve("pophealth.yaml"), "cohorts:\n  calendar: " + cal + "\n");
    String location = ConfigLoader.load(cfg).cohorts().calendar();
    assertTrue(Path.of(location).isAbsolute(), location);
    // Fri 2025-01-17 -> Sat, Sun, Mon 20 MLK Day, Tue 21 staff day, Wed 22 = day 1, Thu 23 = day 2
    assertEquals(LocalDate.of(2025, 1, 23), BusinessDays.load(location, "us-federal").after(LocalDate.of(2025, 1, 17), 2));
  }
}
