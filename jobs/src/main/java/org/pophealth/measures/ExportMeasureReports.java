package org.pophealth.measures;

import static org.apache.spark.sql.functions.col;

import ca.uhn.fhir.parser.IParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.ListResource;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.pophealth.lakehouse.Lakehouse;

/**
 * Job step: FHIR MeasureReports (HAPI, compact JSON) from gold.measure_result for one period, into a
 * directory: {@code summary/<measure>.json} (population counts and measure score per group),
 * {@code subject-list/<measure>.json} (counts plus, per population, a contained List of the subjects)
 * and, when asked, {@code individual/<measure>/<person>.json} (one per person in the initial population).
 */
public final class ExportMeasureReports {
  private static final String POP = "http://terminology.hl7.org/CodeSystem/measure-population";
  private static final String[] CODES = {"initial-population", "denominator", "denominator-exclusion", "numerator",
      "numerator-exclusion", "denominator-exception"};

  private final Lakehouse lakehouse;
  private final LocalDate start;
  private final LocalDate end;
  private final Path dir;
  private final boolean individual;

  public ExportMeasureReports(Lakehouse lakehouse, LocalDate start, LocalDate end, Path dir, boolean individual) {
    this.lakehouse = lakehouse;
    this.start = start;
    this.end = end;
    this.dir = dir;
    this.individual = individual;
  }

  public record Result(int summaries, int subjectLists, int individuals) {}

  public Result execute() throws IOException {
    IParser json = FhirContexts.r4().newJsonParser(); // compact: HAPI pretty printing needs Jackson 2.16+
    Column period = col("period_start").equalTo(java.sql.Date.valueOf(start)).and(col("period_end").equalTo(java.sql.Date.valueOf(end)));
    List<Row> rows = lakehouse.read("gold.measure_result").filter(period)
        .filter(col("initial_population"))
        .select("measure", "measure_url", "group_index", "group_id", "person_key", "initial_population", "denominator",
            "denominator_exclusion", "numerator", "numerator_exclusion", "denominator_exception", "episode_counts",
            "observations", "strata", "stratum_episodes")
        .orderBy("measure", "group_index", "person_key").collectAsList();
    scores = new java.util.HashMap<>();
    if (lakehouse.exists("gold.measure_summary")) {
      for (Row s : lakehouse.read("gold.measure_summary").filter(period.and(col("stratifier").equalTo("all")))
          .select("measure", "group_index", "scoring", "measure_score").collectAsList()) {
        scores.put(s.getString(0) + "|" + s.getInt(1), s);
      }
    }
    Map<String, List<Row>> byMeasure = new TreeMap<>();
    for (Row r : rows) {
      byMeasure.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r);
    }
    int individuals = 0;
    for (Map.Entry<String, List<Row>> e : byMeasure.entrySet()) {
      write(json, dir.resolve("summary").resolve(e.getKey() + ".json"), report(e.getValue(), MeasureReport.MeasureReportType.SUMMARY));
      write(json, dir.resolve("subject-list").resolve(e.getKey() + ".json"),
          report(e.getValue(), MeasureReport.MeasureReportType.SUBJECTLIST));
      if (individual) {
        Map<String, List<Row>> byPerson = new TreeMap<>();
        for (Row r : e.getValue()) {
          byPerson.computeIfAbsent(r.getString(4), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Row>> p : byPerson.entrySet()) {
          MeasureReport mr = report(p.getValue(), MeasureReport.MeasureReportType.INDIVIDUAL);
          mr.setSubject(new Reference("Patient/" + p.getKey()));
          write(json, dir.resolve("individual").resolve(e.getKey()).resolve(fileName(p.getKey()) + ".json"), mr);
          individuals++;
        }
      }
    }
    return new Result(byMeasure.size(), byMeasure.size(), individuals);
  }

  /** gold.measure_summary's overall row per {@code measure|group}: scoring and score. */
  private Map<String, Row> scores;

  /**
   * The population codes of a group: those its rows count episode by episode (continuous-variable groups
   * and episode-based ones, in the Measure's order), else the six of a patient-based proportion group.
   */
  private static List<String> codes(List<Row> g) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (Row r : g) {
      int e = r.fieldIndex("episode_counts");
      if (!r.isNullAt(e)) {
        out.addAll(r.<String, Integer>getJavaMap(e).keySet());
      }
    }
    return out.isEmpty() ? List.of(CODES) : new ArrayList<>(out);
  }

  private MeasureReport report(List<Row> rows, MeasureReport.MeasureReportType type) {
    MeasureReport mr = new MeasureReport();
    mr.setStatus(MeasureReport.MeasureReportStatus.COMPLETE);
    mr.setType(type);
    mr.setMeasure(rows.get(0).getString(1));
    mr.setDate(new Date());
    mr.setPeriod(new Period().setStart(date(start)).setEnd(date(end)));
    Map<Integer, List<Row>> groups = new TreeMap<>();
    for (Row r : rows) {
      groups.computeIfAbsent(r.getInt(2), k -> new ArrayList<>()).add(r);
    }
    for (List<Row> g : groups.values()) {
      MeasureReport.MeasureReportGroupComponent gc = mr.addGroup();
      String groupId = g.get(0).getString(3);
      gc.setId(groupId);
      List<String> codes = codes(g);
      Map<String, Integer> counts = populations(g, codes, gc, type == MeasureReport.MeasureReportType.SUBJECTLIST ? mr : null,
          groupId);
      int observations = 0;
      for (Row r : g) {
        observations += EvaluatePersons.observations(r).size();
      }
      if (observations > 0) {
        gc.addPopulation().setCode(new CodeableConcept(new Coding(POP, "measure-observation", null))).setCount(observations);
      }
      Row summary = scores.get(g.get(0).getString(0) + "|" + g.get(0).getInt(2));
      String scoring = summary == null || summary.isNullAt(2) ? "proportion" : summary.getString(2);
      Double score = score(scoring, counts, summary, type, g);
      if (score != null) {
        gc.setMeasureScore(new org.hl7.fhir.r4.model.Quantity().setValueElement(new DecimalType(score)));
      }
      strata(g, codes, gc);
    }
    return mr;
  }

  /** Adds the group's populations with their counts (and subject lists, when {@code listInto} is given). */
  private static Map<String, Integer> populations(List<Row> g, List<String> codes,
      MeasureReport.MeasureReportGroupComponent gc, MeasureReport listInto, String groupId) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String code : codes) {
      MeasureReport.MeasureReportGroupPopulationComponent pc = gc.addPopulation();
      pc.setCode(new CodeableConcept(new Coding(POP, code, null)));
      int n = 0;
      ListResource list = new ListResource();
      list.setStatus(ListResource.ListStatus.CURRENT).setMode(ListResource.ListMode.SNAPSHOT);
      for (Row r : g) {
        int members = EvaluatePersons.members(r, code);
        if (members > 0) {
          // an episode-based group counts the person's episodes; the subject list names the person once
          n += members;
          list.addEntry().setItem(new Reference("Patient/" + r.getString(4)));
        }
      }
      pc.setCount(n);
      counts.put(code, n);
      if (listInto != null && n > 0) {
        String id = groupId + "-" + code;
        list.setId(id);
        listInto.addContained(list);
        pc.setSubjectResults(new Reference("#" + id));
      }
    }
    return counts;
  }

  /**
   * The group's score: proportion, numerator over the denominator less exclusions and exceptions; ratio,
   * numerator over denominator (each less its exclusions); continuous variable, the observations' aggregate —
   * for a summary the one gold.measure_summary computed by the measure's method (none when it suppressed it),
   * for one person the mean of the person's values is not the measure's method, so none; cohort, none.
   */
  private static Double score(String scoring, Map<String, Integer> c, Row summary, MeasureReport.MeasureReportType type,
      List<Row> g) {
    switch (scoring) {
      case "continuous-variable":
        return type != MeasureReport.MeasureReportType.INDIVIDUAL && summary != null && !summary.isNullAt(3)
            ? summary.getDouble(3) : null;
      case "cohort":
        return null;
      case "ratio": {
        int den = c.getOrDefault("denominator", 0) - c.getOrDefault("denominator-exclusion", 0);
        int num = c.getOrDefault("numerator", 0) - c.getOrDefault("numerator-exclusion", 0);
        return den > 0 ? num / (double) den : null;
      }
      default: {
        int den = c.getOrDefault("denominator", 0) - c.getOrDefault("denominator-exclusion", 0)
            - c.getOrDefault("denominator-exception", 0);
        return den > 0 ? c.getOrDefault("numerator", 0) / (double) den : null;
      }
    }
  }

  /**
   * The measure's own stratifiers: a boolean stratifier's strata are the persons whose value is true or
   * false; an episode stratifier has one stratum, the episodes it returns. Counts per population code.
   */
  private static void strata(List<Row> g, List<String> codes, MeasureReport.MeasureReportGroupComponent gc) {
    Map<String, Map<String, Map<String, Integer>>> byStratifier = new TreeMap<>();
    for (Row r : g) {
      for (Map.Entry<String, String> s : EvaluatePersons.strata(r).entrySet()) {
        Map<String, Integer> counts = byStratifier.computeIfAbsent(s.getKey(), k -> new TreeMap<>())
            .computeIfAbsent(s.getValue(), k -> new LinkedHashMap<>());
        for (String code : codes) {
          counts.merge(code, EvaluatePersons.stratumMembers(r, s.getKey(), s.getValue(), code), Integer::sum);
        }
      }
    }
    for (Map.Entry<String, Map<String, Map<String, Integer>>> s : byStratifier.entrySet()) {
      MeasureReport.MeasureReportGroupStratifierComponent sc = gc.addStratifier();
      sc.setId(s.getKey());
      sc.addCode().setText(s.getKey());
      for (Map.Entry<String, Map<String, Integer>> st : s.getValue().entrySet()) {
        MeasureReport.StratifierGroupComponent stratum = sc.addStratum();
        stratum.setValue(new CodeableConcept().setText(st.getKey()));
        for (Map.Entry<String, Integer> c : st.getValue().entrySet()) {
          stratum.addPopulation().setCode(new CodeableConcept(new Coding(POP, c.getKey(), null))).setCount(c.getValue());
        }
      }
    }
  }

  private static String fileName(String personKey) {
    return personKey.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static Date date(LocalDate d) {
    return Date.from(d.atStartOfDay().toInstant(ZoneOffset.UTC));
  }

  private static void write(IParser json, Path file, MeasureReport mr) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, json.encodeResourceToString(mr), StandardCharsets.UTF_8);
  }
}
