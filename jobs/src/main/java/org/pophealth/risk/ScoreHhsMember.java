package org.pophealth.risk;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The HHS-HCC scoring core (the ACA individual and small group model, concurrent), plain Java: the model by
 * AGE_LAST (adult 21+, child 2-20, infant 0-1), ICD-10-CM → CC with the V07 age/sex splits, hierarchies, the
 * model's zeroed HCCs and HCC groups, the adult severe-illness interaction, enrollment duration, RXCs with their
 * hierarchy and RXC x HCC interactions, the infant maturity x severity cell, and the metal level's coefficients;
 * every factor kept with its coefficient and the diagnosis codes behind it. All rules and numbers come from
 * {@link HhsTables} ({@code measures/risk/hhs-hcc/}). Diagnosis codes must already be normalised and valid.
 */
public final class ScoreHhsMember {
  public static final String MODEL = "HHS-HCC";
  private final HhsTables tables;

  /**
   * A member's HHS-HCC score.
   *
   * @param segment the model and metal level, e.g. {@code Adult-Silver}
   * @param raw the sum of the factors, rounded to 3 decimals
   * @param csrAdjusted raw x the CSR adjustment factor of the member's csr_indicator and metal level (1 when none)
   * @param hccs the model's HCCs after hierarchies (before grouping), ascending
   * @param rxcs the RXCs after the RXC hierarchy (adult model only), ascending
   */
  public record HhsScore(String segment, double raw, double csrAdjusted, List<String> hccs, List<String> rxcs,
      List<Factor> factors) {}

  public ScoreHhsMember(HhsTables tables) {
    this.tables = tables;
  }

  public HhsTables tables() {
    return tables;
  }

  /**
   * Scores {@code m} with its diagnoses and its RXC numbers (from NDC or HCPCS codes; ignored outside the adult
   * model). IllegalArgumentException when no model covers the member's age (a birth date after the enrollment end).
   */
  public HhsScore score(HhsMember m, List<Diagnosis> dx, Collection<Integer> rxcNumbers) {
    int age = m.ageLast();
    HhsTables.Model model = tables.modelFor(age);
    if (model == null) {
      throw new IllegalArgumentException("no HHS-HCC model for age " + age + " (birth date after the enrollment end?)");
    }
    HhsTables.Metal metal = m.metal();
    // CCs with the codes behind them, then hierarchies (a parent drops its children), then the model's zero list
    Map<String, List<String>> present = conditions(m.sex(), age, dx);
    for (String parent : new ArrayList<>(present.keySet())) {
      List<String> kids = tables.children.get(parent);
      if (kids != null) {
        kids.forEach(present::remove);
      }
    }
    present.keySet().removeAll(model.zero);
    List<Factor> factors = new ArrayList<>();
    List<String> rxcs = List.of();
    if (!model.maturity.isEmpty()) {
      infant(model, m, age, present, factors);
    } else {
      String cell = model.cell(m.sex(), age);
      if (cell == null) {
        throw new IllegalStateException("no demographic cell for age " + age + " in HHS-HCC model " + model.name);
      }
      add(factors, model, metal, cell, "demographic", List.of());
      boolean severe = model.severeIllness.stream().anyMatch(present::containsKey);
      // groups: a group scores once for any of its HCCs, which then score only through it
      Map<String, List<String>> scored = new TreeMap<>(present);
      Map<String, List<String>> groups = new TreeMap<>();
      model.groups.forEach((group, members) -> {
        if (members.stream().anyMatch(scored::containsKey)) {
          List<String> codes = new ArrayList<>();
          for (String h : members) {
            List<String> c = scored.remove(h);
            if (c != null) {
              c.forEach(x -> addDistinct(codes, x));
            }
          }
          groups.put(group, codes);
        }
      });
      scored.forEach((h, codes) -> add(factors, model, metal, h, "hcc", codes));
      groups.forEach((g, codes) -> add(factors, model, metal, g, "group", codes));
      if (severe) {
        model.severeInteractions.forEach((name, members) -> {
          List<String> codes = new ArrayList<>();
          for (String x : members) {
            List<String> c = scored.containsKey(x) ? scored.get(x) : groups.get(x);
            if (c != null) {
              c.forEach(y -> addDistinct(codes, y));
            }
          }
          if (members.stream().anyMatch(x -> scored.containsKey(x) || groups.containsKey(x))) {
            for (String s : model.severeIllness) {
              if (present.containsKey(s)) {
                present.get(s).forEach(y -> addDistinct(codes, y));
              }
            }
            add(factors, model, metal, name, "severe_interaction", codes);
          }
        });
      }
      if (model.enrollmentDuration != null && m.enrollmentMonths() >= 1 && m.enrollmentMonths() <= 11) {
        add(factors, model, metal, model.enrollmentDuration + m.enrollmentMonths(), "enrollment_duration", List.of());
      }
      if (!model.rxcInteractions.isEmpty()) {
        rxcs = rxcs(model, rxcNumbers);
        Set<String> on = new TreeSet<>(rxcs);
        on.addAll(present.keySet());
        for (String r : rxcs) {
          add(factors, model, metal, r, "rxc", List.of());
        }
        model.rxcInteractions.forEach((name, terms) -> {
          if (terms.stream().allMatch(any -> any.stream().anyMatch(on::contains))) {
            List<String> codes = new ArrayList<>();
            for (List<String> any : terms) {
              for (String x : any) {
                if (present.containsKey(x)) {
                  present.get(x).forEach(y -> addDistinct(codes, y));
                }
              }
            }
            add(factors, model, metal, name, "rxc_interaction", codes);
          }
        });
      }
    }
    double sum = 0;
    for (Factor f : factors) {
      sum += f.coefficient();
    }
    Double csr = tables.csrFactors.get(m.csrIndicator() + "|" + metal.name().charAt(0));
    return new HhsScore(model.name + "-" + metal.label(), ScoreMember.round3(sum),
        ScoreMember.round3(sum * (csr == null ? 1.0 : csr)), List.copyOf(present.keySet()), rxcs, List.copyOf(factors));
  }

  /**
   * The infant model: the highest severity level whose HCCs are present (none: 1), the maturity of an age-0
   * infant from its birth HCCs (age 1, or no birth HCC: AGE1), the cell {@code <MATURITY>_X_SEVERITY<n>}, and for
   * boys AGE0_MALE (age 0 with a birth HCC) or AGE1_MALE.
   */
  private static void infant(HhsTables.Model model, HhsMember m, int age, Map<String, List<String>> present,
      List<Factor> factors) {
    int level = 1;
    List<String> levelCodes = new ArrayList<>();
    for (Map.Entry<Integer, List<String>> e : model.severity.entrySet()) {
      if (e.getValue().stream().anyMatch(present::containsKey)) {
        level = e.getKey();
        e.getValue().stream().filter(present::containsKey).forEach(h -> present.get(h).forEach(c -> addDistinct(levelCodes, c)));
        break;
      }
    }
    String maturity = "AGE1";
    if (age == 0) {
      for (Map.Entry<String, List<String>> e : model.maturity.entrySet()) {
        if (e.getValue().stream().anyMatch(present::containsKey)) {
          maturity = e.getKey();
          e.getValue().stream().filter(present::containsKey).forEach(h -> present.get(h).forEach(c -> addDistinct(levelCodes, c)));
          break;
        }
      }
    }
    if (m.sex() == 'M') {
      add(factors, model, m.metal(), age == 0 && !maturity.equals("AGE1") ? "AGE0_MALE" : "AGE1_MALE", "demographic",
          List.of());
    }
    add(factors, model, m.metal(), maturity + "_X_SEVERITY" + level, "maturity_severity", levelCodes);
  }

  /** The model's RXCs of the given numbers, minus those a present RXC drops (the RXC hierarchy). */
  private static List<String> rxcs(HhsTables.Model model, Collection<Integer> numbers) {
    Set<String> on = new TreeSet<>();
    for (int n : numbers) {
      on.add(HhsTables.rxc(n));
    }
    for (String parent : new ArrayList<>(on)) {
      List<String> kids = model.rxcHierarchy.get(parent);
      if (kids != null) {
        on.removeAll(kids);
      }
    }
    on.removeIf(r -> !model.coefficients.containsKey(r));
    return List.copyOf(on);
  }

  /** HCCs of the diagnoses, each with its codes: every mapped CC, or the single CC / none of an applying age/sex split. */
  private Map<String, List<String>> conditions(char sex, int age, List<Diagnosis> dx) {
    Map<String, List<String>> ccs = new TreeMap<>();
    for (Diagnosis d : dx) {
      List<String> mapped = tables.dxToCc.get(d.code());
      if (mapped == null) {
        continue;
      }
      List<HhsTables.Edit> edits = tables.edits.get(d.code());
      if (edits != null) {
        for (HhsTables.Edit e : edits) {
          if (e.applies(sex, age)) {
            mapped = e.invalid() ? List.of() : List.of(e.cc());
            break;
          }
        }
      }
      for (String cc : new LinkedHashSet<>(mapped)) {
        addDistinct(ccs.computeIfAbsent(cc, k -> new ArrayList<>(2)), d.code());
      }
    }
    return ccs;
  }

  private static void add(List<Factor> factors, HhsTables.Model model, HhsTables.Metal metal, String variable,
      String kind, List<String> codes) {
    Double c = model.coefficient(variable, metal);
    if (c == null) {
      return;
    }
    factors.add(new Factor(variable, kind, c, null, List.copyOf(codes), List.of(), List.of()));
  }

  private static void addDistinct(List<String> list, String v) {
    if (!list.contains(v)) {
      list.add(v);
    }
  }
}
