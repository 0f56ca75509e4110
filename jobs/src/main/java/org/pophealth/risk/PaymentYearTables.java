package org.pophealth.risk;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/**
 * The CMS-HCC data of one payment year: the models with their blend weight and normalisation
 * factor, the MA coding-pattern adjustment, and the risk-adjustment-eligible CPT/HCPCS codes.
 */
public record PaymentYearTables(
    int paymentYear, Map<String, ModelTables> models, Map<String, Double> weights,
    Map<String, Double> normalization, double codingAdjustment, Set<String> eligibleCptHcpcs)
    implements Serializable {

  public ModelTables model(String name) {
    ModelTables m = models.get(name);
    if (m == null) {
      throw new IllegalArgumentException("model " + name + " has no tables for payment year " + paymentYear
          + " (available: " + models.keySet() + ")");
    }
    return m;
  }
}
