package org.pophealth.dashboard;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pophealth.io.CsvLines;

/**
 * Performance-rate targets per measure and group, from {@code measures/dashboard/targets.csv}
 * (columns measure, group_index, target; {@code *} matches any measure or group; lines starting with #
 * are comments). Lookup order: measure+group, measure+*, *+*.
 */
public final class DashboardTargets {
  public static final String RESOURCE = "measures/dashboard/targets.csv";
  private final Map<String, Double> targets;

  private DashboardTargets(Map<String, Double> targets) {
    this.targets = Map.copyOf(targets);
  }

  /** The packaged targets. */
  public static DashboardTargets packaged() {
    InputStream in = DashboardTargets.class.getClassLoader().getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException("missing classpath resource " + RESOURCE);
    }
    return parse(in, RESOURCE);
  }

  /** Targets from a CSV file of the same layout. */
  public static DashboardTargets file(Path csv) {
    try {
      return parse(Files.newInputStream(csv), csv.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read dashboard targets " + csv + ": " + e.getMessage(), e);
    }
  }

  public static DashboardTargets of(Map<String, Double> targets) {
    return new DashboardTargets(targets);
  }

  private static DashboardTargets parse(InputStream in, String name) {
    Map<String, Double> m = new HashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      boolean header = true;
      int n = 0;
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        n++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        if (header) {
          header = false;
          continue;
        }
        List<String> f = CsvLines.split(line);
        try {
          double t = Double.parseDouble(f.get(2).trim());
          if (t < 0 || t > 1) {
            throw new IllegalArgumentException("a target is a rate between 0 and 1");
          }
          m.put(f.get(0).trim() + "|" + f.get(1).trim(), t);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(name + " line " + n + ": expected measure,group_index,target (0..1): "
              + e.getMessage(), e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
