package org.pophealth.ingest.fhir.bulk;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Job step: decides per type (and type filter) what a bulk run asks for, then groups the types by
 * {@code _since}, since one kick-off carries one: a type with a watermark is exported since it, a type
 * without one in full (a new type, a changed filter, a first run). The per-source watermark of the
 * earlier layout, when there is one, stands for every configured type without its own. An explicit
 * {@code since} (config or {@code --since}) applies to every type.
 */
public final class GroupTypesByWatermark {
  private final List<TypeScope> scopes;
  private final BulkWatermarks.Marks marks;
  private final Instant override;

  public GroupTypesByWatermark(List<TypeScope> scopes, BulkWatermarks.Marks marks, Instant override) {
    this.scopes = List.copyOf(scopes);
    this.marks = marks;
    this.override = override;
  }

  /** What one type gets: {@code since} null is a full export; {@code why} says so on the console. */
  public record Decision(TypeScope scope, Instant since, String why) {
    /** "Condition: full (new type)", "Observation: since 2025-01-01T00:00:00Z". */
    public String describe() {
      return scope.label() + ": " + (since == null ? "full" : "since " + since) + (why.isEmpty() ? "" : " (" + why + ")");
    }
  }

  /** One export: the types that share a {@code _since}. */
  public record Group(Instant since, List<TypeScope> scopes) {
    /** The {@code _type} list ({@code *} scopes: none, all types). */
    public List<String> types() {
      return scopes.stream().map(TypeScope::resourceType).filter(t -> !t.equals(TypeScope.ALL_TYPES)).toList();
    }

    public List<String> typeFilters() {
      return scopes.stream().flatMap(s -> s.filters().stream()).toList();
    }
  }

  public record Result(List<Decision> decisions, List<Group> groups) {}

  public Result execute() {
    List<Decision> decisions = new ArrayList<>();
    Map<String, List<TypeScope>> bySince = new LinkedHashMap<>();
    Map<String, Instant> sinceOf = new LinkedHashMap<>();
    for (TypeScope s : scopes) {
      Decision d = decide(s);
      decisions.add(d);
      String k = String.valueOf(d.since());
      bySince.computeIfAbsent(k, x -> new ArrayList<>()).add(s);
      sinceOf.put(k, d.since());
    }
    List<Group> groups = new ArrayList<>();
    // full exports first: a new type's history lands before the increments of the others
    bySince.keySet().stream().sorted((a, b) -> a.equals("null") ? -1 : b.equals("null") ? 1 : a.compareTo(b))
        .forEach(k -> groups.add(new Group(sinceOf.get(k), List.copyOf(bySince.get(k)))));
    return new Result(List.copyOf(decisions), List.copyOf(groups));
  }

  private Decision decide(TypeScope s) {
    if (override != null) {
      return new Decision(s, override, "since given");
    }
    Instant own = marks.byScope().get(s);
    if (own != null) {
      return new Decision(s, own, "");
    }
    if (marks.legacy() != null) {
      return new Decision(s, marks.legacy(), "per-source watermark of the earlier layout");
    }
    if (marks.isEmpty()) {
      return new Decision(s, null, "first export");
    }
    return new Decision(s, null, marks.otherFilters().contains(s.resourceType()) ? "new type filter" : "new type");
  }
}
