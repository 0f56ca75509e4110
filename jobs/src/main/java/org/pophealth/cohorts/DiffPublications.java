package org.pophealth.cohorts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;

/**
 * What changed between a cohort's publication and the one published before it (the cohort's latest
 * {@code ops.publication} row with action publish and another publication id): who was added, who was
 * removed and why (excluded now, or the reasons that put them on the list no longer hold), who is still
 * listed.
 */
public final class DiffPublications {
  private final Lakehouse lakehouse;
  private final CohortDefinition definition;
  private final CohortReference reference;

  public DiffPublications(Lakehouse lakehouse, CohortDefinition definition, CohortReference reference) {
    this.lakehouse = lakehouse;
    this.definition = definition;
    this.reference = reference;
  }

  /** One person's change; ranks null when not listed on that side. */
  public record Change(String personKey, String change, Integer rank, Integer previousRank, String reason) {}

  public record Result(String publication, String previousPublication, List<Change> changes) {
    public long count(String change) {
      return changes.stream().filter(c -> c.change().equals(change)).count();
    }
  }

  /** The latest publication built for the cohort (ops.publication action build), null when never built. */
  public static Row latest(Lakehouse lakehouse, String cohort, String action) {
    List<Row> rows = lakehouse.read(BuildCohorts.AUDIT).filter("cohort = '" + cohort + "' AND action = '" + action + "'")
        .orderBy(org.apache.spark.sql.functions.col("at").desc()).limit(1).collectAsList();
    return rows.isEmpty() ? null : rows.get(0);
  }

  public Result execute(String publication) {
    String cohort = definition.name();
    List<Row> prev = lakehouse.read(BuildCohorts.AUDIT)
        .filter("cohort = '" + cohort + "' AND action = 'publish' AND publication <> '" + publication + "'")
        .orderBy(org.apache.spark.sql.functions.col("at").desc()).limit(1).select("publication").collectAsList();
    String previous = prev.isEmpty() ? null : prev.get(0).getString(0);
    Map<String, Row> now = members(publication, false);
    Map<String, Row> before = previous == null ? Map.of() : members(previous, true);
    Set<String> prefixes = definition.rules().stream().map(CohortDefinition.Rule::codePrefix).collect(Collectors.toSet());
    ReasonText words = new ReasonText(List.of(), labels());
    List<Change> changes = new ArrayList<>();
    for (Row r : now.values()) {
      if (!"listed".equals(r.getAs("status"))) {
        continue;
      }
      Row b = before.get(r.<String>getAs("person_key"));
      changes.add(new Change(r.getAs("person_key"), b == null ? "added" : "still_listed", r.getAs("rank"),
          b == null ? null : b.getAs("rank"), r.getAs("reasons")));
    }
    for (Row b : before.values()) {
      Row r = now.get(b.<String>getAs("person_key"));
      if (r != null && "listed".equals(r.getAs("status"))) {
        continue;
      }
      List<String> exclusions = r == null ? List.of() : r.getList(r.fieldIndex("exclusions"));
      changes.add(new Change(b.getAs("person_key"), "removed", null, b.getAs("rank"),
          words.removal(exclusions, b.getList(b.fieldIndex("reason_codes")), prefixes)));
    }
    changes.sort(Comparator.comparing((Change c) -> switch (c.change()) {
          case "added" -> 0;
          case "still_listed" -> 1;
          default -> 2;
        }).thenComparing(c -> c.rank() != null ? c.rank() : c.previousRank(), Comparator.nullsLast(Comparator.naturalOrder()))
        .thenComparing(Change::personKey));
    return new Result(publication, previous, List.copyOf(changes));
  }

  private Map<String, String> labels() {
    Map<String, String> m = new HashMap<>();
    reference.gapCodes().forEach(g -> m.putIfAbsent(g.cmsId(), g.label()));
    return m;
  }

  private Map<String, Row> members(String publication, boolean listedOnly) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : lakehouse.read(BuildCohorts.TABLE)
        .filter("cohort = '" + definition.name() + "' AND publication = '" + publication + "'"
            + (listedOnly ? " AND status = 'listed'" : ""))
        .select("person_key", "status", "rank", "reasons", "reason_codes", "exclusions").collectAsList()) {
      out.put(r.getString(0), r);
    }
    return out;
  }
}
