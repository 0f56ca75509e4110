package org.pophealth.identity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Expectation–maximisation of the m probabilities without labels, on comparison-pattern counts of
 * blocked pairs, with u fixed (estimated from random pairs). Each training blocking rule gives one
 * round in which the fields used by the rule are left out (they agree by construction); a field's m
 * is the mean over the rounds that estimated it. Then the share of matches among the blocked pairs is
 * estimated by EM, and λ, the probability that two records drawn at random are the same person, is that
 * share times the blocked share of all possible pairs. λ is the prior of every pair's weight: taking the
 * share among blocked pairs instead would count the agreement on the blocking key twice, and the
 * probabilities would depend on how selective the blocking rules happen to be.
 */
public final class EstimateModel {
  private final List<PersonField> fields;
  private final int iterations;

  public EstimateModel(List<PersonField> fields, int iterations) {
    this.fields = fields;
    this.iterations = iterations;
  }

  /** One pattern of comparison levels and how many pairs have it. */
  public record Pattern(int[] gammas, long count) {}

  /** A training round: the patterns of one rule's pairs and which fields that rule uses. */
  public record Round(List<Pattern> patterns, boolean[] excluded) {}

  public record Result(MatchModel model, List<double[][]> roundM, List<Integer> roundIterations) {}

  /**
   * @param blockedShare compared pairs divided by all possible pairs (of the records, or across sources
   *     when only linking)
   */
  public Result execute(double[][] u, List<Round> rounds, List<Pattern> allPairs, double blockedShare) {
    int n = fields.size();
    double[][] sum = new double[n][];
    int[] estimates = new int[n];
    for (int i = 0; i < n; i++) {
      sum[i] = new double[fields.get(i).levelCount()];
    }
    List<double[][]> roundM = new ArrayList<>();
    List<Integer> roundIters = new ArrayList<>();
    for (Round r : rounds) {
      double[][] m = initialM();
      double[] lambda = {0.01};
      int it = em(m, u, lambda, r.patterns(), r.excluded(), true);
      roundM.add(m);
      roundIters.add(it);
      for (int i = 0; i < n; i++) {
        if (!r.excluded()[i] && !r.patterns().isEmpty()) {
          for (int g = 0; g < m[i].length; g++) {
            sum[i][g] += m[i][g];
          }
          estimates[i]++;
        }
      }
    }
    double[][] m = initialM();
    for (int i = 0; i < n; i++) {
      if (estimates[i] > 0) {
        for (int g = 0; g < m[i].length; g++) {
          m[i][g] = sum[i][g] / estimates[i];
        }
      }
    }
    double[] lambda = {0.01};
    em(m, u, lambda, allPairs, new boolean[n], false);
    double prior = Math.min(Math.max(lambda[0] * Math.min(blockedShare, 1.0), 1e-12), 1 - 1e-9);
    return new Result(new MatchModel(fields, m, u, prior), roundM, roundIters);
  }

  /** Prior m before training: most mass on the best level. */
  double[][] initialM() {
    double[][] m = new double[fields.size()][];
    for (int i = 0; i < m.length; i++) {
      int k = fields.get(i).levelCount();
      m[i] = new double[k];
      m[i][k - 1] = 0.9;
      for (int g = 0; g < k - 1; g++) {
        m[i][g] = 0.1 / (k - 1);
      }
    }
    return m;
  }

  /** Runs EM in place; updates m (when {@code updateM}) and λ. Returns iterations run. */
  int em(double[][] m, double[][] u, double[] lambda, List<Pattern> patterns, boolean[] excluded, boolean updateM) {
    int n = fields.size();
    int it = 0;
    for (; it < iterations; it++) {
      double[][] num = new double[n][];
      double[] den = new double[n];
      for (int i = 0; i < n; i++) {
        num[i] = new double[m[i].length];
      }
      double matchMass = 0;
      double total = 0;
      for (Pattern p : patterns) {
        double lm = Math.log(lambda[0]);
        double lu = Math.log(1 - lambda[0]);
        for (int i = 0; i < n; i++) {
          int g = p.gammas()[i];
          if (g < 0 || excluded[i]) {
            continue;
          }
          lm += Math.log(Math.max(m[i][g], 1e-9));
          lu += Math.log(Math.max(u[i][g], 1e-9));
        }
        double post = 1.0 / (1.0 + Math.exp(lu - lm));
        double w = post * p.count();
        matchMass += w;
        total += p.count();
        for (int i = 0; i < n; i++) {
          int g = p.gammas()[i];
          if (g < 0 || excluded[i]) {
            continue;
          }
          num[i][g] += w;
          den[i] += w;
        }
      }
      if (total == 0) {
        return it;
      }
      double newLambda = Math.min(Math.max(matchMass / total, 1e-9), 1 - 1e-9);
      double change = Math.abs(newLambda - lambda[0]);
      lambda[0] = newLambda;
      if (updateM) {
        for (int i = 0; i < n; i++) {
          if (excluded[i] || den[i] <= 0) {
            continue;
          }
          for (int g = 0; g < m[i].length; g++) {
            // a tiny pseudo-count keeps unseen levels possible
            double v = (num[i][g] + 1e-3) / (den[i] + 1e-3 * m[i].length);
            change = Math.max(change, Math.abs(v - m[i][g]));
            m[i][g] = v;
          }
        }
      }
      if (change < 1e-6) {
        return it + 1;
      }
    }
    return it;
  }

  /** Pattern list from a map of pattern counts (as Spark collects them). */
  public static List<Pattern> patterns(Map<List<Integer>, Long> counts) {
    List<Pattern> out = new ArrayList<>();
    counts.forEach((k, v) -> out.add(new Pattern(k.stream().mapToInt(Integer::intValue).toArray(), v)));
    return out;
  }
}
