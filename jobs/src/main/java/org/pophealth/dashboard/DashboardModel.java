package org.pophealth.dashboard;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the executive dashboard shows, aggregates only: sections of panels, each panel a chart and the
 * table behind it (the chart's fallback for screen readers). Suppressed small cells are already
 * {@code null} in chart values and {@code "<11"} in table cells; nothing here names a person.
 */
public final class DashboardModel {
  private DashboardModel() {}

  /**
   * The whole page: title, reference text (as-of, publication), banner lines shown at the top (stale data:
   * aggregate text, no person) and sections in display order.
   */
  public record Page(String title, String subtitle, int minCellSize, List<String> banner, List<Section> sections) {
    public Page(String title, String subtitle, int minCellSize, List<Section> sections) {
      this(title, subtitle, minCellSize, List.of(), sections);
    }
  }

  /** A section (quality measures, risk, ...): a note shown under the heading, then its panels. */
  public record Section(String id, String title, String note, List<Panel> panels) {}

  /** A chart ({@code null} when there is nothing to plot) and the table of the same figures. */
  public record Panel(Chart chart, Table table) {}

  /** Chart.js type ({@code bar} or {@code line}), title, axis labels, category labels and series. */
  public record Chart(String id, String type, String title, String xLabel, String yLabel, List<String> labels,
      List<Series> series) {}

  /**
   * One series; {@code null} values are gaps (suppressed or no data). {@code dashed}: a target line. {@code kind}
   * null for a plain bar or line; {@code band} (a shaded floating bar per category, {@code ranges} its low and
   * high), {@code interval} (a narrow floating bar, e.g. a confidence interval, in {@code ranges}) or
   * {@code marker} (a point per category, in {@code values}). Absent fields are left out of the page's JSON.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Series(String label, List<Double> values, boolean dashed, String kind, List<List<Double>> ranges) {
    public Series(String label, List<Double> values, boolean dashed) {
      this(label, values, dashed, null, null);
    }

    /** A series of floating bars ({@code band} or {@code interval}): one [low, high] or null per category. */
    public static Series ranges(String label, String kind, List<List<Double>> ranges) {
      return new Series(label, null, false, kind, ranges);
    }

    /** A series of points, one value or null per category. */
    public static Series markers(String label, List<Double> values) {
      return new Series(label, values, false, "marker", null);
    }
  }

  /** Caption, header and rows of display strings. */
  public record Table(String caption, List<String> headers, List<List<String>> rows) {}
}
