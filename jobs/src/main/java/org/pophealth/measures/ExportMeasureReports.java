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
  private static final String[] COLUMNS = {"initial_population", "denominator", "denominator_exclusion", "numerator",
      "numerator_exclusion", "denominator_exception"};

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
    List<Row> rows = lakehouse.read("gold.measure_result")
        .filter(col("period_start").equalTo(java.sql.Date.valueOf(start)).and(col("period_end").equalTo(java.sql.Date.valueOf(end))))
        .filter(col("initial_population"))
        .select("measure", "measure_url", "group_index", "group_id", "person_key", "initial_population", "denominator",
            "denominator_exclusion", "numerator", "numerator_exclusion", "denominator_exception", "episode_counts")
        .orderBy("measure", "group_index", "person_key").collectAsList();
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
      gc.setId(g.get(0).getString(3));
      Map<String, Integer> counts = new LinkedHashMap<>();
      for (int i = 0; i < CODES.length; i++) {
        MeasureReport.MeasureReportGroupPopulationComponent pc = gc.addPopulation();
        pc.setCode(new CodeableConcept(new Coding(POP, CODES[i], null)));
        int n = 0;
        ListResource list = new ListResource();
        list.setId("#" + g.get(0).getString(3) + "-" + CODES[i]);
        list.setStatus(ListResource.ListStatus.CURRENT).setMode(ListResource.ListMode.SNAPSHOT);
        for (Row r : g) {
          if (r.getBoolean(5 + i)) {
            // an episode-based group counts the person's episodes; the subject list names the person once
            n += EvaluatePersons.members(r, CODES[i]);
            list.addEntry().setItem(new Reference("Patient/" + r.getString(4)));
          }
        }
        pc.setCount(n);
        counts.put(CODES[i], n);
        if (type == MeasureReport.MeasureReportType.SUBJECTLIST && n > 0) {
          String id = g.get(0).getString(3) + "-" + CODES[i];
          list.setId(id);
          mr.addContained(list);
          pc.setSubjectResults(new Reference("#" + id));
        }
      }
      int denom = counts.get("denominator") - counts.get("denominator-exclusion") - counts.get("denominator-exception");
      if (denom > 0) {
        gc.setMeasureScore(new org.hl7.fhir.r4.model.Quantity().setValueElement(
            new DecimalType(counts.get("numerator") / (double) denom)));
      }
    }
    return mr;
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
