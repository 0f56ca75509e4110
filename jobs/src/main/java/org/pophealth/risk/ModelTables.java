package org.pophealth.risk;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything one CMS-HCC model (V24 or V28) needs for one payment year, loaded from
 * {@code measures/risk/} by {@link RiskReference}: ICD-10 → CC, age/sex edits, hierarchies,
 * coefficients by {@code <SEGMENT>_<VARIABLE>}, interaction groups and terms, labels.
 * Demographic cells are derived from the coefficient names themselves (e.g. {@code CNA_F70_74},
 * {@code NE_MCAID_NORIGDIS_NEM66}), so a new table release with other age bands needs no code change.
 */
public final class ModelTables implements Serializable {
  private static final Pattern CELL = Pattern.compile("([A-Z_]*?)([FM])(\\d+)(?:_(\\d+|GT))?");

  /** One demographic cell: ages lo..hi inclusive. */
  record Cell(int lo, int hi, String variable) implements Serializable {}

  /** An age/sex edit of {@code ra_dx_edits.csv}: when it applies, the code gives no CC or {@code ccOverride}. */
  record DxEdit(Character sex, Integer ageMin, Integer ageMax, boolean invalid, Integer ccOverride)
      implements Serializable {
    boolean applies(char memberSex, int age) {
      return (sex == null || sex == memberSex) && (ageMin == null || age >= ageMin)
          && (ageMax == null || age <= ageMax);
    }
  }

  final String model;
  final Map<String, int[]> dxToCc;
  final Map<String, List<DxEdit>> edits;
  final Map<Integer, int[]> children;
  final Map<String, Double> coefficients;
  final Set<Integer> paymentHccs;
  final Map<String, int[]> groups;
  final Map<String, String[]> terms;
  final Map<Integer, String> labels;
  /** segment + "|" + cell prefix + sex → cells, e.g. "CNA|F", "NE|MCAID_ORIGDIS_NEF". */
  final Map<String, List<Cell>> cells = new HashMap<>();

  ModelTables(String model, Map<String, int[]> dxToCc, Map<String, List<DxEdit>> edits,
      Map<Integer, int[]> children, Map<String, Double> coefficients, Set<Integer> paymentHccs,
      Map<String, int[]> groups, Map<String, String[]> terms, Map<Integer, String> labels) {
    this.model = model;
    this.dxToCc = dxToCc;
    this.edits = edits;
    this.children = children;
    this.coefficients = coefficients;
    this.paymentHccs = paymentHccs;
    this.groups = groups;
    this.terms = terms;
    this.labels = labels;
    for (String name : coefficients.keySet()) {
      int us = name.indexOf('_');
      String segment = name.substring(0, us);
      Matcher m = CELL.matcher(name.substring(us + 1));
      if (!m.matches()) {
        continue;
      }
      int lo = Integer.parseInt(m.group(3));
      int hi = m.group(4) == null ? lo : m.group(4).equals("GT") ? Integer.MAX_VALUE : Integer.parseInt(m.group(4));
      cells.computeIfAbsent(segment + "|" + m.group(1) + m.group(2), k -> new ArrayList<>()).add(new Cell(lo, hi, name));
    }
  }

  public String model() {
    return model;
  }

  /** Relative factor of {@code <segment>_<variable>}, null when the table has none. */
  Double coefficient(String segment, String variable) {
    return coefficients.get(segment + "_" + variable);
  }

  /** The demographic variable of the cell holding {@code age}, null when none does. */
  String cell(String segment, String prefix, char sex, int age) {
    List<Cell> list = cells.get(segment + "|" + prefix + sex);
    if (list != null) {
      for (Cell c : list) {
        if (age >= c.lo() && age <= c.hi()) {
          return c.variable();
        }
      }
    }
    return null;
  }

  public String label(int hcc) {
    return labels.get(hcc);
  }
}
