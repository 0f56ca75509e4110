package org.pophealth.risk;

import java.io.Serializable;
import java.util.List;

/**
 * A person's score under one model (V24, V28) or the payment-year blend ({@code BLEND}).
 *
 * @param raw sum of the factors' coefficients (for BLEND: the weighted sum of the models' raw scores)
 * @param normalized raw / normalisation factor, rounded to 3 decimals (BLEND: weighted sum of those)
 * @param payment normalized x (1 - MA coding-pattern adjustment), rounded to 3 decimals
 * @param hccs payment HCCs after hierarchies, ascending
 */
public record ModelScore(
    String model, String segment, double raw, double normalized, double payment, List<Integer> hccs,
    List<Factor> factors)
    implements Serializable {}
