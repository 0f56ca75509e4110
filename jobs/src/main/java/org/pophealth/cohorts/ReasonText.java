package org.pophealth.cohorts;

import java.io.Serializable;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import scala.collection.JavaConverters;

/**
 * Why a person is on a list, as structured codes and in plain words: "no mammogram since 2022-03;
 * risk 2.4 (top 5%), Heart failure + Diabetes". Risk context (top 1%/5%, rising) is added to every
 * person's reasons, also on lists that do not select on risk. Also words why a person left a list.
 */
final class ReasonText implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Risk-adjustment gaps named per kind; more are counted ("+ 2 more"). */
  private static final int HCC_LABELS = 3;

  private final List<String> gapOrder;
  private final Map<String, String> gapLabels;

  /** {@code gapOrder}: the cohort's measures in definition order; labels from gap_reasons.csv. */
  ReasonText(List<String> gapOrder, Map<String, String> gapLabels) {
    this.gapOrder = List.copyOf(gapOrder);
    this.gapLabels = Map.copyOf(gapLabels);
  }

  record Reasons(List<String> codes, String text) {}

  /**
   * From one evaluated row: {@code gap_list} (open gaps on the cohort's measures), {@code gap_texts},
   * risk columns, {@code acute_recent} (date, setting) and {@code dups_recent} (date, family) inside the
   * cohort's windows, {@code acute_months}, {@code dup_months}, {@code risk_rule} (the cohort selects on
   * risk score), {@code hcc_gap_list} (open risk-adjustment gaps of the cohort's kinds: kind, label, value)
   * and {@code hcc_year} (their payment year).
   */
  Reasons of(Row r) {
    Set<String> codes = new LinkedHashSet<>();
    List<String> words = new ArrayList<>();
    transitionalCare(r, codes, words);
    List<String> gaps = strings(r, "gap_list");
    Map<String, String> texts = r.getJavaMap(r.fieldIndex("gap_texts"));
    for (String m : gapOrder) {
      if (gaps.contains(m)) {
        codes.add("gap:" + m);
        words.add(texts.getOrDefault(m, "open care gap " + m));
      }
    }
    List<Row> hcc = rows(r, "hcc_gap_list");
    for (String kind : CohortDefinition.HCC_GAP_KINDS) {
      // the gaps of the kind by value (largest first, none last), then label
      List<String> labels = hcc.stream().filter(g -> kind.equals(g.getString(0)))
          .sorted(Comparator.comparing((Row g) -> g.isNullAt(2) ? null : -g.getDouble(2),
              Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(g -> g.getString(1)))
          .map(g -> g.getString(1)).toList();
      if (!labels.isEmpty()) {
        codes.add("hcc_gap:" + kind);
        String named = String.join(" + ", labels.subList(0, Math.min(HCC_LABELS, labels.size())))
            + (labels.size() > HCC_LABELS ? " + " + (labels.size() - HCC_LABELS) + " more" : "");
        words.add((labels.size() == 1 ? "risk gap to close: " : "risk gaps to close: ") + named + " ("
            + (kind.equals("recapture") ? "recapture" : "suspected") + ", payment year "
            + r.getInt(r.fieldIndex("hcc_year")) + ")");
      }
    }
    List<Row> acute = rows(r, "acute_recent");
    if (!acute.isEmpty()) {
      long ed = acute.stream().filter(a -> "ed".equals(a.getString(1))).count();
      long ip = acute.size() - ed;
      List<String> parts = new ArrayList<>();
      if (ed > 0) {
        codes.add("acute:ed");
        parts.add(ed + (ed == 1 ? " ED visit" : " ED visits"));
      }
      if (ip > 0) {
        codes.add("acute:inpatient");
        parts.add(ip + (ip == 1 ? " inpatient stay" : " inpatient stays"));
      }
      Date last = acute.stream().map(a -> a.getDate(0)).max(Date::compareTo).orElseThrow();
      words.add(String.join(", ", parts) + " in the last " + r.getInt(r.fieldIndex("acute_months")) + " months (latest "
          + last.toLocalDate() + ")");
    }
    List<Row> dups = rows(r, "dups_recent");
    if (!dups.isEmpty()) {
      codes.add("duplicate_test");
      List<String> families = dups.stream().map(x -> x.getString(1)).distinct().sorted().toList();
      words.add(dups.size() + (dups.size() == 1 ? " repeated test" : " repeated tests") + " in the last "
          + r.getInt(r.fieldIndex("dup_months")) + " months (" + String.join(", ", families) + ")");
    }
    boolean top1 = r.getBoolean(r.fieldIndex("tier_top_1pct"));
    boolean top5 = r.getBoolean(r.fieldIndex("tier_top_5pct"));
    boolean rising = r.getBoolean(r.fieldIndex("tier_rising"));
    boolean scoreRule = r.getBoolean(r.fieldIndex("risk_rule"));
    Double score = r.isNullAt(r.fieldIndex("risk_score")) ? null : r.getDouble(r.fieldIndex("risk_score"));
    if (score != null && (top1 || top5 || rising || scoreRule)) {
      List<String> tier = new ArrayList<>();
      if (top1) {
        codes.add("risk:top_1pct");
        tier.add("top 1%");
      } else if (top5) {
        codes.add("risk:top_5pct");
        tier.add("top 5%");
      }
      if (rising) {
        codes.add("risk:rising");
        Double change = r.isNullAt(r.fieldIndex("score_change")) ? null : r.getDouble(r.fieldIndex("score_change"));
        tier.add(change == null ? "rising" : String.format(Locale.ROOT, "rising +%.1f", change));
      }
      if (scoreRule) {
        codes.add("risk:score");
      }
      StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "risk %.1f", score));
      if (!tier.isEmpty()) {
        s.append(" (").append(String.join(", ", tier)).append(')');
      }
      List<String> labels = strings(r, "risk_labels");
      if (!labels.isEmpty()) {
        s.append(", ").append(String.join(" + ", labels));
      }
      words.add(s.toString());
    }
    return new Reasons(List.copyOf(codes), String.join("; ", words));
  }

  /**
   * The transitional-care item, first (it has the nearest deadline): "discharged 2025-01-17 (inpatient); contact
   * due 2025-01-22 — overdue; visit due 2025-01-24", or "contact made ..." / "visit done ..." once they happened.
   * Codes tcm:inpatient or tcm:ed, then per deadline tcm:contact_done or tcm:contact_overdue, tcm:visit_done or
   * tcm:visit_overdue.
   */
  private static void transitionalCare(Row r, Set<String> codes, List<String> words) {
    if (r.isNullAt(r.fieldIndex("discharge_date"))) {
      return;
    }
    String setting = r.getString(r.fieldIndex("discharge_setting"));
    codes.add("tcm:" + setting);
    List<String> parts = new ArrayList<>();
    parts.add("discharged " + date(r, "discharge_date") + " (" + (setting.equals("ed") ? "ED" : setting) + ")");
    deadline(r, "contact", "contact made ", codes, parts);
    deadline(r, "visit", "visit done ", codes, parts);
    words.add(String.join("; ", parts));
  }

  /** One deadline ({@code what}: contact or visit): made on its date, else due, maybe overdue. */
  private static void deadline(Row r, String what, String doneWords, Set<String> codes, List<String> parts) {
    if (!r.isNullAt(r.fieldIndex(what + "_done"))) {
      codes.add("tcm:" + what + "_done");
      parts.add(doneWords + date(r, what + "_done"));
      return;
    }
    boolean late = r.getBoolean(r.fieldIndex(what + "_overdue"));
    if (late) {
      codes.add("tcm:" + what + "_overdue");
    }
    parts.add(what + " due " + date(r, what + "_due") + (late ? " — overdue" : ""));
  }

  private static String date(Row r, String field) {
    return r.getDate(r.fieldIndex(field)).toLocalDate().toString();
  }

  /**
   * Why a person left the list: excluded now ({@code exclusions} non-empty), or the reasons that put
   * them on the previous list (codes with one of {@code rulePrefixes}) no longer hold.
   */
  String removal(List<String> exclusions, List<String> previousCodes, Set<String> rulePrefixes) {
    if (exclusions != null && !exclusions.isEmpty()) {
      return "excluded: " + String.join(", ", exclusions.stream().map(e -> e.replace('_', ' ')).toList());
    }
    List<String> gone = new ArrayList<>();
    boolean acuteSaid = false;
    for (String c : previousCodes) {
      String prefix = c.contains(":") ? c.substring(0, c.indexOf(':')) : c;
      if (!rulePrefixes.contains(prefix)) {
        continue;
      }
      if (c.startsWith("gap:")) {
        String m = c.substring(4);
        gone.add("care gap closed: " + gapLabels.getOrDefault(m, m) + " (" + m + ")");
      } else if (c.equals("risk:top_1pct") || c.equals("risk:top_5pct")) {
        gone.add("risk no longer in the " + (c.endsWith("1pct") ? "top 1%" : "top 5%"));
      } else if (c.equals("risk:rising")) {
        gone.add("risk no longer rising");
      } else if (c.equals("risk:score")) {
        gone.add("risk score below the threshold");
      } else if (c.startsWith("acute:") && !acuteSaid) {
        acuteSaid = true;
        gone.add("no recent ED visit or admission");
      } else if (c.equals("tcm:ed") || c.equals("tcm:inpatient")) {
        gone.add("no ED visit or discharge in the transitional-care window");
      } else if (c.equals("duplicate_test")) {
        gone.add("no recent repeated test");
      } else if (c.startsWith("hcc_gap:")) {
        gone.add((c.equals("hcc_gap:suspect") ? "suspected" : "recapture") + " risk gaps closed or dismissed");
      }
    }
    return gone.isEmpty() ? "no longer meets the cohort's rules" : String.join("; ", gone);
  }

  private static List<String> strings(Row r, String field) {
    if (r.isNullAt(r.fieldIndex(field))) {
      return List.of();
    }
    return r.getList(r.fieldIndex(field));
  }

  private static List<Row> rows(Row r, String field) {
    if (r.isNullAt(r.fieldIndex(field))) {
      return List.of();
    }
    return JavaConverters.seqAsJavaList(r.getSeq(r.fieldIndex(field)));
  }
}
