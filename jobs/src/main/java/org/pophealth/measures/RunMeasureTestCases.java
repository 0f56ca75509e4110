package org.pophealth.measures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conformance step ({@code measure-test}): official test cases laid out as
 * {@code <cases>/<Measure>/<case-guid>/*.json} go through the normal ingest path
 * ({@link IngestFhirExport}) into a scratch lakehouse — all cases in one export, each case's resource
 * ids prefixed ({@code c<n>-}) so the cases stay separate patients — then each case's patient is
 * evaluated against its own measure by {@link EvaluateMeasures} and every population of every group is
 * compared with the expected MeasureReport.
 */
public final class RunMeasureTestCases {
  private static final Logger LOG = LoggerFactory.getLogger(RunMeasureTestCases.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String SOURCE = "cases";

  private final Lakehouse scratch;
  private final Path casesDir;
  private final String measure;
  private final String packageLocation;
  private final LocalDate start;
  private final LocalDate end;

  public RunMeasureTestCases(Lakehouse scratch, Path casesDir, String measure, String packageLocation,
      LocalDate start, LocalDate end) {
    this.scratch = scratch;
    this.casesDir = casesDir;
    this.measure = measure;
    this.packageLocation = packageLocation;
    this.start = start;
    this.end = end;
  }

  /**
   * One population of one group (or of one stratum of a group: {@code stratum}) whose count differs from the
   * expected report.
   */
  public record Mismatch(String measure, String caseId, String description, int group, String population,
      int expected, int actual, List<String> errors, boolean stratum) {
    Mismatch(String measure, String caseId, String description, int group, String population, int expected, int actual,
        List<String> errors) {
      this(measure, caseId, description, group, population, expected, actual, errors, false);
    }

    @Override
    public String toString() {
      return measure + " " + caseId + " group " + group + " " + population + ": expected " + expected + ", got "
          + actual + (description.isEmpty() ? "" : " (" + description + ")")
          + (errors.isEmpty() ? "" : " errors " + errors);
    }
  }

  /**
   * Per case ({@code measure/caseId}): {@code engineErrors}, the evaluation errors that are engine
   * failures (a case with one has failed, whatever its counts); {@code dataErrors}, the errors raised
   * because the case's data breaks the measure's expectations ({@link CqlMeasureEvaluator#isDataError}),
   * which some official cases test on purpose. Both empty when none.
   */
  public record Result(int cases, int passed, int failed, List<Mismatch> mismatches, IngestResult ingest,
      double seconds, Map<String, List<String>> engineErrors, Map<String, List<String>> dataErrors) {
    /** The mismatches of one case. */
    public List<Mismatch> mismatches(String measure, String caseId) {
      return mismatches.stream().filter(m -> m.measure().equals(measure) && m.caseId().equals(caseId)).toList();
    }
  }

  public Result execute() throws IOException {
    long t0 = System.nanoTime();
    List<MeasureTestCase> cases = MeasureTestCase.load(casesDir, measure);
    MeasurePackage pkg = LoadMeasurePackage.cached(packageLocation);
    for (MeasureTestCase c : cases) {
      pkg.measure(c.measure()); // fails early on a folder that names no measure of the package
    }
    Path export = Files.createTempDirectory("pophealth-measure-cases-");
    Map<String, Integer> caseByPerson = new HashMap<>();
    Map<String, String> measureByPerson = new HashMap<>();
    Map<String, List<String>> lines = new TreeMap<>();
    int attached = 0;
    for (int i = 0; i < cases.size(); i++) {
      MeasureTestCase c = cases.get(i);
      String prefix = "c" + i + "-";
      Map<String, String> ids = new HashMap<>();
      for (JsonNode r : c.resources()) {
        String old = r.path("id").asText();
        ids.put(r.path("resourceType").asText() + "/" + old, newId(prefix, old));
      }
      String patientRef = "Patient/" + ids.get("Patient/" + c.patientId());
      for (JsonNode r : c.resources()) {
        JsonNode copy = r.deepCopy();
        rewrite(copy, ids, patientRef);
        attached += attach((ObjectNode) copy, patientRef);
        ((ObjectNode) copy).put("id", ids.get(r.path("resourceType").asText() + "/" + r.path("id").asText()));
        lines.computeIfAbsent(r.path("resourceType").asText(), k -> new ArrayList<>()).add(JSON.writeValueAsString(copy));
      }
      String person = SOURCE + ":" + ids.get("Patient/" + c.patientId());
      caseByPerson.put(person, i);
      measureByPerson.put(person, c.measure());
    }
    for (Map.Entry<String, List<String>> e : lines.entrySet()) {
      try (BufferedWriter w = Files.newBufferedWriter(export.resolve(e.getKey() + ".ndjson"), StandardCharsets.UTF_8)) {
        for (String l : e.getValue()) {
          w.write(l);
          w.write('\n');
        }
      }
    }
    if (attached > 0) {
      LOG.info("{} case resources name no patient: attached to their case's patient", attached);
    }
    IngestResult ingest = new IngestFhirExport(scratch, SOURCE, export.toString())
        .exportTime(Instant.parse("2026-01-01T00:00:00Z")).execute();
    EvaluateMeasures.Result r = new EvaluateMeasures(scratch, packageLocation, start, end).onlyCases(measureByPerson)
        .execute();
    Map<String, Map<Integer, Row>> got = new HashMap<>();
    for (Row row : r.results().select("person_key", "group_index", "initial_population", "denominator",
        "denominator_exclusion", "numerator", "numerator_exclusion", "denominator_exception", "errors",
        "episode_counts", "observations", "strata", "stratum_episodes").collectAsList()) {
      got.computeIfAbsent(row.getString(0), k -> new HashMap<>()).put(row.getInt(1), row);
    }
    r.release();
    List<Mismatch> mismatches = new ArrayList<>();
    Map<String, List<String>> engineErrors = new TreeMap<>();
    Map<String, List<String>> dataErrors = new TreeMap<>();
    int failed = 0;
    for (Map.Entry<String, Integer> e : new TreeMap<>(caseByPerson).entrySet()) {
      MeasureTestCase c = cases.get(e.getValue());
      Map<Integer, Row> groups = got.getOrDefault(e.getKey(), Map.of());
      // each group row carries the measure's errors: once per case
      Set<String> caseErrors = new LinkedHashSet<>();
      for (Row row : groups.values()) {
        if (!row.isNullAt(8)) {
          caseErrors.addAll(row.getList(8));
        }
      }
      String key = c.measure() + "/" + c.caseId();
      engineErrors.put(key, caseErrors.stream().filter(x -> !CqlMeasureEvaluator.isDataError(x)).toList());
      dataErrors.put(key, caseErrors.stream().filter(CqlMeasureEvaluator::isDataError).toList());
      boolean ok = engineErrors.get(key).isEmpty();
      for (Map.Entry<Integer, Map<String, Integer>> g : c.expected().entrySet()) {
        Row row = groups.get(g.getKey());
        for (Map.Entry<String, Integer> p : g.getValue().entrySet()) {
          int actual = row == null ? 0 : EvaluatePersons.members(row, p.getKey());
          if (actual != p.getValue()) {
            ok = false;
            List<String> errors = row == null || row.isNullAt(8) ? List.of() : row.getList(8);
            mismatches.add(new Mismatch(c.measure(), c.caseId(), c.description(), g.getKey(), p.getKey(),
                p.getValue(), actual, errors));
          }
        }
      }
      for (int gi : groups.keySet().stream().sorted().toList()) {
        List<Double> expectedValues = c.observations().getOrDefault(gi, List.of());
        List<Double> actualValues = EvaluatePersons.observations(groups.get(gi));
        if (c.expected().containsKey(gi) && !sameValues(expectedValues, actualValues)) {
          ok = false;
          Row row = groups.get(gi);
          mismatches.add(new Mismatch(c.measure(), c.caseId(), c.description(), gi,
              "measure-observation " + expectedValues + " vs " + actualValues, expectedValues.size(), actualValues.size(),
              row.isNullAt(8) ? List.of() : row.getList(8)));
        }
      }
      for (Map.Entry<Integer, List<MeasureTestCase.Stratum>> g : c.strata().entrySet()) {
        Row row = groups.get(g.getKey());
        for (MeasureTestCase.Stratum st : g.getValue()) {
          if (st.value().equals("false")) {
            continue; // see MeasureTestCase.Stratum: the reports' false strata are not counts of members
          }
          for (Map.Entry<String, Integer> p : st.counts().entrySet()) {
            int actual = row == null ? 0 : EvaluatePersons.stratumMembers(row, st.stratifier(), st.value(), p.getKey());
            if (actual != p.getValue()) {
              ok = false;
              mismatches.add(new Mismatch(c.measure(), c.caseId(), c.description(), g.getKey(),
                  st.stratifier() + " stratum " + st.value() + " " + p.getKey(), p.getValue(), actual,
                  row == null || row.isNullAt(8) ? List.of() : row.getList(8), true));
            }
          }
        }
      }
      if (!ok) {
        failed++;
      }
    }
    LOG.info("measure test cases: {} passed, {} failed", cases.size() - failed, failed);
    return new Result(cases.size(), cases.size() - failed, failed, mismatches, ingest, (System.nanoTime() - t0) / 1e9,
        engineErrors, dataErrors);
  }

  /**
   * Observation values agree: the same number of values, pairwise equal once sorted. The test-case reports
   * carry each value in a population {@code count}, an integer: a decimal observation (a percentage, say)
   * agrees when it rounds to it.
   */
  static boolean sameValues(List<Double> expected, List<Double> actual) {
    if (expected.size() != actual.size()) {
      return false;
    }
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.get(i);
      double a = actual.get(i);
      if (Math.abs(e - a) > 1e-9 && !(e == Math.rint(e) && Math.abs(Math.round(a) - e) < 1e-9)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Rewrites every {@code reference} to a resource of the case to the prefixed id. A case holds one
   * test patient, so every Patient reference means it: some official cases carry references to
   * another case's patient id (copied test data), which the measure logic never follows.
   */
  private static void rewrite(JsonNode node, Map<String, String> ids, String patientRef) {
    if (node instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        JsonNode v = o.get(n);
        if ("reference".equals(n) && v.isTextual()) {
          String ref = v.asText();
          String key = ref.startsWith("urn:uuid:") ? "Patient/" + ref.substring(9) : ref;
          int slash = key.indexOf('/');
          if (slash > 0 && ids.containsKey(key)) {
            o.set(n, TextNode.valueOf(key.substring(0, slash + 1) + ids.get(key)));
          } else if (key.startsWith("Patient/") || key.contains("/Patient/")) {
            o.set(n, TextNode.valueOf(patientRef));
          }
        } else {
          rewrite(v, ids, patientRef);
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(v -> rewrite(v, ids, patientRef));
    }
  }

  /** The element that names the patient, for the patient-compartment types whose cases may omit it. */
  private static final Map<String, String> PATIENT_ELEMENT = Map.ofEntries(
      Map.entry("Communication", "subject"), Map.entry("CommunicationRequest", "subject"),
      Map.entry("Condition", "subject"), Map.entry("Observation", "subject"), Map.entry("Procedure", "subject"),
      Map.entry("Encounter", "subject"), Map.entry("ServiceRequest", "subject"), Map.entry("MedicationRequest", "subject"),
      Map.entry("MedicationAdministration", "subject"), Map.entry("MedicationDispense", "subject"),
      Map.entry("DiagnosticReport", "subject"), Map.entry("DeviceRequest", "subject"), Map.entry("Task", "for"),
      Map.entry("Immunization", "patient"), Map.entry("AllergyIntolerance", "patient"), Map.entry("Claim", "patient"),
      Map.entry("Coverage", "beneficiary"));

  /**
   * A case is one patient's record: the reference evaluation of the official cases runs each case's bundle in
   * that patient's context, so a resource of the patient's compartment whose cases omit the patient element
   * (CMS142: a Communication "not done" without subject) is that patient's. It gets the element; returns 1
   * when it did. (Outside the test cases such a resource names nobody and evaluates for nobody.)
   */
  private static int attach(ObjectNode r, String patientRef) {
    String element = PATIENT_ELEMENT.get(r.path("resourceType").asText());
    if (element == null || r.has(element)) {
      return 0;
    }
    r.putObject(element).put("reference", patientRef);
    return 1;
  }

  /** Prefixed id, hashed when the prefix would pass FHIR's 64-character limit. */
  static String newId(String prefix, String id) {
    String s = prefix + id;
    if (s.length() <= 64) {
      return s;
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return prefix + HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
