package org.pophealth.io;

/** Error text for one-line messages: the console's {@code error:} line, audit rows, reasons. */
public final class Messages {
  private Messages() {}

  /** The first line of {@code s} ("" for null). */
  public static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int i = s.indexOf('\n');
    return i < 0 ? s : s.substring(0, i);
  }

  /** The first line of an error's message, or its class's simple name when it has none. */
  public static String firstLine(Throwable e) {
    return firstLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
  }

  /** {@code s} cut to {@code max} characters, with an ellipsis when cut. */
  public static String abbreviate(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "…" : s;
  }

  /** A duration in nanoseconds as seconds with one decimal ("12.3"), for step timings in the log. */
  public static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e9);
  }
}
