package org.pophealth.risk;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CMS-HCC scoring core, plain Java (used by the Spark job per partition and by the file scorer):
 * demographics → segment and demographic cell (age on February 1 of the payment year), ICD-10-CM →
 * CC with the age/sex edits, hierarchies, disease and disabled interactions, payment-HCC count,
 * then raw, normalised and payment scores, each factor kept with its coefficient and sources.
 * Diagnosis codes must already be normalised and valid ({@link Icd10}); callers report the others.
 */
public final class ScoreMember {
  public static final String BLEND = "BLEND";
  private final PaymentYearTables tables;

  public ScoreMember(PaymentYearTables tables) {
    this.tables = tables;
  }

  public PaymentYearTables tables() {
    return tables;
  }

  /** Every model of the payment year, then the blend (last). */
  public List<ModelScore> scoreAll(Member m, List<Diagnosis> dx) {
    List<ModelScore> out = new ArrayList<>();
    for (String model : new java.util.TreeSet<>(tables.models().keySet())) {
      out.add(score(model, m, dx));
    }
    out.add(blend(out));
    return out;
  }

  /** Scores {@code model} (V24, V28) or {@code BLEND}. */
  public ModelScore score(String model, Member m, List<Diagnosis> dx) {
    if (model.equalsIgnoreCase(BLEND)) {
      List<ModelScore> parts = new ArrayList<>();
      for (String name : new java.util.TreeSet<>(tables.models().keySet())) {
        parts.add(score(name, m, dx));
      }
      return blend(parts);
    }
    return scoreModel(tables.model(model.toUpperCase(java.util.Locale.ROOT)), m, dx);
  }

  /** The payment-year blend of per-model scores (weights and normalisation from payment_years.yaml). */
  public ModelScore blend(List<ModelScore> parts) {
    double raw = 0;
    double normalized = 0;
    String segment = null;
    double bestWeight = -1;
    for (ModelScore s : parts) {
      double w = tables.weights().getOrDefault(s.model(), 0.0);
      raw += w * s.raw();
      normalized += w * s.normalized();
      if (w > bestWeight) {
        bestWeight = w;
        segment = s.segment();
      }
    }
    double norm = round3(normalized);
    return new ModelScore(BLEND, segment, round3(raw), norm, round3(norm * (1 - tables.codingAdjustment())),
        List.of(), List.of());
  }

  private ModelScore scoreModel(ModelTables t, Member m, List<Diagnosis> dx) {
    int age = m.ageFeb1(tables.paymentYear());
    if (age < 0) {
      throw new IllegalArgumentException("birth date after February 1 of payment year " + tables.paymentYear());
    }
    boolean disabl = age < 65 && m.orec() != 0;
    boolean origds = m.orec() == 1 && !disabl;
    boolean medicaid = m.dual() != Member.DualStatus.NON;
    String segment = segment(m, age);
    List<Factor> factors = new ArrayList<>();

    // demographic cell
    String cell;
    if (segment.equals("NE")) {
      int neAge = age == 64 && m.orec() == 0 ? 65 : age; // entitled by age at 64 on Feb 1: the 65 cell
      boolean neOrig = m.orec() == 1 && neAge >= 65;
      cell = t.cell(segment, (medicaid ? "MCAID" : "NMCAID") + "_" + (neOrig ? "ORIGDIS" : "NORIGDIS") + "_NE",
          m.sex(), neAge);
    } else {
      cell = t.cell(segment, "", m.sex(), age);
    }
    if (cell == null) {
      throw new IllegalStateException("no demographic cell for segment " + segment + " in model " + t.model());
    }
    factors.add(new Factor(cell, "demographic", t.coefficients.get(cell), null, List.of(), List.of(), List.of()));
    if (!segment.equals("NE")) {
      if (origds) {
        String v = segment.equals("INS") ? "ORIGDS" : "OriginallyDisabled_" + (m.sex() == 'F' ? "Female" : "Male");
        add(factors, t, segment, v, "originally_disabled", null, null);
      }
      if (segment.equals("INS") && medicaid) {
        add(factors, t, segment, "LTIMCAID", "medicaid", null, null);
      }
    }

    List<Integer> hccList = List.of();
    if (!segment.equals("NE")) {
      ModelTables.Segment seg = t.segment(segment);
      Map<Integer, Sources> hccs = conditions(t, m.sex(), age, dx);
      if (!hccs.isEmpty()) {
        Integer[] present = hccs.keySet().toArray(new Integer[0]);
        for (int parent : present) {
          int[] kids = t.children.get(parent);
          if (kids != null) {
            for (int k : kids) {
              hccs.remove(k);
            }
          }
        }
        hccList = List.copyOf(hccs.keySet());
        for (Map.Entry<Integer, Sources> e : hccs.entrySet()) {
          int h = e.getKey();
          if (h < seg.hccCoef.length && !Double.isNaN(seg.hccCoef[h])) {
            factors.add(e.getValue().factor(seg.hccVar[h], "hcc", seg.hccCoef[h], h));
          }
        }
        for (ModelTables.Term term : seg.terms) {
          if (term.disabled() && !disabl) {
            continue;
          }
          boolean on = true;
          for (int[] f : term.factors()) {
            if (f == null) {
              continue;
            }
            boolean any = false;
            for (int h : f) {
              if (hccs.containsKey(h)) {
                any = true;
                break;
              }
            }
            if (!any) {
              on = false;
              break;
            }
          }
          if (on) {
            Sources src = new Sources();
            for (int[] f : term.factors()) {
              if (f != null) {
                for (int h : f) {
                  src.addAll(hccs.get(h));
                }
              }
            }
            factors.add(src.factor(term.variable(), term.disabled() ? "disabled_interaction" : "interaction",
                term.coefficient(), null));
          }
        }
        int n = Math.min(hccs.size(), 10);
        if (seg.countVar[n] != null) {
          factors.add(new Factor(seg.countVar[n], "count", seg.countCoef[n], null, List.of(), List.of(), List.of()));
        }
      }
    }
    double raw = 0;
    for (Factor f : factors) {
      raw += f.coefficient();
    }
    raw = round3(raw);
    double normalized = round3(raw / tables.normalization().get(t.model()));
    return new ModelScore(t.model(), segment, raw, normalized, round3(normalized * (1 - tables.codingAdjustment())),
        hccList, List.copyOf(factors));
  }

  /** Payment HCCs before hierarchies, with the diagnoses that gave them. */
  private static Map<Integer, Sources> conditions(ModelTables t, char sex, int age, List<Diagnosis> dx) {
    Map<Integer, Sources> hccs = new TreeMap<>();
    for (Diagnosis d : dx) {
      int[] ccs = t.dxToCc.get(d.code());
      List<ModelTables.DxEdit> edits = t.edits.get(d.code());
      if (edits != null) {
        for (ModelTables.DxEdit e : edits) {
          if (e.applies(sex, age)) {
            ccs = e.invalid() ? null : new int[] {e.ccOverride()};
            break;
          }
        }
      }
      if (ccs == null) {
        continue;
      }
      for (int cc : ccs) {
        if (t.paymentHccs.contains(cc)) {
          hccs.computeIfAbsent(cc, k -> new Sources()).add(d);
        }
      }
    }
    return hccs;
  }

  static String segment(Member m, int age) {
    if (m.newEnrollee()) {
      return "NE";
    }
    if (m.institutional()) {
      return "INS";
    }
    char dual = switch (m.dual()) {
      case NON -> 'N';
      case PARTIAL -> 'P';
      case FULL -> 'F';
    };
    return "C" + dual + (age >= 65 ? 'A' : 'D');
  }

  private static void add(List<Factor> factors, ModelTables t, String segment, String variable, String kind,
      Integer hcc, Sources src) {
    Double c = t.coefficient(segment, variable);
    if (c == null) {
      return;
    }
    factors.add(new Factor(segment + "_" + variable, kind, c, hcc, List.of(), List.of(), List.of()));
  }

  static double round3(double x) {
    return Math.round(x * 1000.0) / 1000.0;
  }

  /** Diagnosis codes, event ids and claim ids behind an HCC or interaction (ordered, distinct). */
  private static final class Sources {
    final List<String> codes = new ArrayList<>(2);
    List<String> events;
    List<String> claims;

    void add(Diagnosis d) {
      addDistinct(codes, d.code());
      if (d.eventId() != null) {
        events = addDistinct(events == null ? new ArrayList<>(2) : events, d.eventId());
      }
      if (d.claimId() != null) {
        claims = addDistinct(claims == null ? new ArrayList<>(2) : claims, d.claimId());
      }
    }

    void addAll(Sources s) {
      if (s == null) {
        return;
      }
      for (String c : s.codes) {
        addDistinct(codes, c);
      }
      if (s.events != null) {
        for (String e : s.events) {
          events = addDistinct(events == null ? new ArrayList<>(2) : events, e);
        }
      }
      if (s.claims != null) {
        for (String c : s.claims) {
          claims = addDistinct(claims == null ? new ArrayList<>(2) : claims, c);
        }
      }
    }

    Factor factor(String variable, String kind, double coefficient, Integer hcc) {
      return new Factor(variable, kind, coefficient, hcc, List.copyOf(codes), events == null ? List.of() : List.copyOf(events),
          claims == null ? List.of() : List.copyOf(claims));
    }

    private static List<String> addDistinct(List<String> list, String v) {
      if (!list.contains(v)) {
        list.add(v);
      }
      return list;
    }
  }
}
