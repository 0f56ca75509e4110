package org.pophealth.dashboard;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;

/**
 * Performance-rate targets per measure and group, from {@code measures/dashboard/targets.csv} or a file
 * of the same layout, read through {@link ReferenceData} (columns measure, group_index, target; {@code *}
 * matches any measure or group; lines starting with # are comments). Lookup order: measure+group,
 * measure+*, *+*.
 */
public final class DashboardTargets {
  private static final String FILE = "targets.csv";
  private final Map<String, Double> targets;

  private DashboardTargets(Map<String, Double> targets) {
    this.targets = Map.copyOf(targets);
  }

  /** The packaged targets. */
  public static DashboardTargets packaged() {
    return parse(ReferenceData.packaged("dashboard"));
  }

  /** Targets from a CSV file of the same layout. */
  public static DashboardTargets file(Path csv) {
    return parse(ReferenceData.packaged("dashboard").withFile(FILE, csv));
  }

  public static DashboardTargets of(Map<String, Double> targets) {
    return new DashboardTargets(targets);
  }

  private static DashboardTargets parse(ReferenceData folder) {
    Map<String, Double> m = new HashMap<>();
    for (ReferenceRow r : folder.table(FILE).rows()) {
      double t = r.decimal("target");
      if (t < 0 || t > 1) {
        throw r.error("expected measure,group_index,target (0..1): a target is a rate between 0 and 1");
      }
      m.put(r.text("measure") + "|" + r.text("group_index"), t);
    }
    return new DashboardTargets(m);
  }

  /** The target rate of a measure's group, or null when neither it nor a default is configured. */
  public Double target(String measure, int groupIndex) {
    Double t = targets.get(measure + "|" + groupIndex);
    if (t == null) {
      t = targets.get(measure + "|*");
    }
    return t != null ? t : targets.get("*|*");
  }
}
