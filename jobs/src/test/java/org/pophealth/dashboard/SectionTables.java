package org.pophealth.dashboard;

import java.util.ArrayList;
import java.util.List;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;

/** A section's panels as the sections' unit tests compare them: tables as lines of cells joined by '|'. */
final class SectionTables {
  private SectionTables() {}

  /** The panel whose chart has this id. */
  static Panel chart(Section s, String id) {
    return s.panels().stream().filter(p -> p.chart() != null && p.chart().id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no chart " + id + " in section " + s.id()));
  }

  /** The panel's table: its headers, then its rows, each joined by '|' (as in dashboard/small/expected). */
  static List<String> psv(Panel p) {
    List<String> lines = new ArrayList<>();
    lines.add(String.join("|", p.table().headers()));
    p.table().rows().forEach(r -> lines.add(String.join("|", r)));
    return lines;
  }

  /** The values of the chart's series {@code i}. */
  static List<Double> values(Panel p, int i) {
    return p.chart().series().get(i).values();
  }
}
