package org.pophealth.risk;

import java.io.Serializable;
import java.util.List;

/**
 * One term of a risk score: the coefficient-table variable (e.g. {@code CNA_HCC19}), its relative
 * factor, and for disease terms the HCC with the diagnosis codes and events/claims it came from.
 *
 * @param kind demographic, originally_disabled, medicaid, hcc, interaction, disabled_interaction, count
 */
public record Factor(
    String variable, String kind, double coefficient, Integer hcc, List<String> dxCodes, List<String> eventIds,
    List<String> claimIds)
    implements Serializable {}
