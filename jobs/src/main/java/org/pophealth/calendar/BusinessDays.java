package org.pophealth.calendar;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.Set;
import java.util.TreeSet;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;
import org.pophealth.reference.ReferenceTable;

/**
 * Business days of one holiday calendar: every day but Saturdays, Sundays and the calendar's days off
 * ({@code measures/calendar/holidays.csv}, observed dates). "N business days after D": day 1 is the first
 * business day after D (D itself never counts). Pure Java, immutable.
 *
 * <p>The calendar covers the years from its first to its last day's year; {@link #covers} says whether a
 * date is inside them (outside, only weekends are skipped, and the caller should say so).
 */
public final class BusinessDays implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The packaged folder, {@code measures/calendar/}. */
  static final String FOLDER = "calendar";
  static final String FILE = "holidays.csv";
  /** The calendar a rule uses unless it names another. */
  public static final String DEFAULT_CALENDAR = "us-federal";

  private final String calendar;
  private final Set<LocalDate> holidays;
  private final int firstYear;
  private final int lastYear;

  /** {@code holidays}: the calendar's observed days off; it covers {@code firstYear} to {@code lastYear}. */
  public BusinessDays(String calendar, Set<LocalDate> holidays, int firstYear, int lastYear) {
    this.calendar = calendar;
    this.holidays = Set.copyOf(holidays);
    this.firstYear = firstYear;
    this.lastYear = lastYear;
  }

  /**
   * The calendar {@code calendar} of {@code location}: a holidays.csv file, a directory holding one, or null
   * for the packaged {@code measures/calendar/holidays.csv}. An unknown calendar or a bad file is an
   * IllegalArgumentException naming it.
   */
  public static BusinessDays load(String location, String calendar) {
    ReferenceData folder = ReferenceData.packaged(FOLDER);
    if (location != null && Files.isRegularFile(Path.of(location))) {
      folder = folder.withFile(FILE, Path.of(location));
    } else {
      folder = folder.replacedBy(location, "holiday calendar (cohorts.calendar)");
    }
    ReferenceTable table = folder.table(FILE);
    TreeSet<LocalDate> days = new TreeSet<>();
    Set<String> calendars = new TreeSet<>();
    for (ReferenceRow r : table.rows()) {
      calendars.add(r.text("calendar"));
      if (r.text("calendar").equals(calendar)) {
        days.add(r.date("date"));
      }
    }
    if (days.isEmpty()) {
      throw new IllegalArgumentException(folder.where(FILE) + ": no days of calendar '" + calendar + "' (calendars: "
          + calendars + ")");
    }
    return new BusinessDays(calendar, days, days.first().getYear(), days.last().getYear());
  }

  public String calendar() {
    return calendar;
  }

  public int firstYear() {
    return firstYear;
  }

  public int lastYear() {
    return lastYear;
  }

  /** True when the date is inside the years the calendar covers. */
  public boolean covers(LocalDate date) {
    return date.getYear() >= firstYear && date.getYear() <= lastYear;
  }

  /** Not a Saturday, a Sunday or a day off of the calendar. */
  public boolean isBusinessDay(LocalDate date) {
    DayOfWeek w = date.getDayOfWeek();
    return w != DayOfWeek.SATURDAY && w != DayOfWeek.SUNDAY && !holidays.contains(date);
  }

  /** The {@code n}-th business day after {@code date} ({@code n} at least 1; day 1 is the first after it). */
  public LocalDate after(LocalDate date, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("business days after a date: n must be at least 1: " + n);
    }
    LocalDate d = date;
    int counted = 0;
    while (counted < n) {
      d = d.plusDays(1);
      if (isBusinessDay(d)) {
        counted++;
      }
    }
    return d;
  }
}
