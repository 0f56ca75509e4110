package org.pophealth.ingest.fhir.bulk;

import static org.apache.spark.sql.functions.col;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.pophealth.lakehouse.Lakehouse;

/**
 * Reads and writes {@code ops.bulk_group_member}: the members of {@code source}'s Group {@code groupId} as
 * of its last bulk run, and the diff of a new member list against them.
 */
public record BulkGroupMembers(Lakehouse lakehouse, String source, String groupId) {
  static final String TABLE = "ops.bulk_group_member";

  /**
   * A member list against the stored one.
   *
   * @param firstRun no list was stored: every member comes with the group's export, none is "new"
   */
  public record Diff(List<String> current, List<String> added, List<String> removed, boolean firstRun) {}

  /** One stored member. */
  private record Stored(Timestamp firstSeen, Timestamp lastSeen, Timestamp removedAt, Timestamp backfilledAt) {}

  public Diff diff(List<String> current) {
    Map<String, Stored> stored = stored();
    Set<String> now = new LinkedHashSet<>(current);
    List<String> added = current.stream().filter(m -> !stored.containsKey(m) || stored.get(m).removedAt() != null)
        .toList();
    List<String> removed = stored.entrySet().stream()
        .filter(e -> e.getValue().removedAt() == null && !now.contains(e.getKey())).map(Map.Entry::getKey).sorted()
        .toList();
    return new Diff(List.copyOf(current), added, removed, stored.isEmpty());
  }

  /** Stores the list of {@code diff} as of {@code at}; {@code backfilled} members get {@code backfilled_at}. */
  public void write(Diff diff, Instant at, Set<String> backfilled) {
    Map<String, Stored> stored = stored();
    Timestamp ts = Timestamp.from(at);
    List<Row> rows = new ArrayList<>();
    Set<String> now = new LinkedHashSet<>(diff.current());
    for (String m : diff.current()) {
      Stored s = stored.get(m);
      boolean rejoined = s != null && s.removedAt() != null;
      rows.add(RowFactory.create(source, groupId, m, s == null || rejoined ? ts : s.firstSeen(), ts, null,
          backfilled.contains(m) ? ts : s == null || rejoined ? null : s.backfilledAt(), ts));
    }
    for (Map.Entry<String, Stored> e : stored.entrySet()) {
      if (now.contains(e.getKey())) {
        continue;
      }
      Stored s = e.getValue();
      rows.add(RowFactory.create(source, groupId, e.getKey(), s.firstSeen(), s.lastSeen(),
          s.removedAt() == null ? ts : s.removedAt(), s.backfilledAt(), ts));
    }
    lakehouse.replaceWhere(TABLE, lakehouse.spark().createDataFrame(rows, lakehouse.contract(TABLE).schema()),
        "source = " + BulkWatermarks.quote(source) + " AND group_id = " + BulkWatermarks.quote(groupId));
  }

  private Map<String, Stored> stored() {
    Map<String, Stored> out = new HashMap<>();
    for (Row r : lakehouse.read(TABLE).filter(col("source").equalTo(source).and(col("group_id").equalTo(groupId)))
        .select("patient_ref", "first_seen", "last_seen", "removed_at", "backfilled_at").collectAsList()) {
      out.put(r.getString(0), new Stored(r.getTimestamp(1), r.getTimestamp(2), r.getTimestamp(3), r.getTimestamp(4)));
    }
    return out;
  }
}
