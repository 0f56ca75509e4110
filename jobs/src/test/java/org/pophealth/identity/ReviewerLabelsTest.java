package org.pophealth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reviewer decisions as labels, on a hand-made set of decided pairs (no Spark). */
class ReviewerLabelsTest {
  private static MatchModel model() {
    // one field, sex: m = (0.1, 0.9)
    return new MatchModel(List.of(PersonField.SEX), new double[][] {{0.1, 0.9}}, new double[][] {{0.5, 0.5}}, 0.01);
  }

  @Test
  void curveFromDecisions() {
    List<ReviewerLabels.Labelled> l = List.of(
        new ReviewerLabels.Labelled("must-link", 0.999, Map.of("sex", "exact")),
        new ReviewerLabels.Labelled("must-link", 0.95, Map.of("sex", "exact")),
        new ReviewerLabels.Labelled("must-link", null, Map.of()),            // never scored: below every threshold
        new ReviewerLabels.Labelled("cannot-link", 0.995, Map.of("sex", "else")),
        new ReviewerLabels.Labelled("cannot-link", 0.6, Map.of("sex", "exact")));
    ReviewerLabels.Report r = ReviewerLabels.of(l, model(), new double[] {0.5, 0.9, 0.99});
    assertEquals(3, r.mustLinks());
    assertEquals(2, r.cannotLinks());
    // at 0.5: 4 decided pairs scored at or above, 2 must-links: precision 2/4, recall 2/3
    assertEquals(new ReviewerLabels.Point(0.5, 4, 2, 0.5, 2 / 3.0), r.curve().get(0));
    // at 0.9: 0.999, 0.95, 0.995: precision 2/3, recall 2/3
    assertEquals(new ReviewerLabels.Point(0.9, 3, 2, 2 / 3.0, 2 / 3.0), r.curve().get(1));
    // at 0.99: 0.999 and 0.995: precision 1/2, recall 1/3
    assertEquals(new ReviewerLabels.Point(0.99, 2, 1, 0.5, 1 / 3.0), r.curve().get(2));
    // m of sex from the two must-links with a level (both exact), add-one smoothing: else 1/4, exact 3/4
    assertEquals(List.of(new ReviewerLabels.FieldLevel("sex", "else", 0, 0.25, 0.1),
        new ReviewerLabels.FieldLevel("sex", "exact", 2, 0.75, 0.9)), r.m());
  }

  @Test
  void noPairAtAThreshold() {
    ReviewerLabels.Report r = ReviewerLabels.of(List.of(new ReviewerLabels.Labelled("cannot-link", 0.7, Map.of())),
        model(), new double[] {0.9});
    assertNull(r.curve().get(0).precision(), "no decided pair at or above 0.9: no precision");
    assertNull(r.curve().get(0).recall(), "no must-link: no recall");
    assertEquals(List.of(), r.m());
  }
}
