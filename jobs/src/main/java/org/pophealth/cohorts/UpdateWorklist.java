package org.pophealth.cohorts;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;

/**
 * The worklist side of {@code publish} ({@code ops.worklist}, one cohort's publication at a time): a newly listed
 * person gets an open item and an assignee ({@link WorklistRules}: first matching assignment line with spare
 * capacity, in priority order); an item keeps its assignee, status and attempts; an item whose person is no
 * longer listed is closed with the reason (the member's exclusion, gap_closed when the cohort's rules are care-gap
 * rules, else left_cohort); a listed person whose last item was reached or declined within the re-offer period is
 * held back from the list, after it a new item opens. Changed items are merged into the table, so publishing the
 * same publication again changes nothing.
 */
final class UpdateWorklist {
  private final Lakehouse lakehouse;
  private final WorklistRules rules;

  UpdateWorklist(Lakehouse lakehouse, WorklistRules rules) {
    this.lakehouse = lakehouse;
    this.rules = rules;
  }

  /** A listed member of the publication, in priority order, with the attribution assignment rules match on. */
  record Listed(String personId, String orgKey, String orgName, String pcpNpi) {}

  /**
   * What the publication did to the cohort's worklist: items open after it, opened for new members, opened again
   * after a re-offer period, closed, persons held back from the list, open items without an assignee.
   */
  public record Counts(long open, long opened, long reopened, long closed, long heldBack, long unassigned) {}

  /** The current item of every listed person who stays on the list (by person), the held-back persons, the counts. */
  record Result(Map<String, WorklistItem> items, Set<String> heldBack, Counts counts) {}

  Result execute(CohortDefinition d, String publication, LocalDate asOf, List<Listed> listed,
      Map<String, List<String>> exclusions) {
    String cohort = d.name();
    lakehouse.ensure(WorklistItem.TABLE);
    Map<String, WorklistItem> current = new HashMap<>();
    for (Row r : lakehouse.read(WorklistItem.TABLE).filter("cohort = '" + cohort + "'").collectAsList()) {
      WorklistItem i = WorklistItem.of(r);
      current.merge(i.personId, i, WorklistItem::later);
    }
    Set<String> listedIds = new LinkedHashSet<>();
    listed.forEach(l -> listedIds.add(l.personId()));
    long closed = 0;
    for (WorklistItem i : current.values()) {
      if (!i.closed() && !listedIds.contains(i.personId)) {
        i.close(asOf, closeReason(d, exclusions.get(i.personId)), publication);
        closed++;
      }
    }
    Map<String, WorklistItem> items = new LinkedHashMap<>();
    Set<String> heldBack = new LinkedHashSet<>();
    long opened = 0;
    long reopened = 0;
    for (Listed l : listed) {
      WorklistItem cur = current.get(l.personId());
      if (cur != null && cur.closed() && rules.heldBack(cur.status, cohort, cur.closedAt, asOf)) {
        heldBack.add(l.personId());
        continue;
      }
      if (cur == null || cur.closed()) {
        opened += cur == null ? 1 : 0;
        reopened += cur == null ? 0 : 1;
        WorklistItem n = new WorklistItem(cohort, l.personId(), publication, asOf);
        n.updatedPublication = publication;
        n.changed = true;
        current.put(l.personId(), n);
        cur = n;
      }
      items.put(l.personId(), cur);
    }
    long unassigned = assign(cohort, publication, listed, items, current);
    WorklistItem.save(lakehouse, current.values().stream().filter(i -> i.changed).toList(), cohort);
    long open = current.values().stream().filter(i -> !i.closed()).count();
    return new Result(items, heldBack, new Counts(open, opened, reopened, closed, heldBack.size(), unassigned));
  }

  /**
   * Offers every listed person's unassigned open item, in priority order, to the first assignment line that matches
   * and whose assignee has fewer open items (every cohort) than its capacity; returns the items left unassigned.
   */
  private long assign(String cohort, String publication, List<Listed> listed, Map<String, WorklistItem> items,
      Map<String, WorklistItem> current) {
    Map<String, Long> load = new HashMap<>();
    for (Row r : lakehouse.read(WorklistItem.TABLE)
        .filter("cohort <> '" + cohort + "' AND closed_at IS NULL AND assignee IS NOT NULL")
        .groupBy("assignee").count().collectAsList()) {
      load.put(r.getString(0), r.getLong(1));
    }
    current.values().stream().filter(i -> !i.closed() && i.assignee != null)
        .forEach(i -> load.merge(i.assignee, 1L, Long::sum));
    long unassigned = 0;
    for (Listed l : listed) {
      WorklistItem i = items.get(l.personId());
      if (i == null || i.closed() || i.assignee != null) {
        continue;
      }
      WorklistRules.Assignment to = rules.assignments().stream()
          .filter(a -> a.matches(cohort, l.orgKey(), l.orgName(), l.pcpNpi()))
          .filter(a -> load.getOrDefault(a.assignee(), 0L) < a.capacity()).findFirst().orElse(null);
      if (to == null) {
        unassigned++;
        continue;
      }
      i.assignee = to.assignee();
      i.updatedPublication = publication;
      i.changed = true;
      load.merge(to.assignee(), 1L, Long::sum);
    }
    return unassigned;
  }

  /**
   * Why an item closes when its person leaves the list: the member's exclusion (deceased, disenrolled, hospice,
   * opted_out: the first the definition names), else gap_closed when every inclusion rule of the cohort is a
   * care-gap rule (the gap that listed the person no longer holds), else left_cohort.
   */
  static String closeReason(CohortDefinition d, List<String> exclusions) {
    if (exclusions != null && !exclusions.isEmpty()) {
      return exclusions.get(0);
    }
    boolean gapsOnly = !d.rules().isEmpty() && d.rules().stream().allMatch(r -> r instanceof CohortDefinition.CareGap);
    return gapsOnly ? "gap_closed" : "left_cohort";
  }
}
