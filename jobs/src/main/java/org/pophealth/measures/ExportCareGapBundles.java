package org.pophealth.measures;

import static org.apache.spark.sql.functions.col;

import ca.uhn.fhir.parser.IParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step: Da Vinci DEQM gaps-in-care Bundles from gold.care_gap for one period, one JSON file per person
 * ({@code <dir>/<person_key>.json}) holding the person's open and prospective gaps (all four statuses when asked).
 *
 * <p>Each Bundle is a FHIR document (DEQM gaps Bundle profile): the gaps Composition first, one section per
 * measure group (one per measure for single-group measures) whose focus is the person's individual MeasureReport
 * of that group (DEQM indv profile, which allows one group, built as ExportMeasureReports builds it; the
 * gaps-specific MeasureReport profile of the older IG versions is gone from the version we follow) and whose
 * entry is the group's DetectedIssue with the gap status modifier extension.
 * What closes an open or prospective gap (the numerator criterion, the data that would meet it, the due date) is
 * the DetectedIssue's detail: the profile leaves it free, and a GuidanceResponse would add a resource for text.
 *
 * <p>The Bundle also holds a Patient with nothing but its id (the person key) and the reporting Organization
 * (name only): a FHIR document must contain what its Composition's subject and author point at. No name, birth
 * date or identifier is written: the profiles do not ask for one. References inside the Bundle use the entries'
 * {@code urn:uuid} full URLs, the one form a document resolves without a server base.
 *
 * <p>Status mapping to the IG's gaps-status codes: open → open-gap, prospective → prospective-gap, closed →
 * closed-gap, not-applicable → not-applicable. Note that the IG defines not-applicable as outside the initial
 * population, while gold.care_gap only has persons in it: ours are those outside the denominator, excluded, or
 * with an exception (the measure does not apply to them, though they were evaluated).
 */
public final class ExportCareGapBundles {
  private static final Logger LOG = LoggerFactory.getLogger(ExportCareGapBundles.class);
  private static final String DEQM = "http://hl7.org/fhir/us/davinci-deqm/";
  static final String BUNDLE_PROFILE = DEQM + "StructureDefinition/gaps-bundle-deqm";
  static final String COMPOSITION_PROFILE = DEQM + "StructureDefinition/gaps-composition-deqm";
  static final String DETECTED_ISSUE_PROFILE = DEQM + "StructureDefinition/gaps-detectedissue-deqm";
  static final String GAP_STATUS_EXTENSION = DEQM + "StructureDefinition/extension-gapStatus";
  static final String GAP_STATUS_SYSTEM = DEQM + "CodeSystem/gaps-status";
  /** The care-gap code the DetectedIssue profile fixes (pattern). */
  static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
  /** The document type the Composition profile fixes: LOINC "Gaps in care report". */
  static final String LOINC = "http://loinc.org";
  static final String GAPS_REPORT_LOINC = "96315-7";
  /** What a care manager works from: gaps that are, or will be, open. */
  static final Set<String> ACTIONABLE = Set.of("open", "prospective");

  private final Lakehouse lakehouse;
  private final LocalDate start;
  private final LocalDate end;
  private final Path dir;
  private boolean allStatuses;
  private String reporter = ExportMeasureReports.DEFAULT_REPORTER;

  public ExportCareGapBundles(Lakehouse lakehouse, LocalDate start, LocalDate end, Path dir) {
    this.lakehouse = lakehouse;
    this.start = start;
    this.end = end;
    this.dir = dir;
  }

  /** Also the closed and not-applicable gaps (by default only open and prospective ones). */
  public ExportCareGapBundles allStatuses(boolean all) {
    this.allStatuses = all;
    return this;
  }

  /** The organization named as the reports' reporter and the documents' author (measures.reporter). */
  public ExportCareGapBundles reporter(String organizationName) {
    this.reporter = organizationName;
    return this;
  }

  /** Bundles written, DetectedIssues in them, and those per gap status. */
  public record Result(int bundles, int detectedIssues, int open, int prospective, int closed, int notApplicable) {}

  public Result execute() throws IOException {
    Column period = ExportMeasureReports.period(start, end);
    Dataset<Row> gaps = lakehouse.read("gold.care_gap").filter(period);
    if (!allStatuses) {
      gaps = gaps.filter(col("status").isin(ACTIONABLE.toArray()));
    }
    gaps = gaps.select("person_key", "measure", "measure_title", "group_index", "status", "due_date", "to_close",
        "close_with");
    List<Row> gapRows = gaps.orderBy("person_key", "measure", "group_index").collectAsList();
    // the individual reports need the persons' measure results: only those of a measure with a gap written
    List<Row> results = lakehouse.read("gold.measure_result").filter(period).filter(col("initial_population"))
        .join(gaps.select("person_key", "measure").distinct(),
            scala.collection.JavaConverters.asScalaBuffer(List.of("person_key", "measure")).toSeq(), "left_semi")
        .select(ExportMeasureReports.RESULT_COLUMNS).orderBy("person_key", "measure", "group_index").collectAsList();
    Bundles built = bundles(gapRows, results, ExportMeasureReports.scores(lakehouse, period));
    IParser json = FhirContexts.r4().newJsonParser();
    for (Map.Entry<String, Bundle> e : built.files().entrySet()) {
      ExportMeasureReports.write(json, dir.resolve(e.getKey()), e.getValue());
    }
    Result r = built.result();
    // counts only: the files themselves are the patient-level output
    LOG.info("care-gap bundles: {} bundles, {} detected issues (open {}, prospective {}, closed {}, not applicable {})",
        r.bundles(), r.detectedIssues(), r.open(), r.prospective(), r.closed(), r.notApplicable());
    return r;
  }

  /** The Bundles of one period by file name (relative to the export directory), and their counts. */
  record Bundles(Map<String, Bundle> files, Result result) {}

  /**
   * Builds every person's Bundle from gold.care_gap rows (columns by name: person_key, measure, measure_title,
   * group_index, status, due_date, to_close, close_with) and the gold.measure_result rows of the same persons and
   * measures (ExportMeasureReports.RESULT_COLUMNS), with gold.measure_summary's overall scores. Rows whose
   * status this export leaves out are skipped here too. Plain rows in, resources out: no Spark needed.
   */
  Bundles bundles(List<Row> gaps, List<Row> results, Map<String, Row> scores) {
    Map<String, Map<String, List<Row>>> gapsOf = new TreeMap<>();
    for (Row g : gaps) {
      if (allStatuses || ACTIONABLE.contains(g.<String>getAs("status"))) {
        gapsOf.computeIfAbsent(g.getAs("person_key"), k -> new TreeMap<>())
            .computeIfAbsent(g.getAs("measure"), k -> new ArrayList<>()).add(g);
      }
    }
    Map<String, List<Row>> resultsOf = new LinkedHashMap<>();
    for (Row r : results) {
      resultsOf.computeIfAbsent(r.<String>getAs("person_key") + "|" + r.<String>getAs("measure"), k -> new ArrayList<>())
          .add(r);
    }
    ExportMeasureReports reports = new ExportMeasureReports(lakehouse, start, end, dir, true).reporter(reporter);
    Date now = new Date();
    Map<String, Bundle> files = new LinkedHashMap<>();
    Map<String, Integer> byStatus = new TreeMap<>();
    int issues = 0;
    int missing = 0;
    for (Map.Entry<String, Map<String, List<Row>>> person : gapsOf.entrySet()) {
      Document doc = new Document(person.getKey(), now);
      int section = 0;
      for (Map.Entry<String, List<Row>> measure : person.getValue().entrySet()) {
        List<Row> personResults = resultsOf.getOrDefault(person.getKey() + "|" + measure.getKey(), List.of());
        for (Row g : measure.getValue()) {
          Row result = personResults.stream()
              .filter(r -> r.<Integer>getAs("group_index").equals(g.<Integer>getAs("group_index"))).findFirst().orElse(null);
          if (result == null) {
            missing++; // gold.care_gap and gold.measure_result are written together; a gap without its result is stale
            continue;
          }
          // DEQM's individual MeasureReport holds one group (0..1), so a measure with several groups gets a
          // report, a section and a DetectedIssue per group; ids are local to the document (report-N, gap-N-group)
          section++;
          MeasureReport mr = reports.individual(List.of(result), scores);
          mr.setSubject(new Reference(doc.patientUrl));
          String mrUrl = doc.add(mr, "report-" + section);
          String title = g.isNullAt(g.fieldIndex("measure_title")) ? measure.getKey() : g.getAs("measure_title");
          DetectedIssue issue = detectedIssue(g, doc.patientUrl, mrUrl, personResults.size() > 1);
          doc.composition.addSection()
              .setTitle(personResults.size() > 1 ? title + ", group " + g.<Integer>getAs("group_index") : title)
              .setFocus(new Reference(mrUrl))
              .addEntry(new Reference(doc.add(issue, "gap-" + section + "-" + g.<Integer>getAs("group_index"))));
          byStatus.merge(g.getAs("status"), 1, Integer::sum);
          issues++;
        }
      }
      if (!doc.composition.getSection().isEmpty()) {
        files.put(ExportMeasureReports.fileName(person.getKey()) + ".json", doc.bundle);
      }
    }
    if (missing > 0) {
      LOG.warn("care-gap bundles: {} person-measure gaps without a gold.measure_result row were left out", missing);
    }
    return new Bundles(files, new Result(files.size(), issues, byStatus.getOrDefault("open", 0),
        byStatus.getOrDefault("prospective", 0), byStatus.getOrDefault("closed", 0),
        byStatus.getOrDefault("not-applicable", 0)));
  }

  /** The IG's gaps-status code of a gold.care_gap status. */
  static String gapStatusCode(String status) {
    return switch (status) {
      case "open" -> "open-gap";
      case "prospective" -> "prospective-gap";
      case "closed" -> "closed-gap";
      case "not-applicable" -> "not-applicable";
      default -> throw new IllegalArgumentException("unknown care-gap status " + status);
    };
  }

  private static String gapStatusDisplay(String code) {
    return switch (code) {
      case "open-gap" -> "Open Gap";
      case "prospective-gap" -> "Prospective Gap";
      case "closed-gap" -> "Closed Gap";
      default -> "Not Applicable";
    };
  }

  private DetectedIssue detectedIssue(Row g, String patientUrl, String reportUrl, boolean groups) {
    String status = g.getAs("status");
    String code = gapStatusCode(status);
    DetectedIssue issue = new DetectedIssue();
    issue.getMeta().addProfile(DETECTED_ISSUE_PROFILE);
    // a modifier: a reader that ignores it would take a closed gap for an open one
    issue.addModifierExtension().setUrl(GAP_STATUS_EXTENSION)
        .setValue(new CodeableConcept(new Coding(GAP_STATUS_SYSTEM, code, gapStatusDisplay(code))));
    // a prospective gap can still close before its due date: the finding is not final yet
    issue.setStatus("prospective".equals(status) ? DetectedIssue.DetectedIssueStatus.PRELIMINARY
        : DetectedIssue.DetectedIssueStatus.FINAL);
    issue.setCode(new CodeableConcept(new Coding(ACT_CODE, "CAREGAP", "Care Gaps")));
    issue.setPatient(new Reference(patientUrl));
    issue.addEvidence().addDetail(new Reference(reportUrl));
    if (ACTIONABLE.contains(status)) {
      issue.setDetail(closeWith(g, groups));
    }
    return issue;
  }

  /** What closes the gap, in words: the numerator criterion, the data the logic looks for, the due date. */
  static String closeWith(Row g, boolean groups) {
    StringBuilder s = new StringBuilder();
    if (groups) {
      s.append("Group ").append(g.<Integer>getAs("group_index")).append(": ");
    }
    s.append(g.<String>getAs("to_close"));
    int i = g.fieldIndex("close_with");
    if (!g.isNullAt(i) && !g.getList(i).isEmpty()) {
      s.append(" Closed by: ").append(String.join("; ", g.<String>getList(i))).append('.');
    }
    int d = g.fieldIndex("due_date");
    if (!g.isNullAt(d)) {
      s.append(" Due by ").append(g.getDate(d).toLocalDate()).append('.');
    }
    return s.toString();
  }

  /** One person's document while it is built: the Bundle, its Composition, Patient and author. */
  private final class Document {
    final Bundle bundle = new Bundle();
    final Composition composition = new Composition();
    final String patientUrl;
    private final String bundleId = UUID.randomUUID().toString();

    Document(String personKey, Date now) {
      bundle.getMeta().addProfile(BUNDLE_PROFILE);
      bundle.setType(Bundle.BundleType.DOCUMENT);
      bundle.getIdentifier().setSystem("urn:ietf:rfc:3986").setValue("urn:uuid:" + bundleId);
      bundle.setTimestamp(now);
      composition.getMeta().addProfile(COMPOSITION_PROFILE);
      composition.setStatus(Composition.CompositionStatus.FINAL);
      composition.setType(new CodeableConcept(new Coding(LOINC, GAPS_REPORT_LOINC, "Gaps in care report")));
      composition.setDate(now);
      composition.setTitle("Care gaps report " + start + " to " + end);
      add(composition, "care-gaps");
      // the id is the person key, nothing else: the document must hold its subject, not the person's data
      Patient patient = new Patient();
      patientUrl = add(patient, ExportMeasureReports.fhirId(personKey));
      Organization author = new Organization().setName(reporter);
      String authorUrl = add(author, "reporter");
      composition.setSubject(new Reference(patientUrl));
      composition.addAuthor(new Reference(authorUrl));
      composition.setCustodian(new Reference(authorUrl));
    }

    /** Adds the resource as an entry with a full URL unique to this Bundle; returns that URL. */
    String add(Resource r, String id) {
      r.setId(id);
      String url = "urn:uuid:" + UUID.nameUUIDFromBytes((bundleId + "/" + r.fhirType() + "/" + id)
          .getBytes(StandardCharsets.UTF_8));
      bundle.addEntry().setFullUrl(url).setResource(r);
      return url;
    }
  }
}
