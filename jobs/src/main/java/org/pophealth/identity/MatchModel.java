package org.pophealth.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.List;

/**
 * A Fellegi–Sunter model: per field and level, m = P(level | same person) and u = P(level | different
 * people), plus the prior λ = P(same person) among compared pairs. A pair's match weight is
 * log2(λ/(1-λ)) + Σ log2(m/u) over fields whose values are both present (missing = neutral, 0);
 * for fields with term-frequency adjustment, the exact level's u is the frequency of the shared value.
 */
public final class MatchModel implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final double FLOOR = 1e-6;

  private final PersonField[] fields;
  private final double[][] m;
  private final double[][] u;
  private final double lambda;
  private final boolean[] termFrequency;

  /** A model with each field's default term-frequency adjustment ({@link PersonField#termFrequency()}). */
  public MatchModel(List<PersonField> fields, double[][] m, double[][] u, double lambda) {
    this(fields, m, u, lambda, PersonField.defaultTermFrequencyFields());
  }

  /** @param termFrequencyFields the fields whose exact level's u is the shared value's frequency */
  public MatchModel(List<PersonField> fields, double[][] m, double[][] u, double lambda,
      java.util.Set<PersonField> termFrequencyFields) {
    this.fields = fields.toArray(new PersonField[0]);
    this.m = m;
    this.u = u;
    this.lambda = lambda;
    this.termFrequency = new boolean[this.fields.length];
    for (int i = 0; i < this.fields.length; i++) {
      termFrequency[i] = termFrequencyFields.contains(this.fields[i]);
    }
  }

  public List<PersonField> fields() {
    return List.of(fields);
  }

  public double[][] m() {
    return m;
  }

  public double[][] u() {
    return u;
  }

  public double lambda() {
    return lambda;
  }

  public MatchModel withLambda(double l) {
    return new MatchModel(List.of(fields), m, u, l, termFrequencyFields());
  }

  public MatchModel withM(double[][] newM) {
    return new MatchModel(List.of(fields), newM, u, lambda, termFrequencyFields());
  }

  public MatchModel withTermFrequency(java.util.Set<PersonField> tfFields) {
    return new MatchModel(List.of(fields), m, u, lambda, tfFields);
  }

  /** The fields whose exact level's u is the shared value's frequency. */
  public java.util.Set<PersonField> termFrequencyFields() {
    java.util.Set<PersonField> out = java.util.EnumSet.noneOf(PersonField.class);
    for (int i = 0; i < fields.length; i++) {
      if (termFrequency[i]) {
        out.add(fields[i]);
      }
    }
    return out;
  }

  /** Per-field log2 Bayes factors; {@code tf[i]} > 0 is the shared value's frequency at an exact level. */
  public double[] fieldWeights(int[] gammas, double[] tf) {
    double[] w = new double[fields.length];
    for (int i = 0; i < fields.length; i++) {
      int g = gammas[i];
      if (g < 0) {
        continue;
      }
      double uu = u[i][g];
      if (termFrequency[i] && g == fields[i].levelCount() - 1 && tf != null && tf[i] > 0) {
        uu = tf[i];
      }
      w[i] = log2(Math.max(m[i][g], FLOOR) / Math.max(uu, FLOOR));
    }
    return w;
  }

  public double priorWeight() {
    return log2(lambda / (1 - lambda));
  }

  public static double probability(double weight) {
    double b = Math.pow(2, weight);
    return Double.isInfinite(b) ? 1.0 : b / (1 + b);
  }

  static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  /** The parameters as JSON (saved per run in ops.identity_model). */
  public String toJson() {
    ObjectMapper om = new ObjectMapper();
    ObjectNode root = om.createObjectNode();
    root.put("lambda", lambda);
    ArrayNode fs = root.putArray("fields");
    for (int i = 0; i < fields.length; i++) {
      ObjectNode f = fs.addObject();
      f.put("field", fields[i].column());
      f.put("term_frequency", termFrequency[i]);
      ArrayNode levels = f.putArray("levels");
      for (int g = 0; g < fields[i].levelCount(); g++) {
        ObjectNode l = levels.addObject();
        l.put("level", fields[i].levels().get(g));
        l.put("m", m[i][g]);
        l.put("u", u[i][g]);
        l.put("weight", log2(Math.max(m[i][g], FLOOR) / Math.max(u[i][g], FLOOR)));
      }
    }
    return root.toString();
  }

  /**
   * The model {@link #toJson()} wrote (a stored run's model, reused by incremental runs). Fields are read in
   * their stored order; a field whose levels differ from today's {@link PersonField} levels is an error (the
   * comparison changed: estimate a new model with {@code --retrain}).
   */
  public static MatchModel fromJson(String json) {
    try {
      com.fasterxml.jackson.databind.JsonNode root = new ObjectMapper().readTree(json);
      List<PersonField> fs = new java.util.ArrayList<>();
      java.util.Set<PersonField> tf = java.util.EnumSet.noneOf(PersonField.class);
      com.fasterxml.jackson.databind.JsonNode fields = root.path("fields");
      double[][] m = new double[fields.size()][];
      double[][] u = new double[fields.size()][];
      for (int i = 0; i < fields.size(); i++) {
        com.fasterxml.jackson.databind.JsonNode f = fields.get(i);
        PersonField pf = PersonField.of(f.path("field").asText());
        com.fasterxml.jackson.databind.JsonNode levels = f.path("levels");
        if (levels.size() != pf.levelCount()) {
          throw new IllegalArgumentException("stored model field " + pf.column() + " has " + levels.size()
              + " levels, the comparison now has " + pf.levelCount() + ": estimate a new model (--retrain)");
        }
        fs.add(pf);
        if (f.path("term_frequency").asBoolean(pf.termFrequency())) {
          tf.add(pf);
        }
        m[i] = new double[levels.size()];
        u[i] = new double[levels.size()];
        for (int g = 0; g < levels.size(); g++) {
          m[i][g] = levels.get(g).path("m").asDouble();
          u[i][g] = levels.get(g).path("u").asDouble();
        }
      }
      return new MatchModel(fs, m, u, root.path("lambda").asDouble(), tf);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("stored identity model is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
