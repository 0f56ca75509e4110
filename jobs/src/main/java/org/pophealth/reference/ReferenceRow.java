package org.pophealth.reference;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * One data line of a {@link ReferenceTable}: its line number and its values, already checked against the
 * declaration (a typed getter never fails on data). Values of undeclared or absent columns read as empty.
 */
public final class ReferenceRow {
  /** What the rows of one table share: the file as errors name it, header positions, declared columns. */
  record Layout(String file, Map<String, Integer> index, Map<String, Column> columns) {}

  private final Layout layout;
  private final int line;
  private final String[] fields;
  private final Object[] values;

  ReferenceRow(Layout layout, int line, String[] fields, Object[] values) {
    this.layout = layout;
    this.line = line;
    this.fields = fields;
    this.values = values;
  }

  /** The file as errors name it (its measures/ path or the override path). */
  public String file() {
    return layout.file();
  }

  /** Line number in the file, counting comment and blank lines (1 = the first line). */
  public int line() {
    return line;
  }

  /** The field as written (not trimmed); "" when the file has no such column. */
  public String raw(String column) {
    Integer i = layout.index().get(column);
    return i == null ? "" : fields[i];
  }

  /** The field trimmed; "" when empty or absent. Non-empty for a {@code required} column. */
  public String text(String column) {
    return raw(column).trim();
  }

  /** An {@code int} column's value; null when empty. */
  public Integer integer(String column) {
    return (Integer) value(column, ColumnType.INT);
  }

  /** A {@code double} column's value; null when empty. */
  public Double decimal(String column) {
    return (Double) value(column, ColumnType.DOUBLE);
  }

  /** A {@code boolean} column's value; null when empty. */
  public Boolean bool(String column) {
    return (Boolean) value(column, ColumnType.BOOLEAN);
  }

  /** A {@code date} column's value; null when empty. */
  public LocalDate date(String column) {
    return (LocalDate) value(column, ColumnType.DATE);
  }

  /** The text split at {@code separator} (a literal), each part trimmed, empty parts left out. */
  public List<String> list(String column, String separator) {
    return java.util.Arrays.stream(text(column).split(java.util.regex.Pattern.quote(separator)))
        .map(String::trim).filter(part -> !part.isEmpty()).toList();
  }

  /** An error about this line: {@code <file> line <n>: <message>}, for the reader's own checks. */
  public IllegalArgumentException error(String message) {
    return new IllegalArgumentException(file() + " line " + line + ": " + message);
  }

  private Object value(String column, ColumnType type) {
    Column c = layout.columns().get(column);
    if (c == null || c.type() != type) {
      throw new IllegalStateException(file() + ": column " + column + " is declared "
          + (c == null ? "nowhere" : c.type().declared()) + ", read as " + type.declared());
    }
    Integer i = layout.index().get(column);
    return i == null ? null : values[i];
  }
}
