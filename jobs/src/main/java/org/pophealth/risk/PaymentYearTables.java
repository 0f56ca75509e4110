package org.pophealth.risk;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/**
 * The risk-adjustment data of one payment year: the CMS-HCC models with their blend weight and normalisation
 * factor, the ESRD models (scored for members in ESRD status, outside the blend) with theirs, the MA
 * coding-pattern adjustment, and the risk-adjustment-eligible CPT/HCPCS codes.
 *
 * @param models the CMS-HCC models of the blend (V24, V28)
 * @param esrdModels the ESRD models (ESRD-V24), empty when the year configures none
 * @param normalization normalisation factor of every model, CMS-HCC and ESRD
 * @param codingAdjustment the year's MA coding-pattern adjustment (CMS-HCC models and the blend)
 * @param unadjustedModels ESRD models whose scores the year's {@code payment_years.yaml} exempts from it
 *     ({@code ma_coding_adjustment: false}); empty by default
 */
public record PaymentYearTables(
    int paymentYear, Map<String, ModelTables> models, Map<String, ModelTables> esrdModels, Map<String, Double> weights,
    Map<String, Double> normalization, double codingAdjustment, Set<String> eligibleCptHcpcs,
    Set<String> unadjustedModels)
    implements Serializable {

  /** The MA coding-pattern adjustment applied to {@code model}'s payment score. */
  public double codingAdjustment(String model) {
    return unadjustedModels.contains(model) ? 0.0 : codingAdjustment;
  }

  /** A CMS-HCC or ESRD model of the year; IllegalArgumentException naming the available ones otherwise. */
  public ModelTables model(String name) {
    ModelTables m = models.get(name);
    if (m == null) {
      m = esrdModels.get(name);
    }
    if (m == null) {
      java.util.Set<String> all = new java.util.TreeSet<>(models.keySet());
      all.addAll(esrdModels.keySet());
      throw new IllegalArgumentException("model " + name + " has no tables for payment year " + paymentYear
          + " (available: " + all + "; see measures/risk/payment_years.yaml)");
    }
    return m;
  }
}
