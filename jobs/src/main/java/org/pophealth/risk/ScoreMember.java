package org.pophealth.risk;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
      Map<Integer, Sources> hccs = conditions(t, m.sex(), age, dx);
      for (int parent : hccs.keySet().stream().mapToInt(Integer::intValue).toArray()) {
        int[] kids = t.children.get(parent);
        if (kids != null) {
          for (int k : kids) {
            hccs.remove(k);
          }
        }
      }
      hccList = List.copyOf(hccs.keySet());
      for (Map.Entry<Integer, Sources> e : hccs.entrySet()) {
        add(factors, t, segment, "HCC" + e.getKey(), "hcc", e.getKey(), e.getValue());
      }
      for (Map.Entry<String, String[]> term : t.terms.entrySet()) {
        if (t.coefficient(segment, term.getKey()) == null) {
          continue;
        }
        Sources src = new Sources();
        boolean on = true;
        boolean disabledTerm = false;
        for (String f : term.getValue()) {
          if (f.equals("DISABL")) {
            on &= disabl;
            disabledTerm = true;
          } else if (f.startsWith("HCC") && Character.isDigit(f.charAt(3))) {
            Sources s = hccs.get(Integer.parseInt(f.substring(3)));
            on &= s != null;
            src.addAll(s);
          } else {
            boolean any = false;
            for (int h : t.groups.get(f)) {
              Sources s = hccs.get(h);
              if (s != null) {
                any = true;
                src.addAll(s);
              }
            }
            on &= any;
          }
          if (!on) {
            break;
          }
        }
        if (on) {
          add(factors, t, segment, term.getKey(), disabledTerm ? "disabled_interaction" : "interaction", null, src);
        }
      }
      int n = hccs.size();
      if (n > 0) {
        add(factors, t, segment, n >= 10 ? "D10P" : "D" + n, "count", null, null);
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
    Sources s = src == null ? new Sources() : src;
    factors.add(new Factor(segment + "_" + variable, kind, c, hcc, List.copyOf(s.codes), List.copyOf(s.events),
        List.copyOf(s.claims)));
  }

  static double round3(double x) {
    return Math.round(x * 1000.0) / 1000.0;
  }

  /** Diagnosis codes, event ids and claim ids behind an HCC or interaction (ordered, distinct). */
  private static final class Sources {
    final Set<String> codes = new LinkedHashSet<>();
    final Set<String> events = new LinkedHashSet<>();
    final Set<String> claims = new LinkedHashSet<>();

    void add(Diagnosis d) {
      codes.add(d.code());
      if (d.eventId() != null) {
        events.add(d.eventId());
      }
      if (d.claimId() != null) {
        claims.add(d.claimId());
      }
    }

    void addAll(Sources s) {
      if (s != null) {
        codes.addAll(s.codes);
        events.addAll(s.events);
        claims.addAll(s.claims);
      }
    }
  }
}
