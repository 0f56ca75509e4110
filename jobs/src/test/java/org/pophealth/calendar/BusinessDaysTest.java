package org.pophealth.calendar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "N business days after D" on the packaged US federal calendar. Every expected date was worked out by hand
 * on a wall calendar (weekdays checked with {@code date -d}), day by day: the comment of each case lists the
 * days after the discharge and why each does or does not count.
 */
class BusinessDaysTest {
  private static final BusinessDays US = BusinessDays.load(null, "us-federal");

  private static LocalDate d(String s) {
    return LocalDate.parse(s);
  }

  @Test
  void fridayBeforeAMondayHoliday() {
    // Fri 2025-01-17 -> Sat 18, Sun 19 weekend, Mon 20 MLK Day, Tue 21 = day 1, Wed 22 = day 2
    assertEquals(d("2025-01-21"), US.after(d("2025-01-17"), 1));
    assertEquals(d("2025-01-22"), US.after(d("2025-01-17"), 2));
  }

  @Test
  void dischargeOnAnObservedHoliday() {
    // Fri 2026-07-03 is the observed Independence Day (July 4 is a Saturday) -> Sat 4, Sun 5, Mon 6 = day 1,
    // Tue 7 = day 2
    assertFalse(US.isBusinessDay(d("2026-07-03")));
    assertEquals(d("2026-07-07"), US.after(d("2026-07-03"), 2));
    // Thu 2026-07-02 -> Fri 3 observed holiday, Sat 4, Sun 5, Mon 6 = day 1, Tue 7 = day 2
    assertEquals(d("2026-07-06"), US.after(d("2026-07-02"), 1));
    assertEquals(d("2026-07-07"), US.after(d("2026-07-02"), 2));
  }

  @Test
  void thursdayBeforeAFridayHoliday() {
    // Thu 2025-07-03 -> Fri 4 Independence Day, Sat 5, Sun 6, Mon 7 = day 1, Tue 8 = day 2
    assertEquals(d("2025-07-08"), US.after(d("2025-07-03"), 2));
  }

  @Test
  void thanksgivingAndChristmas() {
    // Wed 2025-11-26 -> Thu 27 Thanksgiving, Fri 28 = day 1 (not a federal holiday), Sat, Sun, Mon 12-01 = day 2
    assertEquals(d("2025-11-28"), US.after(d("2025-11-26"), 1));
    assertEquals(d("2025-12-01"), US.after(d("2025-11-26"), 2));
    // Tue 2025-12-23 -> Wed 24 = day 1 (its day off was by executive order, not 5 U.S.C. 6103), Thu 25
    // Christmas, Fri 26 = day 2
    assertEquals(d("2025-12-26"), US.after(d("2025-12-23"), 2));
    // Thu 2027-12-23 -> Fri 24 observed Christmas (25th a Saturday), Sat, Sun, Mon 27 = day 1, Tue 28 = day 2
    assertEquals(d("2027-12-28"), US.after(d("2027-12-23"), 2));
  }

  @Test
  void weekendDischargeBeforeAMondayHoliday() {
    // Sat 2025-05-24 -> Sun 25, Mon 26 Memorial Day, Tue 27 = day 1, Wed 28 = day 2
    assertEquals(d("2025-05-28"), US.after(d("2025-05-24"), 2));
    // Sat 2025-03-01 (no holiday near) -> Sun 2, Mon 3 = day 1, Tue 4 = day 2
    assertEquals(d("2025-03-04"), US.after(d("2025-03-01"), 2));
  }

  @Test
  void newYear2028IsObservedIn2027AndCoverageIsTheFilesYears() {
    // Wed 2027-12-29 -> Thu 30 = day 1, Fri 31 observed New Year's Day 2028, Sat, Sun, Mon 2028-01-03 = day 2
    assertEquals(d("2027-12-30"), US.after(d("2027-12-29"), 1));
    assertEquals(d("2028-01-03"), US.after(d("2027-12-29"), 2));
    assertEquals(2024, US.firstYear());
    assertEquals(2027, US.lastYear());
    assertTrue(US.covers(d("2027-12-31")));
    assertFalse(US.covers(d("2028-01-03")));
    assertFalse(US.covers(d("2023-12-29")));
  }

  @Test
  void nMustBeAtLeastOne() {
    assertThrows(IllegalArgumentException.class, () -> US.after(d("2025-01-17"), 0));
  }

  @Test
  void ownCalendarFileAndUnknownCalendar(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("holidays.csv");
    Files.writeString(f, "date,name,calendar\n2025-01-21,Closing day,acme\n");
    BusinessDays acme = BusinessDays.load(f.toString(), "acme");
    // Fri 2025-01-17 -> Mon 20 = day 1 (MLK Day is not in acme's calendar), Tue 21 acme's day off, Wed 22 = day 2
    assertEquals(d("2025-01-20"), acme.after(d("2025-01-17"), 1));
    assertEquals(d("2025-01-22"), acme.after(d("2025-01-17"), 2));
    // a directory holding the file reads the same
    assertEquals(d("2025-01-22"), BusinessDays.load(dir.toString(), "acme").after(d("2025-01-17"), 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BusinessDays.load(f.toString(),
        "us-federal"));
    assertTrue(e.getMessage().contains("no days of calendar 'us-federal'") && e.getMessage().contains("[acme]"),
        e.getMessage());
    Files.writeString(f, "date,name,calendar\n2025-13-01,Bad,acme\n");
    e = assertThrows(IllegalArgumentException.class, () -> BusinessDays.load(f.toString(), "acme"));
    assertTrue(e.getMessage().contains("holidays.csv") && e.getMessage().contains("line"), e.getMessage());
  }
}
