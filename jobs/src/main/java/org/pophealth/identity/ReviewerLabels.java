package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Reviewers' decisions used as labels. A must-link is a labelled match, a cannot-link a labelled non-match.
 * From them:
 * <ul>
 *   <li>a precision/recall curve by match threshold: precision = must-links at or above the threshold / decided
 *       pairs at or above it; recall = must-links at or above it / all must-links. A decided pair the model did not
 *       score at or above the review threshold (not in gold.identity_pair) is below every threshold;
 *   <li>m estimated from the labelled matches: per field, the share of must-link pairs at each comparison level
 *       (pairs with the field missing left out; add-one smoothing), beside the model's m from EM.
 * </ul>
 * Figures from a handful of decisions are noisy; the report gives the counts they rest on.
 */
public final class ReviewerLabels {
  public static final double[] THRESHOLDS = {0.5, 0.8, 0.9, 0.95, 0.99, 0.999};

  private ReviewerLabels() {}

  /** One decided pair: the decision, the model's probability (null when not scored) and each field's level. */
  public record Labelled(String decision, Double probability, Map<String, String> levels) {}

  public record Point(double threshold, long decided, long mustLinks, Double precision, Double recall) {}

  /** Per field and level: must-link pairs at that level, the labelled m and the model's m. */
  public record FieldLevel(String field, String level, long pairs, double labelledM, double modelM) {}

  public record Report(long mustLinks, long cannotLinks, List<Point> curve, List<FieldLevel> m) {
    public String toJson() {
      ObjectMapper om = new ObjectMapper();
      ObjectNode o = om.createObjectNode();
      o.put("must_links", mustLinks).put("cannot_links", cannotLinks);
      ArrayNode c = o.putArray("curve");
      for (Point p : curve) {
        ObjectNode n = c.addObject().put("threshold", p.threshold()).put("decided", p.decided())
            .put("must_links", p.mustLinks());
        if (p.precision() != null) {
          n.put("precision", p.precision());
        }
        if (p.recall() != null) {
          n.put("recall", p.recall());
        }
      }
      ArrayNode ms = o.putArray("m");
      for (FieldLevel f : m) {
        ms.addObject().put("field", f.field()).put("level", f.level()).put("pairs", f.pairs())
            .put("labelled_m", f.labelledM()).put("model_m", f.modelM());
      }
      return o.toString();
    }
  }

  /** The report of labelled pairs (pure: no Spark). */
  public static Report of(List<Labelled> labelled, MatchModel model, double[] thresholds) {
    long must = labelled.stream().filter(l -> l.decision().equals("must-link")).count();
    long cannot = labelled.size() - must;
    List<Point> curve = new ArrayList<>();
    for (double t : thresholds) {
      long decided = labelled.stream().filter(l -> l.probability() != null && l.probability() >= t).count();
      long hits = labelled.stream().filter(l -> l.decision().equals("must-link") && l.probability() != null
          && l.probability() >= t).count();
      curve.add(new Point(t, decided, hits, decided == 0 ? null : hits / (double) decided,
          must == 0 ? null : hits / (double) must));
    }
    List<FieldLevel> m = new ArrayList<>();
    List<PersonField> fields = model.fields();
    for (int i = 0; i < fields.size(); i++) {
      PersonField f = fields.get(i);
      Map<String, Long> counts = new LinkedHashMap<>();
      f.levels().forEach(l -> counts.put(l, 0L));
      long total = 0;
      for (Labelled l : labelled) {
        String level = l.levels() == null ? null : l.levels().get(f.column());
        if (!l.decision().equals("must-link") || level == null || !counts.containsKey(level)) {
          continue;
        }
        counts.merge(level, 1L, Long::sum);
        total++;
      }
      if (total == 0) {
        continue;
      }
      int g = 0;
      for (Map.Entry<String, Long> e : counts.entrySet()) {
        m.add(new FieldLevel(f.column(), e.getKey(), e.getValue(), (e.getValue() + 1.0) / (total + counts.size()),
            model.m()[i][g]));
        g++;
      }
    }
    return new Report(must, cannot, curve, m);
  }

  /** The labelled pairs: gold.identity_decision with their gold.identity_pair probability and levels (either order). */
  public static List<Labelled> read(Dataset<Row> decisions, Dataset<Row> pairs) {
    Dataset<Row> p = pairs.select(col("source_a"), col("record_id_a"), col("source_b"), col("record_id_b"),
        col("match_probability"), col("levels"));
    Dataset<Row> swapped = p.select(col("source_b").as("source_a"), col("record_id_b").as("record_id_a"),
        col("source_a").as("source_b"), col("record_id_a").as("record_id_b"), col("match_probability"), col("levels"));
    Dataset<Row> both = p.unionByName(swapped);
    List<Labelled> out = new ArrayList<>();
    for (Row r : decisions.select("source_a", "record_id_a", "source_b", "record_id_b", "decision")
        .join(both, new String[] {"source_a", "record_id_a", "source_b", "record_id_b"}, "left")
        .select(col("decision"), col("match_probability"), col("levels"))
        .orderBy(functions.col("decision")).collectAsList()) {
      out.add(new Labelled(r.getString(0), r.isNullAt(1) ? null : r.getDouble(1),
          r.isNullAt(2) ? null : r.getJavaMap(2)));
    }
    return out;
  }
}
