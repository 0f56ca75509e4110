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
 * Everything one model (CMS-HCC V24 or V28, ESRD V24 dialysis, transplant months or functioning graft) needs for one
 * payment year, loaded from
 * {@code measures/risk/} by {@link RiskReference}: ICD-10 → CC, age/sex edits, CCs that need another CC,
 * hierarchies, coefficients by {@code <SEGMENT>_<VARIABLE>}, interaction groups and terms, labels.
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

  /** Kind of model: CMS-HCC (community, institutional, new enrollee segments). */
  static final String CMS_HCC = "cms-hcc";
  /** Kind of model: ESRD dialysis (segments DI and DNE). */
  static final String ESRD_DIALYSIS = "esrd-dialysis";
  /** Kind of model: ESRD kidney transplant months 1-3 (one flat factor per month). */
  static final String ESRD_TRANSPLANT = "esrd-transplant";
  /** Kind of model: ESRD functioning graft (community, institutional and new enrollee segments plus add-ons). */
  static final String ESRD_GRAFT = "esrd-graft";

  /** Whether a model of {@code kind} scores a member in ESRD status {@code status}. */
  static boolean scores(String kind, Member.EsrdStatus status) {
    return switch (kind) {
      case ESRD_DIALYSIS -> status == Member.EsrdStatus.DIALYSIS;
      case ESRD_TRANSPLANT -> status == Member.EsrdStatus.TRANSPLANT;
      case ESRD_GRAFT -> status == Member.EsrdStatus.GRAFT;
      default -> true;
    };
  }

  /**
   * The ESRD transplant and functioning-graft settings of {@code models.yaml} (empty for other kinds).
   *
   * @param transplantMonths month counted from the transplant (1-3) -> coefficient name
   * @param segments segment role (community_full_dual_aged, ..., institutional, new_enrollee) -> segment prefix
   * @param durations duration label -> {first month, last month}, last {@link Integer#MAX_VALUE} when open
   * @param addOns add-on role (community, institutional, new_enrollee, lti, new_enrollee_divisor) -> prefix
   */
  record Esrd(Map<Integer, String> transplantMonths, Map<String, String> segments, Map<String, int[]> durations,
      Map<String, String> addOns) implements Serializable {
    static final Esrd NONE = new Esrd(Map.of(), Map.of(), Map.of(), Map.of());

    /** The duration label of {@code months} since the transplant, null when none covers it. */
    String duration(int months) {
      for (Map.Entry<String, int[]> e : durations.entrySet()) {
        if (months >= e.getValue()[0] && months <= e.getValue()[1]) {
          return e.getKey();
        }
      }
      return null;
    }

    String segment(String role) {
      String s = segments.get(role);
      if (s == null) {
        throw new IllegalStateException("models.yaml: the functioning graft model names no segment " + role);
      }
      return s;
    }

    String addOn(String role) {
      String s = addOns.get(role);
      if (s == null) {
        throw new IllegalStateException("models.yaml: the functioning graft model names no add-on " + role);
      }
      return s;
    }
  }

  Esrd esrd = Esrd.NONE;

  final String model;
  final String kind;
  final Map<String, int[]> dxToCc;
  final Map<String, List<DxEdit>> edits;
  final Map<Integer, int[]> children;
  final Map<String, Double> coefficients;
  final Set<Integer> paymentHccs;
  final Map<String, int[]> groups;
  final Map<String, String[]> terms;
  final Map<Integer, String> labels;
  /** CC → the CCs of which at least one must be present for it to count (before hierarchies). */
  final Map<Integer, int[]> requires;
  /** segment + "|" + cell prefix + sex → cells, e.g. "CNA|F", "NE|MCAID_ORIGDIS_NEF". */
  final Map<String, List<Cell>> cells = new HashMap<>();

  ModelTables(String model, String kind, Map<String, int[]> dxToCc, Map<String, List<DxEdit>> edits,
      Map<Integer, int[]> children, Map<String, Double> coefficients, Set<Integer> paymentHccs,
      Map<String, int[]> groups, Map<String, String[]> terms, Map<Integer, String> labels,
      Map<Integer, int[]> requires) {
    this.model = model;
    this.kind = kind;
    this.dxToCc = dxToCc;
    this.edits = edits;
    this.children = children;
    this.coefficients = coefficients;
    this.paymentHccs = paymentHccs;
    this.groups = groups;
    this.terms = terms;
    this.labels = labels;
    this.requires = requires;
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

  /**
   * Facts about a person an interaction term of {@code interactions.yaml} may require (its factor names), as
   * bits of {@link Term#flags()}; {@link ScoreMember} computes a person's bits once per score.
   */
  enum Flag {
    /** age < 65 and OREC != 0 (CMS DISABL). */
    DISABL,
    /** age < 65. */
    NONAGED,
    /** age >= 65. */
    AGED,
    FEMALE,
    MALE,
    /** OREC 1 and not DISABL (originally disabled). */
    ORIGDS,
    /** OREC 2 or 3 (originally entitled by ESRD). */
    ORIGESRD,
    FULL_DUAL,
    PARTIAL_DUAL,
    /** long-term institutional. */
    LTI;

    int bit() {
      return 1 << ordinal();
    }

    static Flag named(String name) {
      for (Flag f : values()) {
        if (f.name().equals(name)) {
          return f;
        }
      }
      return null;
    }
  }

  /**
   * A coefficient-table term compiled for one segment: its group / HCC factors as HCC sets (each must have one
   * HCC present) and the {@link Flag} bits the person must have. No HCC factor: a demographic factor.
   */
  record Term(String variable, double coefficient, int[][] factors, int flags) implements Serializable {
    String kind() {
      return factors.length == 0 ? "demographic" : flags != 0 ? "disabled_interaction" : "interaction";
    }
  }

  /** Per-segment lookups precomputed from the coefficient names (no string building per person). */
  static final class Segment implements Serializable {
    final double[] hccCoef;
    final String[] hccVar;
    final Term[] terms;
    final String[] countVar = new String[11];
    final double[] countCoef = new double[11];

    Segment(String seg, ModelTables t, int maxHcc) {
      hccCoef = new double[maxHcc + 1];
      hccVar = new String[maxHcc + 1];
      java.util.Arrays.fill(hccCoef, Double.NaN);
      for (int h : t.paymentHccs) {
        Double c = t.coefficients.get(seg + "_HCC" + h);
        if (c != null) {
          hccCoef[h] = c;
          hccVar[h] = seg + "_HCC" + h;
        }
      }
      List<Term> list = new ArrayList<>();
      for (Map.Entry<String, String[]> e : t.terms.entrySet()) {
        Double c = t.coefficients.get(seg + "_" + e.getKey());
        if (c == null) {
          continue;
        }
        List<int[]> f = new ArrayList<>();
        int flags = 0;
        for (String name : e.getValue()) {
          Flag flag = Flag.named(name);
          if (flag != null) {
            flags |= flag.bit();
          } else if (name.startsWith("HCC") && name.length() > 3 && Character.isDigit(name.charAt(3))) {
            f.add(new int[] {Integer.parseInt(name.substring(3))});
          } else {
            f.add(java.util.Objects.requireNonNull(t.groups.get(name),
                "interactions.yaml " + t.model + " term " + e.getKey() + ": unknown group or person fact " + name));
          }
        }
        list.add(new Term(seg + "_" + e.getKey(), c, f.toArray(new int[0][]), flags));
      }
      terms = list.toArray(new Term[0]);
      for (int n = 1; n <= 10; n++) {
        String v = seg + "_D" + (n == 10 ? "10P" : String.valueOf(n));
        Double c = t.coefficients.get(v);
        if (c != null) {
          countVar[n] = v;
          countCoef[n] = c;
        }
      }
    }
  }

  private final Map<String, Segment> segments = new java.util.concurrent.ConcurrentHashMap<>();
  private int maxHcc = -1;

  Segment segment(String seg) {
    Segment s = segments.get(seg);
    if (s == null) {
      if (maxHcc < 0) {
        maxHcc = paymentHccs.stream().mapToInt(Integer::intValue).max().orElse(0);
      }
      s = new Segment(seg, this, maxHcc);
      segments.put(seg, s);
    }
    return s;
  }

  public String model() {
    return model;
  }

  /** {@link #CMS_HCC}, {@link #ESRD_DIALYSIS}, {@link #ESRD_TRANSPLANT} or {@link #ESRD_GRAFT}. */
  public String kind() {
    return kind;
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
