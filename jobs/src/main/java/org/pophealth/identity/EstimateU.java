package org.pophealth.identity;

import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * u probabilities from random pairs: a seeded sample of records is brought to the driver and
 * {@code u_random_pairs} random pairs of it are compared (different sources only when linking).
 * Nearly all random pairs are different people, so level frequencies estimate u. Add-one smoothing
 * keeps every level possible.
 */
public final class EstimateU {
  private final LinkageSettings settings;
  private final List<PersonField> fields;
  private final ReferenceLists lists;

  public EstimateU(LinkageSettings settings, List<PersonField> fields, ReferenceLists lists) {
    this.settings = settings;
    this.fields = fields;
    this.lists = lists;
  }

  public record Result(double[][] u, long pairs, int sampleRecords) {}

  public Result execute(Dataset<Row> records, long recordCount) {
    double fraction = Math.min(1.0, 1.2 * settings.uSampleRecords() / Math.max(1.0, recordCount));
    Dataset<Row> sample = records.sample(false, fraction, settings.seed()).limit(settings.uSampleRecords());
    GeneratePairs.Layout layout = new GeneratePairs.Layout(records.schema(), fields, settings.blockingRules().size());
    List<Row> rows = sample.collectAsList();
    int n = rows.size();
    String[][] values = new String[n][];
    String[] sources = new String[n];
    for (int k = 0; k < n; k++) {
      Row r = rows.get(k);
      sources[k] = r.getString(layout.source);
      values[k] = new String[fields.size()];
      for (int f = 0; f < fields.size(); f++) {
        values[k][f] = r.getString(layout.values[f]);
      }
    }
    long[][] counts = new long[fields.size()][];
    for (int f = 0; f < fields.size(); f++) {
      counts[f] = new long[fields.get(f).levelCount()];
    }
    CompareRecords compare = new CompareRecords(fields, lists);
    Random random = new Random(settings.seed());
    long done = 0;
    long attempts = 0;
    if (n >= 2) {
      while (done < settings.uRandomPairs() && attempts < settings.uRandomPairs() * 20) {
        attempts++;
        int a = random.nextInt(n);
        int b = random.nextInt(n);
        boolean same = sources[a].equals(sources[b]);
        if (a == b || (settings.linkOnly() && same)) {
          continue;
        }
        int[] g = compare.compare(values[a], values[b], same);
        for (int f = 0; f < g.length; f++) {
          if (g[f] >= 0) {
            counts[f][g[f]]++;
          }
        }
        done++;
      }
    }
    double[][] u = new double[fields.size()][];
    for (int f = 0; f < fields.size(); f++) {
      long total = 0;
      for (long c : counts[f]) {
        total += c;
      }
      u[f] = new double[counts[f].length];
      for (int g = 0; g < u[f].length; g++) {
        u[f][g] = (counts[f][g] + 1.0) / (total + u[f].length);
      }
    }
    return new Result(u, done, n);
  }
}
