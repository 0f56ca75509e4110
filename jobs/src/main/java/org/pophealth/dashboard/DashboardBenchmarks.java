package org.pophealth.dashboard;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;

/**
 * CMS's national benchmark deciles per measure and performance year, from {@code measures/dashboard/benchmarks/}
 * or a directory of the same layout ({@code dashboard --benchmarks DIR}): one {@code <performance year>.csv}
 * per year, read through {@link ReferenceData} against the folder's {@code YYYY.csv} declaration. Each row
 * names the CMS id, the QPP measure, the rate group compared, the deciles p1..p99 and the average, in percent.
 */
public final class DashboardBenchmarks {
  private static final String FOLDER = "dashboard/benchmarks";

  /** A measure's benchmark of one performance year; {@code percentiles} p1, p10 … p90, p99 in percent. */
  record Benchmark(String cmsId, String qppMeasureId, int group, int performanceYear, int benchmarkYear,
      boolean inverse, boolean toppedOut, double[] percentiles, Double average) {}

  /** The benchmark used for a measure in {@code year}: of that year, else of the nearest year that has one. */
  record Match(Benchmark benchmark, int year) {
    boolean nearest() {
      return benchmark.performanceYear() != year;
    }
  }

  /** Benchmarks by CMS id, then performance year. */
  private final Map<String, TreeMap<Integer, Benchmark>> byMeasure;
  private final String location;

  private DashboardBenchmarks(List<Benchmark> benchmarks, String location) {
    Map<String, TreeMap<Integer, Benchmark>> m = new HashMap<>();
    for (Benchmark b : benchmarks) {
      m.computeIfAbsent(b.cmsId(), k -> new TreeMap<>()).put(b.performanceYear(), b);
    }
    this.byMeasure = m;
    this.location = location;
  }

  /** The packaged benchmarks. */
  public static DashboardBenchmarks packaged() {
    return read(ReferenceData.packaged(FOLDER));
  }

  /** The benchmarks of a directory of {@code <performance year>.csv} files (none packaged). */
  public static DashboardBenchmarks directory(Path dir) {
    return read(ReferenceData.packaged(FOLDER).replacedBy(dir.toString(), "benchmarks"));
  }

  static DashboardBenchmarks of(List<Benchmark> benchmarks) {
    return new DashboardBenchmarks(benchmarks, "(given)");
  }

  /** Where the benchmarks were read from, for the page's note. */
  String location() {
    return location;
  }

  private static DashboardBenchmarks read(ReferenceData folder) {
    List<Benchmark> all = new ArrayList<>();
    for (String file : folder.list(".csv")) {
      if (!file.matches("\\d{4}\\.csv")) {
        throw new IllegalArgumentException(folder.where(file) + ": a benchmark file is named <performance year>.csv,"
            + " e.g. 2026.csv");
      }
      int year = Integer.parseInt(file.substring(0, 4));
      Map<String, Integer> seen = new HashMap<>();
      for (ReferenceRow r : folder.table(file).rows()) {
        Benchmark b = benchmark(r);
        if (b.performanceYear() != year) {
          throw r.error("performance_year " + b.performanceYear() + " in the file of " + year);
        }
        if (seen.put(b.cmsId(), r.line()) != null) {
          throw r.error(b.cmsId() + " is listed twice (line " + seen.get(b.cmsId()) + ")");
        }
        all.add(b);
      }
    }
    return new DashboardBenchmarks(all, folder.location());
  }

  private static Benchmark benchmark(ReferenceRow r) {
    double[] p = new double[BenchmarkPosition.LABELS.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = r.decimal(BenchmarkPosition.LABELS.get(i));
      if (p[i] < 0 || p[i] > 100 || i > 0 && p[i] < p[i - 1]) {
        throw r.error("percentiles p1..p99 are rates in percent (0..100), each at least the one before it");
      }
    }
    if (r.integer("group_index") < 1) {
      throw r.error("group_index is the 1-based rate group compared");
    }
    return new Benchmark(r.text("cms_id"), r.text("qpp_measure_id"), r.integer("group_index"),
        r.integer("performance_year"), r.integer("benchmark_year"), r.bool("inverse"), r.bool("topped_out"), p,
        r.decimal("average"));
  }

  /**
   * The benchmark of a measure (CMS id such as CMS165; a package's suffix FHIR is ignored) for {@code year}:
   * that year's, else the nearest year's (the later of two as near); null when no year has the measure.
   */
  Match find(String cmsId, int year) {
    TreeMap<Integer, Benchmark> years = byMeasure.get(cmsId.replaceFirst("FHIR$", ""));
    if (years == null) {
      return null;
    }
    Integer below = years.floorKey(year);
    Integer above = years.ceilingKey(year);
    int use = below == null ? above : above == null ? below : year - below < above - year ? below : above;
    return new Match(years.get(use), year);
  }
}
