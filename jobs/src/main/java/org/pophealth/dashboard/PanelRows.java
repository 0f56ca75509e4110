package org.pophealth.dashboard;

import java.util.ArrayList;
import java.util.List;

/**
 * A chart's categories and the table behind it, built one category at a time: each category is a chart
 * label, a value in each series (null: a gap, e.g. a suppressed cell) and a table row, so that the three
 * stay aligned.
 */
final class PanelRows {
  private final List<String> labels = new ArrayList<>();
  private final List<List<Double>> values = new ArrayList<>();
  private final List<List<String>> rows = new ArrayList<>();

  /** For a chart of {@code series} series. */
  PanelRows(int series) {
    for (int i = 0; i < series; i++) {
      values.add(new ArrayList<>());
    }
  }

  /** A category of a one-series chart. */
  void add(String label, Double value, List<String> row) {
    labels.add(label);
    values.get(0).add(value);
    rows.add(row);
  }

  /** A category of a two-series chart. */
  void add(String label, Double first, Double second, List<String> row) {
    add(label, first, row);
    values.get(1).add(second);
  }

  /** A category with one value per series, in series order. */
  void add(String label, List<Double> perSeries, List<String> row) {
    labels.add(label);
    for (int i = 0; i < values.size(); i++) {
      values.get(i).add(perSeries.get(i));
    }
    rows.add(row);
  }

  /** A table row that is no chart category (e.g. a total). */
  void row(List<String> row) {
    rows.add(row);
  }

  List<String> labels() {
    return labels;
  }

  List<Double> values(int series) {
    return values.get(series);
  }

  List<List<String>> rows() {
    return rows;
  }
}
