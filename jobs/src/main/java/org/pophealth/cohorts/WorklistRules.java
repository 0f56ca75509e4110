package org.pophealth.cohorts;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;

/**
 * The worklist's rules as data ({@code measures/worklist/}, or {@code cohorts.worklist_dir} with the packaged
 * files as fallback): who a new item is assigned to ({@code assignment.csv}) and how long a reached or declined
 * person is not offered again ({@code reoffer.csv}). {@code *} matches anything; the first matching line in file
 * order wins.
 */
public record WorklistRules(List<Assignment> assignments, List<Reoffer> reoffers) {
  /** Packaged folder {@code measures/worklist/}. */
  static final String FOLDER = "worklist";
  /** Statuses a re-offer line may name (the statuses of a closed item). */
  static final Set<String> CLOSED_STATUSES = Set.of("reached", "declined", "closed");

  /** One assignment line: who takes items of the cohort, organisation and PCP, up to {@code capacity} open items. */
  public record Assignment(String cohort, String organization, String pcpNpi, String assignee, int capacity) {
    boolean matches(String cohortName, String orgKey, String orgName, String npi) {
      return any(cohort, cohortName) && (organization.equals("*") || organization.equals(orgKey)
          || organization.equals(orgName)) && any(pcpNpi, npi);
    }
  }

  /** One re-offer line: a closed item of this status is not re-offered for {@code days}. */
  public record Reoffer(String status, String cohort, int days) {}

  /** The rules of {@code dir} (null: packaged); a bad file is an IllegalArgumentException naming file and line. */
  public static WorklistRules load(String dir) {
    ReferenceData folder = ReferenceData.packaged(FOLDER).overriddenBy(dir, "worklist rules");
    List<Assignment> assignments = new ArrayList<>();
    for (ReferenceRow r : folder.table("assignment.csv").rows()) {
      int capacity = r.integer("capacity");
      if (capacity < 0) {
        throw r.error("capacity must be 0 or more (open items per assignee)");
      }
      assignments.add(new Assignment(r.text("cohort"), r.text("organization"), r.text("pcp_npi"), r.text("assignee"),
          capacity));
    }
    List<Reoffer> reoffers = new ArrayList<>();
    for (ReferenceRow r : folder.table("reoffer.csv").rows()) {
      if (!CLOSED_STATUSES.contains(r.text("status"))) {
        throw r.error("status must be one of " + CLOSED_STATUSES.stream().sorted().toList());
      }
      if (r.integer("days") < 0) {
        throw r.error("days must be 0 or more");
      }
      reoffers.add(new Reoffer(r.text("status"), r.text("cohort"), r.integer("days")));
    }
    return new WorklistRules(List.copyOf(assignments), List.copyOf(reoffers));
  }

  /** Days a closed item of {@code status} in {@code cohort} keeps the person off the list (0: none). */
  public int reofferDays(String status, String cohort) {
    return reoffers.stream().filter(r -> r.status().equals(status) && any(r.cohort(), cohort)).findFirst()
        .map(Reoffer::days).orElse(0);
  }

  /** True while the re-offer period of an item closed on {@code closedAt} with {@code status} runs at {@code asOf}. */
  public boolean heldBack(String status, String cohort, LocalDate closedAt, LocalDate asOf) {
    int days = reofferDays(status, cohort);
    return days > 0 && closedAt != null && asOf.isBefore(closedAt.plusDays(days));
  }

  private static boolean any(String pattern, String value) {
    return pattern.equals("*") || pattern.equals(value);
  }
}
