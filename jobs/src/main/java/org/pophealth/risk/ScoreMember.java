package org.pophealth.risk;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The risk-adjustment scoring core, plain Java (used by the Spark job per partition and by the file scorer):
 * demographics → segment and demographic cell (age on February 1 of the payment year), ICD-10-CM →
 * CC with the age/sex edits and the CC requirements, hierarchies, demographic, disease and disabled
 * interactions, payment-HCC count, then raw, normalised and payment scores, each factor kept with its
 * coefficient and sources. CMS-HCC models (V24, V28, their blend) score everyone; each ESRD model scores the
 * members of its ESRD status ({@link #esrdModel}): dialysis (ESRD-V24: DI, or DNE for new enrollees), the kidney
 * transplant months (ESRD-V24-TRANSPLANT) and the functioning graft (ESRD-V24-GRAFT, with the CMS add-ons).
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

  /** Scores {@code model} (V24, V28, an ESRD model) or {@code BLEND}. An ESRD model needs a member of its status. */
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
    boolean esrd = !t.kind().equals(ModelTables.CMS_HCC);
    if (esrd) {
      requireStatus(t, m);
    }
    if (t.kind().equals(ModelTables.ESRD_TRANSPLANT)) {
      return transplant(t, m);
    }
    boolean graft = t.kind().equals(ModelTables.ESRD_GRAFT);
    boolean disabl = age < 65 && m.orec() != 0;
    boolean origds = m.orec() == 1 && !disabl;
    boolean medicaid = m.dual() != Member.DualStatus.NON;
    String segment = graft ? graftSegment(t.esrd, m, age) : esrd ? (m.newEnrollee() ? "DNE" : "DI") : segment(m, age);
    boolean newEnrollee = m.newEnrollee() && (esrd || segment.equals("NE") || segment.equals("SNPNE"));
    List<Factor> factors = new ArrayList<>();
    int neAge = age == 64 && m.orec() == 0 ? 65 : age; // entitled by age at 64 on Feb 1: the 65 cell

    // demographic cell
    String cell;
    if (newEnrollee) {
      String prefix;
      if (graft) {
        // ESRD V24 functioning graft new enrollees: full-benefit dual or not; originally disabled = OREC 1 at 65+
        prefix = (m.dual() == Member.DualStatus.FULL ? "FBD" : "ND_PBD") + "_"
            + (m.orec() == 1 && neAge >= 65 ? "ORIGDIS" : "NORIGDIS") + "_G_NE";
      } else if (esrd) {
        // ESRD V24 dialysis new enrollees: full-benefit dual or not; originally disabled = OREC 1 at any age
        prefix = (m.dual() == Member.DualStatus.FULL ? "FBD" : "ND_PBD") + "_"
            + (m.orec() == 1 ? "ORIGDIS" : "NORIGDIS") + "_NE";
      } else {
        boolean neOrig = m.orec() == 1 && neAge >= 65;
        prefix = (medicaid ? "MCAID" : "NMCAID") + "_" + (neOrig ? "ORIGDIS" : "NORIGDIS") + "_NE";
      }
      cell = t.cell(segment, prefix, m.sex(), neAge);
    } else {
      cell = t.cell(segment, "", m.sex(), age);
    }
    if (cell == null) {
      throw new IllegalStateException("no demographic cell for segment " + segment + " in model " + t.model());
    }
    factors.add(new Factor(cell, "demographic", t.coefficients.get(cell), null, List.of(), List.of(), List.of()));
    if (!newEnrollee && !esrd) {
      if (origds) {
        String v = segment.equals("INS") ? "ORIGDS" : "OriginallyDisabled_" + (m.sex() == 'F' ? "Female" : "Male");
        add(factors, t, segment, v, "originally_disabled", null, null);
      }
      if (segment.equals("INS") && medicaid) {
        add(factors, t, segment, "LTIMCAID", "medicaid", null, null);
      }
    }

    List<Integer> hccList = List.of();
    if (!newEnrollee) {
      ModelTables.Segment seg = t.segment(segment);
      int flags = flags(m, age, disabl, origds);
      // demographic terms (interactions.yaml terms without a group or HCC factor)
      for (ModelTables.Term term : seg.terms) {
        if (term.factors().length == 0 && (flags & term.flags()) == term.flags()) {
          factors.add(new Factor(term.variable(), term.kind(), term.coefficient(), null, List.of(), List.of(),
              List.of()));
        }
      }
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
          if (term.factors().length == 0 || (flags & term.flags()) != term.flags()) {
            continue;
          }
          boolean on = true;
          for (int[] f : term.factors()) {
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
              for (int h : f) {
                src.addAll(hccs.get(h));
              }
            }
            factors.add(src.factor(term.variable(), term.kind(), term.coefficient(), null));
          }
        }
        int n = Math.min(hccs.size(), 10);
        if (seg.countVar[n] != null) {
          factors.add(new Factor(seg.countVar[n], "count", seg.countCoef[n], null, List.of(), List.of(), List.of()));
        }
      }
    }
    if (graft) {
      graftAddOns(t, m, segment, newEnrollee ? neAge : age, factors);
    }
    double raw = 0;
    for (Factor f : factors) {
      raw += f.coefficient();
    }
    return score(t, segment, raw, hccList, factors);
  }

  private ModelScore score(ModelTables t, String segment, double sum, List<Integer> hccList, List<Factor> factors) {
    double raw = round3(sum);
    double normalized = round3(raw / tables.normalization().get(t.model()));
    return new ModelScore(t.model(), segment, raw, normalized,
        round3(normalized * (1 - tables.codingAdjustment(t.model()))),
        hccList, List.copyOf(factors));
  }

  /**
   * The kidney transplant months (CMS ESRD V24 software, V24_Transplant_Scores): one flat factor for the month
   * counted from the transplant (the transplant month is month 1), no demographic or disease factor.
   */
  private ModelScore transplant(ModelTables t, Member m) {
    String variable = t.esrd.transplantMonths().get(m.graftMonths());
    if (variable == null) {
      throw new IllegalArgumentException(t.model() + " has no factor for month " + m.graftMonths()
          + " since the transplant");
    }
    Factor f = new Factor(variable, "transplant", t.coefficients.get(variable), null, List.of(), List.of(), List.of());
    return score(t, "TRANSPLANT_" + m.graftMonths() + "M", f.coefficient(), List.of(), List.of(f));
  }

  /**
   * The functioning graft segment (models.yaml segments): new enrollee, else long-term institutional, else
   * community by full-benefit dual or not (non-dual and partial dual together) and aged (65+) or not.
   */
  private static String graftSegment(ModelTables.Esrd e, Member m, int age) {
    if (m.newEnrollee()) {
      return e.segment("new_enrollee");
    }
    if (m.institutional()) {
      return e.segment("institutional");
    }
    return e.segment("community_" + (m.dual() == Member.DualStatus.FULL ? "full_dual_" : "")
        + (age >= 65 ? "aged" : "non_aged"));
  }

  /**
   * The functioning graft add-ons, as the CMS ESRD V24 software adds them to the segment's score: the duration
   * factor {@code <add-on>_<GE65|LT65>_<DUR4_9|DUR10PL>_<FBD|ND_PBD>} (community FGC, institutional FGI), the
   * partial-benefit dual flag {@code <add-on>_PBD_<GE65|LT65>_flag} for partial duals, and in the institutional
   * segment {@code LTI_<GE65|LT65>}. A new enrollee gets the duration factor (aged: 65+ on February 1, or 64 and
   * entitled by age) and no flag, and the cell plus the factor are divided by {@code ActAdj_<duration>}.
   *
   * @param age the age that decides GE65/LT65 (a new enrollee's cell age)
   */
  private static void graftAddOns(ModelTables t, Member m, String segment, int age, List<Factor> factors) {
    ModelTables.Esrd e = t.esrd;
    String duration = e.duration(m.graftMonths());
    if (duration == null) {
      throw new IllegalArgumentException("no functioning graft duration covers month " + m.graftMonths()
          + " since the transplant (models.yaml durations)");
    }
    String aged = age >= 65 ? "GE65" : "LT65";
    String dual = m.dual() == Member.DualStatus.FULL ? "FBD" : "ND_PBD";
    boolean ne = segment.equals(e.segment("new_enrollee"));
    boolean inst = segment.equals(e.segment("institutional"));
    String prefix = e.addOn(ne ? "new_enrollee" : inst ? "institutional" : "community");
    addOn(factors, t, prefix + "_" + aged + "_" + duration + "_" + dual, "graft_duration");
    if (!ne && m.dual() == Member.DualStatus.PARTIAL) {
      addOn(factors, t, prefix + "_PBD_" + aged + "_flag", "graft_partial_dual");
    }
    if (inst) {
      addOn(factors, t, e.addOn("lti") + "_" + aged, "graft_institutional");
    }
    if (ne) {
      String divisor = e.addOn("new_enrollee_divisor") + "_" + duration;
      double d = t.coefficients.get(divisor);
      for (int i = 0; i < factors.size(); i++) {
        Factor f = factors.get(i);
        factors.set(i, new Factor(f.variable() + "/" + divisor, f.kind(), f.coefficient() / d, f.hcc(), f.dxCodes(),
            f.eventIds(), f.claimIds()));
      }
    }
  }

  private static void addOn(List<Factor> factors, ModelTables t, String variable, String kind) {
    Double c = t.coefficients.get(variable);
    if (c == null) {
      throw new IllegalStateException("the coefficient table of " + t.model() + " has no " + variable);
    }
    factors.add(new Factor(variable, kind, c, null, List.of(), List.of(), List.of()));
  }

  /** Each ESRD model scores the members of its ESRD status only (dialysis, transplant months, functioning graft). */
  private static void requireStatus(ModelTables t, Member m) {
    if (!ModelTables.scores(t.kind(), m.esrd())) {
      throw new IllegalArgumentException(t.model() + " (" + t.kind() + ") does not score member " + m.id()
          + " in ESRD status " + m.esrd().name().toLowerCase(java.util.Locale.ROOT) + "; see esrdModel()");
    }
  }

  /**
   * The ESRD model of the payment year that scores {@code m}'s ESRD status (dialysis, transplant, graft), null
   * when the member has none or the year configures no such model. CMS pays the member on it.
   */
  public String esrdModel(Member m) {
    if (m.esrd() == Member.EsrdStatus.NONE) {
      return null;
    }
    for (String name : new java.util.TreeSet<>(tables.esrdModels().keySet())) {
      if (ModelTables.scores(tables.esrdModels().get(name).kind(), m.esrd())) {
        return name;
      }
    }
    return null;
  }

  /** The person facts of {@link ModelTables.Flag} as bits. */
  private static int flags(Member m, int age, boolean disabl, boolean origds) {
    int f = 0;
    f |= disabl ? ModelTables.Flag.DISABL.bit() : 0;
    f |= age < 65 ? ModelTables.Flag.NONAGED.bit() : ModelTables.Flag.AGED.bit();
    f |= m.sex() == 'F' ? ModelTables.Flag.FEMALE.bit() : ModelTables.Flag.MALE.bit();
    f |= origds ? ModelTables.Flag.ORIGDS.bit() : 0;
    f |= m.orec() == 2 || m.orec() == 3 ? ModelTables.Flag.ORIGESRD.bit() : 0;
    f |= m.dual() == Member.DualStatus.FULL ? ModelTables.Flag.FULL_DUAL.bit() : 0;
    f |= m.dual() == Member.DualStatus.PARTIAL ? ModelTables.Flag.PARTIAL_DUAL.bit() : 0;
    f |= m.institutional() ? ModelTables.Flag.LTI.bit() : 0;
    return f;
  }

  /**
   * Payment HCCs before hierarchies, with the diagnoses that gave them: each code's CCs after the age/sex
   * edits, minus the CCs whose required companion CCs ({@code cc_requirements.yaml}) are all absent.
   */
  private static Map<Integer, Sources> conditions(ModelTables t, char sex, int age, List<Diagnosis> dx) {
    Map<Integer, Sources> ccs = new TreeMap<>();
    for (Diagnosis d : dx) {
      int[] mapped = t.dxToCc.get(d.code());
      List<ModelTables.DxEdit> edits = t.edits.get(d.code());
      if (edits != null) {
        for (ModelTables.DxEdit e : edits) {
          if (e.applies(sex, age)) {
            mapped = e.invalid() ? null : new int[] {e.ccOverride()};
            break;
          }
        }
      }
      if (mapped == null) {
        continue;
      }
      for (int cc : mapped) {
        ccs.computeIfAbsent(cc, k -> new Sources()).add(d);
      }
    }
    if (!t.requires.isEmpty() && !ccs.isEmpty()) {
      List<Integer> drop = new ArrayList<>(1);
      for (Map.Entry<Integer, int[]> r : t.requires.entrySet()) {
        if (ccs.containsKey(r.getKey()) && java.util.Arrays.stream(r.getValue()).noneMatch(ccs::containsKey)) {
          drop.add(r.getKey());
        }
      }
      drop.forEach(ccs::remove);
    }
    ccs.keySet().retainAll(t.paymentHccs);
    return ccs;
  }

  static String segment(Member m, int age) {
    if (m.newEnrollee()) {
      return m.csnp() ? "SNPNE" : "NE";
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
