package org.pophealth.cohorts;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One {@code ops.worklist} item in memory, for {@code publish} ({@link UpdateWorklist}) and {@code worklist import}
 * ({@link ImportOutreach}). Status, attempt count, last attempt and next contact date are derived from the attempts
 * ({@link #derive}), so importing the same attempts again, or in another order, gives the same item.
 */
final class WorklistItem {
  static final String TABLE = "ops.worklist";
  /** Outcomes an attempt may have. */
  static final Set<String> OUTCOMES = Set.of("no_answer", "left_message", "reached", "scheduled", "declined",
      "wrong_number");
  /** Outcomes that close the item (with the outcome as status and reason). */
  static final Set<String> CLOSING = Set.of("reached", "declined");

  /** One outreach attempt; (date, channel, outcome) identifies it. */
  record Attempt(LocalDate date, String channel, String outcome, String by, LocalDate nextContact, String note) {
    boolean same(Attempt o) {
      return date.equals(o.date) && channel.equals(o.channel) && outcome.equals(o.outcome);
    }
  }

  final String cohort;
  final String personId;
  final String openedAt;
  final LocalDate openedDate;
  String assignee;
  String status = "open";
  final List<Attempt> attempts = new ArrayList<>();
  LocalDate closedAt;
  String closedReason;
  String updatedPublication;
  /** Set when the item is new or changed and must be written. */
  boolean changed;

  WorklistItem(String cohort, String personId, String openedAt, LocalDate openedDate) {
    this.cohort = cohort;
    this.personId = personId;
    this.openedAt = openedAt;
    this.openedDate = openedDate;
  }

  boolean closed() {
    return closedAt != null;
  }

  /** The item as stored. */
  static WorklistItem of(Row r) {
    WorklistItem i = new WorklistItem(r.getAs("cohort"), r.getAs("person_id"), r.getAs("opened_at"),
        r.<Date>getAs("opened_date").toLocalDate());
    i.assignee = r.getAs("assignee");
    i.status = r.getAs("status");
    for (Row a : r.<Row>getList(r.fieldIndex("attempts"))) {
      i.attempts.add(new Attempt(a.<Date>getAs("date").toLocalDate(), a.getAs("channel"), a.getAs("outcome"),
          a.getAs("by"), date(a.getAs("next_contact_date")), a.getAs("note")));
    }
    i.closedAt = date(r.getAs("closed_at"));
    i.closedReason = r.getAs("closed_reason");
    i.updatedPublication = r.getAs("updated_publication");
    return i;
  }

  /** The row of the ops.worklist contract (columns in its order). */
  Row toRow() {
    List<Row> a = attempts.stream().map(x -> RowFactory.create(Date.valueOf(x.date()), x.channel(), x.outcome(), x.by(),
        sql(x.nextContact()), x.note())).toList();
    Attempt last = lastAttempt();
    return RowFactory.create(cohort, personId, openedAt, Date.valueOf(openedDate), assignee, status, a, attempts.size(),
        last == null ? null : Date.valueOf(last.date()), last == null ? null : sql(last.nextContact()), sql(closedAt),
        closedReason, updatedPublication);
  }

  /**
   * Merges new and changed items into ops.worklist (matched on the key: updated, else inserted); {@code cohort}, when
   * known, limits the MERGE to that cohort's partition.
   */
  static void save(org.pophealth.lakehouse.Lakehouse lakehouse, List<WorklistItem> items, String cohort) {
    if (items.isEmpty()) {
      return;
    }
    List<Row> rows = items.stream().map(WorklistItem::toRow).toList();
    lakehouse.merge(TABLE, lakehouse.spark().createDataFrame(rows, lakehouse.contract(TABLE).schema()),
        (cohort == null ? "" : "t.cohort = '" + cohort.replace("'", "") + "' AND ")
            + "t.cohort = s.cohort AND t.person_id = s.person_id AND t.opened_at = s.opened_at",
        "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
  }

  Attempt lastAttempt() {
    return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
  }

  /** The next contact date: the latest attempt's. */
  LocalDate nextContact() {
    Attempt last = lastAttempt();
    return last == null ? null : last.nextContact();
  }

  /**
   * Adds an attempt (kept in date order, ties in the order added) and derives the status: reached and declined
   * close the item on the attempt's date, scheduled schedules it, other outcomes make it attempted.
   */
  void add(Attempt a, String source) {
    attempts.add(a);
    attempts.sort(Comparator.comparing(Attempt::date));
    Attempt last = lastAttempt();
    status = switch (last.outcome()) {
      case "reached", "declined", "scheduled" -> last.outcome();
      default -> "attempted";
    };
    if (CLOSING.contains(last.outcome())) {
      closedAt = last.date();
      closedReason = last.outcome();
    }
    updatedPublication = source;
    changed = true;
  }

  /** Closes the item because the person left the list (status closed). */
  void close(LocalDate on, String reason, String publication) {
    status = "closed";
    closedAt = on;
    closedReason = reason;
    updatedPublication = publication;
    changed = true;
  }

  /** A due item: its next contact date is on or before {@code asOf}. */
  boolean due(LocalDate asOf) {
    LocalDate next = nextContact();
    return next != null && !next.isAfter(asOf);
  }

  String key() {
    return cohort + "|" + personId;
  }

  /** Of two items of one (cohort, person), the later opened one (the current item). */
  static WorklistItem later(WorklistItem a, WorklistItem b) {
    int c = a.openedDate.compareTo(b.openedDate);
    if (c == 0) {
      c = a.openedAt.compareTo(b.openedAt);
    }
    return c >= 0 ? a : b;
  }

  private static LocalDate date(Object d) {
    return d == null ? null : ((Date) d).toLocalDate();
  }

  private static Date sql(LocalDate d) {
    return d == null ? null : Date.valueOf(d);
  }

  @Override
  public String toString() {
    return "worklist item " + cohort + " opened " + openedAt + " (" + status + ")"; // no person id: logs
  }
}
