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
import java.util.HashMap;
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
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.pophealth.lakehouse.Lakehouse;

/**
 * Job step: FHIR MeasureReports (HAPI, compact JSON) from gold.measure_result for one period, into a
 * directory: {@code summary/<measure>.json} (population counts and measure score),
 * {@code subject-list/<measure>.json} (counts plus, per population and per stratum population, a contained
 * List of the subjects), both {@code <measure>-group<N>.json} per group of a multi-group measure, and, when asked, {@code individual/<measure>/<person>.json} (one per person in the
 * initial population; {@code <person>-group<N>.json} per group of a multi-group measure, DEQM allowing one group per
 * individual report).
 *
 * <p>Each report claims and meets its Da Vinci DEQM profile (STU5 line: summary, subject-list, individual;
 * checked with HAPI's validator by DeqmValidationTest): the measure canonical carries its version, the
 * reporter is named, the measure scoring and improvement notation are stated (DEQM invariants deqm-0..deqm-4).
 */
public final class ExportMeasureReports {
  private static final String POP = "http://terminology.hl7.org/CodeSystem/measure-population";
  private static final String DEQM = "http://hl7.org/fhir/us/davinci-deqm/StructureDefinition/";
  static final String SUMMARY_PROFILE = DEQM + "summary-measurereport-deqm";
  static final String SUBJECT_LIST_PROFILE = DEQM + "subjectlist-measurereport-deqm";
  static final String INDIVIDUAL_PROFILE = DEQM + "indv-measurereport-deqm";
  static final String SCORING_EXTENSION = DEQM + "extension-measureScoring";
  static final String GROUP_IMPROVEMENT_EXTENSION = DEQM + "extension-groupImprovementNotation";
  private static final String SCORING = "http://terminology.hl7.org/CodeSystem/measure-scoring";
  private static final String IMPROVEMENT = "http://terminology.hl7.org/CodeSystem/measure-improvement-notation";
  /** Default reporter: the reporting organization is not in the lakehouse, so the reports name the system. */
  public static final String DEFAULT_REPORTER = "pophealth";
  private static final String[] CODES = {"initial-population", "denominator", "denominator-exclusion", "numerator",
      "numerator-exclusion", "denominator-exception"};

  private final Lakehouse lakehouse;
  private final LocalDate start;
  private final LocalDate end;
  private final Path dir;
  private final boolean individual;
  private String reporter = DEFAULT_REPORTER;

  public ExportMeasureReports(Lakehouse lakehouse, LocalDate start, LocalDate end, Path dir, boolean individual) {
    this.lakehouse = lakehouse;
    this.start = start;
    this.end = end;
    this.dir = dir;
    this.individual = individual;
  }

  /**
   * The organization the reports are made for (DEQM requires a reporter); written as a contained
   * Organization with this name, since the lakehouse holds no Organization resource for it.
   */
  public ExportMeasureReports reporter(String organizationName) {
    this.reporter = organizationName;
    return this;
  }

  public record Result(int summaries, int subjectLists, int individuals) {}

  public Result execute() throws IOException {
    IParser json = FhirContexts.r4().newJsonParser(); // compact: HAPI pretty printing needs Jackson 2.16+
    Column period = period(start, end);
    List<Row> rows = lakehouse.read("gold.measure_result").filter(period)
        .filter(col("initial_population"))
        .select(RESULT_COLUMNS)
        .orderBy("measure", "group_index", "person_key").collectAsList();
    Map<String, Row> scores = scores(lakehouse, period);
    Reports built = reports(rows, scores);
    for (Map.Entry<String, MeasureReport> e : built.files().entrySet()) {
      write(json, dir.resolve(e.getKey()), e.getValue());
    }
    return built.result();
  }

  /** gold.measure_result's columns the reports are built from. */
  static final Column[] RESULT_COLUMNS = java.util.stream.Stream.of("measure", "measure_url", "measure_version",
      "improvement_notation", "group_index", "group_id", "person_key", "initial_population", "denominator",
      "denominator_exclusion", "numerator", "numerator_exclusion", "denominator_exception", "episode_counts",
      "observations", "strata", "stratum_episodes").map(org.apache.spark.sql.functions::col).toArray(Column[]::new);

  /** The rows of one measurement period in a gold table partitioned by it. */
  static Column period(LocalDate start, LocalDate end) {
    return col("period_start").equalTo(java.sql.Date.valueOf(start)).and(col("period_end").equalTo(java.sql.Date.valueOf(end)));
  }

  /**
   * gold.measure_summary's overall rows of the period, {@code measure|group_index} → row with scoring and
   * measure_score; empty before the first summary was written (every group then counts as proportion).
   */
  static Map<String, Row> scores(Lakehouse lakehouse, Column period) {
    Map<String, Row> scores = new HashMap<>();
    if (lakehouse.exists("gold.measure_summary")) {
      for (Row s : lakehouse.read("gold.measure_summary").filter(period.and(col("stratifier").equalTo("all")))
          .select("measure", "group_index", "scoring", "measure_score").collectAsList()) {
        scores.put(s.<String>getAs("measure") + "|" + s.<Integer>getAs("group_index"), s);
      }
    }
    return scores;
  }

  /**
   * One person's individual report of one measure (DEQM indv profile), from that person's gold.measure_result
   * rows of the measure (every group, ordered by group); the subject is {@code Patient/<person_key>}.
   */
  MeasureReport individual(List<Row> personRows, Map<String, Row> scores) {
    MeasureReport mr = report(personRows, MeasureReport.MeasureReportType.INDIVIDUAL, scores);
    mr.setSubject(new Reference("Patient/" + personRows.get(0).<String>getAs("person_key")));
    return mr;
  }

  /** The reports of one period, by file path relative to the export directory, and their counts. */
  record Reports(Map<String, MeasureReport> files, Result result) {}

  /**
   * Builds every report from gold.measure_result rows (columns by name, initial population only, ordered by
   * measure, group, person) and gold.measure_summary's overall rows ({@code measure|group_index} → row with
   * scoring and measure_score). Plain rows in, resources out: no Spark needed, so tests can validate them.
   */
  Reports reports(List<Row> rows, Map<String, Row> scores) {
    Map<String, List<Row>> byMeasure = new TreeMap<>();
    for (Row r : rows) {
      byMeasure.computeIfAbsent(r.getAs("measure"), k -> new ArrayList<>()).add(r);
    }
    Map<String, MeasureReport> files = new LinkedHashMap<>();
    int summaries = 0;
    int individuals = 0;
    for (Map.Entry<String, List<Row>> e : byMeasure.entrySet()) {
      // DEQM's MeasureReport profiles hold one group each: a multi-group measure (CMS138's three rates) gets one
      // report per group, <name>-group<N>.json
      Map<Integer, List<Row>> groups = byGroup(e.getValue());
      boolean oneGroup = groups.size() == 1;
      for (Map.Entry<Integer, List<Row>> g : groups.entrySet()) {
        String name = e.getKey() + (oneGroup ? "" : "-group" + g.getKey());
        files.put("summary/" + name + ".json", report(g.getValue(), MeasureReport.MeasureReportType.SUMMARY, scores));
        files.put("subject-list/" + name + ".json",
            report(g.getValue(), MeasureReport.MeasureReportType.SUBJECTLIST, scores));
        summaries++;
      }
      if (individual) {
        Map<String, List<Row>> byPerson = new TreeMap<>();
        for (Row r : e.getValue()) {
          byPerson.computeIfAbsent(r.getAs("person_key"), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Row>> p : byPerson.entrySet()) {
          for (Map.Entry<Integer, List<Row>> g : byGroup(p.getValue()).entrySet()) {
            String name = fileName(p.getKey()) + (oneGroup ? "" : "-group" + g.getKey());
            files.put("individual/" + e.getKey() + "/" + name + ".json", individual(g.getValue(), scores));
            individuals++;
          }
        }
      }
    }
    return new Reports(files, new Result(summaries, summaries, individuals));
  }

  /** Rows by group index, in group order. */
  private static Map<Integer, List<Row>> byGroup(List<Row> rows) {
    Map<Integer, List<Row>> out = new TreeMap<>();
    for (Row r : rows) {
      out.computeIfAbsent(r.<Integer>getAs("group_index"), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

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

  private MeasureReport report(List<Row> rows, MeasureReport.MeasureReportType type, Map<String, Row> scores) {
    MeasureReport mr = new MeasureReport();
    mr.getMeta().addProfile(switch (type) {
      case SUMMARY -> SUMMARY_PROFILE;
      case SUBJECTLIST -> SUBJECT_LIST_PROFILE;
      default -> INDIVIDUAL_PROFILE;
    });
    mr.setStatus(MeasureReport.MeasureReportStatus.COMPLETE);
    mr.setType(type);
    Row first = rows.get(0);
    // DEQM deqm-0: the canonical names the version of the Measure that was evaluated
    mr.setMeasure(first.<String>getAs("measure_url") + "|" + first.<String>getAs("measure_version"));
    mr.setDate(new Date());
    mr.setPeriod(new Period().setStart(date(start)).setEnd(date(end)));
    Organization org = new Organization().setName(reporter);
    org.setId("reporter");
    mr.addContained(org);
    mr.setReporter(new Reference("#reporter"));
    Map<Integer, List<Row>> groups = new TreeMap<>();
    for (Row r : rows) {
      groups.computeIfAbsent(r.<Integer>getAs("group_index"), k -> new ArrayList<>()).add(r);
    }
    Map<Integer, String> scoringOf = new TreeMap<>();
    for (Map.Entry<Integer, List<Row>> g : groups.entrySet()) {
      Row summary = scores.get(first.<String>getAs("measure") + "|" + g.getKey());
      scoringOf.put(g.getKey(), summary == null || summary.isNullAt(summary.fieldIndex("scoring")) ? "proportion"
          : summary.<String>getAs("scoring"));
    }
    // DEQM deqm-3: scoring on the root when every group shares it, else on every group; the improvement
    // notation goes with it (deqm-2 on the root, deqm-4 on a group)
    boolean oneScoring = new java.util.HashSet<>(scoringOf.values()).size() == 1;
    String improvement = first.getAs("improvement_notation");
    if (oneScoring) {
      mr.addExtension(SCORING_EXTENSION, scoring(scoringOf.values().iterator().next()));
      if (improvement != null) {
        mr.setImprovementNotation(improvement(improvement));
      }
    }
    for (Map.Entry<Integer, List<Row>> e : groups.entrySet()) {
      List<Row> g = e.getValue();
      MeasureReport.MeasureReportGroupComponent gc = mr.addGroup();
      String groupId = g.get(0).getAs("group_id");
      gc.setId(groupId);
      String scoring = scoringOf.get(e.getKey());
      String groupImprovement = g.get(0).getAs("improvement_notation");
      if (!oneScoring) {
        gc.addExtension(SCORING_EXTENSION, scoring(scoring));
        if (groupImprovement != null) {
          gc.addExtension(GROUP_IMPROVEMENT_EXTENSION, improvement(groupImprovement));
        }
      }
      List<String> codes = codes(g);
      boolean lists = type == MeasureReport.MeasureReportType.SUBJECTLIST;
      Map<String, Integer> counts = populations(g, codes, gc, lists ? mr : null, groupId);
      int observations = 0;
      for (Row r : g) {
        observations += EvaluatePersons.observations(r).size();
      }
      if (observations > 0) {
        MeasureReport.MeasureReportGroupPopulationComponent pc = gc.addPopulation()
            .setCode(new CodeableConcept(new Coding(POP, "measure-observation", null))).setCount(observations);
        if (lists) {
          // the observed episodes' subjects are the measure population's; the subject list names them
          pc.setSubjectResults(subjectList(mr, listId(groupId + "-measure-observation"), g,
              r -> !EvaluatePersons.observations(r).isEmpty()));
        }
      }
      Row summary = scores.get(g.get(0).<String>getAs("measure") + "|" + e.getKey());
      Double score = score(scoring, counts, summary, type);
      if (score != null) {
        gc.setMeasureScore(new org.hl7.fhir.r4.model.Quantity().setValueElement(new DecimalType(score)));
      }
      strata(g, codes, gc, lists ? mr : null, groupId);
    }
    return mr;
  }

  private static CodeableConcept scoring(String code) {
    return new CodeableConcept(new Coding(SCORING, code, null));
  }

  private static CodeableConcept improvement(String code) {
    return new CodeableConcept(new Coding(IMPROVEMENT, code, null));
  }

  /**
   * Adds the group's populations with their counts; for a subject-list report, each population's subjects as
   * a contained List (DEQM requires one for every population, so an empty population has an empty List).
   */
  private static Map<String, Integer> populations(List<Row> g, List<String> codes,
      MeasureReport.MeasureReportGroupComponent gc, MeasureReport listInto, String groupId) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String code : codes) {
      MeasureReport.MeasureReportGroupPopulationComponent pc = gc.addPopulation();
      pc.setCode(new CodeableConcept(new Coding(POP, code, null)));
      int n = 0;
      for (Row r : g) {
        // an episode-based group counts the person's episodes; the subject list names the person once
        n += EvaluatePersons.members(r, code);
      }
      pc.setCount(n);
      counts.put(code, n);
      if (listInto != null) {
        pc.setSubjectResults(subjectList(listInto, listId(groupId + "-" + code), g, r -> EvaluatePersons.members(r, code) > 0));
      }
    }
    return counts;
  }

  /** A contained List (snapshot) of the persons of {@code rows} that {@code in} selects; returns its reference. */
  private static Reference subjectList(MeasureReport into, String id, List<Row> rows,
      java.util.function.Predicate<Row> in) {
    ListResource list = new ListResource();
    list.setStatus(ListResource.ListStatus.CURRENT).setMode(ListResource.ListMode.SNAPSHOT);
    for (Row r : rows) {
      if (in.test(r)) {
        list.addEntry().setItem(new Reference("Patient/" + r.<String>getAs("person_key")));
      }
    }
    String fhirId = fhirId(id);
    list.setId(fhirId);
    into.addContained(list);
    return new Reference("#" + fhirId);
  }

  /**
   * The group's score: proportion, numerator over the denominator less exclusions and exceptions; ratio,
   * numerator over denominator (each less its exclusions); continuous variable, the observations' aggregate —
   * for a summary the one gold.measure_summary computed by the measure's method (none when it suppressed it),
   * for one person the mean of the person's values is not the measure's method, so none; cohort, none. One
   * person outside the performance denominator scores 0 (DEQM), a population with none of them has no rate.
   */
  private static Double score(String scoring, Map<String, Integer> c, Row summary, MeasureReport.MeasureReportType type) {
    switch (scoring) {
      case "continuous-variable":
        return type != MeasureReport.MeasureReportType.INDIVIDUAL && summary != null
            && !summary.isNullAt(summary.fieldIndex("measure_score")) ? summary.<Double>getAs("measure_score") : null;
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
        if (den == 0 && type == MeasureReport.MeasureReportType.INDIVIDUAL) {
          // DEQM (deqm-6) wants a 0..1 score on every proportion group, and scores one person 1.0 or 0.0: a
          // person excluded or excepted from the performance denominator does not meet it; the populations say why
          return 0.0;
        }
        return den > 0 ? c.getOrDefault("numerator", 0) / (double) den : null;
      }
    }
  }

  /**
   * The measure's own stratifiers: a boolean stratifier's strata are the persons whose value is true or
   * false; an episode stratifier has one stratum, the episodes it returns. Counts per population code.
   */
  private static void strata(List<Row> g, List<String> codes, MeasureReport.MeasureReportGroupComponent gc,
      MeasureReport listInto, String groupId) {
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
          MeasureReport.StratifierGroupPopulationComponent sp = stratum.addPopulation()
              .setCode(new CodeableConcept(new Coding(POP, c.getKey(), null))).setCount(c.getValue());
          if (listInto != null) {
            // DEQM's subject list names the subjects of every stratum population too
            String code = c.getKey();
            sp.setSubjectResults(subjectList(listInto, listId(groupId + "-" + s.getKey() + "-" + st.getKey() + "-" + code), g,
                r -> EvaluatePersons.stratumMembers(r, s.getKey(), st.getKey(), code) > 0));
          }
        }
      }
    }
  }

  /**
   * A FHIR id (at most 64 of [A-Za-z0-9-.]) for {@code s}: unchanged when it already is one; else the other
   * characters become '-' and, so that two keys cannot meet in one id, a hash of the whole is appended (the
   * start is kept when it is longer).
   */
  static String fhirId(String s) {
    if (s.length() <= 64 && s.matches("[A-Za-z0-9.-]+")) {
      return s;
    }
    String clean = s.replaceAll("[^A-Za-z0-9.-]", "-");
    return (clean.length() <= 55 ? clean : clean.substring(0, 55)) + "-" + String.format("%08x", s.hashCode());
  }

  /** A contained resource id from group, stratifier, stratum and population names (FHIR ids: [A-Za-z0-9-.]). */
  private static String listId(String s) {
    return s.replaceAll("[^A-Za-z0-9.-]", "-");
  }

  static String fileName(String personKey) {
    return personKey.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  static Date date(LocalDate d) {
    return Date.from(d.atStartOfDay().toInstant(ZoneOffset.UTC));
  }

  static void write(IParser json, Path file, org.hl7.fhir.instance.model.api.IBaseResource r) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, json.encodeResourceToString(r), StandardCharsets.UTF_8);
  }
}
