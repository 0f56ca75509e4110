package org.pophealth.peer;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Measure;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.fhir.cql.EvaluationSettings;
import org.opencds.cqf.fhir.cr.measure.MeasureEvaluationOptions;
import org.opencds.cqf.fhir.cr.measure.common.MeasurePeriodValidator;
import org.opencds.cqf.fhir.cr.measure.r4.R4MultiMeasureService;
import org.opencds.cqf.fhir.utility.monad.Eithers;
import org.opencds.cqf.fhir.utility.repository.InMemoryFhirRepository;

/**
 * The independent evaluator: each person's bundle (exactly the resources evaluate-measures gave its own
 * engine, one Patient) is evaluated by the CQF clinical-reasoning measure processor ($evaluate-measure,
 * subject report) with the package's Measure, Library and ValueSet resources and the same period. Writes
 * {@code person_key,measure,group_index,population,count} and one line per failed evaluation.
 *
 * <pre>run.sh --package DIR --bundles DIR --start 2025-01-01 --end 2025-12-31 --out FILE.csv</pre>
 */
public final class CqfEvaluate {
  private CqfEvaluate() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i], args[i + 1]);
    }
    if (a.containsKey("--cases")) {
      System.exit(OfficialCases.run(Path.of(a.get("--package")), Path.of(a.get("--cases")), a.get("--measure")));
    }
    for (String k : List.of("--package", "--bundles", "--start", "--end", "--out")) {
      if (!a.containsKey(k)) {
        System.err.println("usage: --package DIR --bundles DIR --start YYYY-MM-DD --end YYYY-MM-DD --out FILE.csv [--measure NAME]");
        System.exit(2);
      }
    }
    FhirContext ctx = FhirContext.forR4Cached();
    IParser json = ctx.newJsonParser();
    Map<String, Measure> byName = new java.util.TreeMap<>();
    List<Resource> pkg = loadPackage(json, Path.of(a.get("--package")), byName);
    List<Measure> measures = byName.values().stream()
        .filter(m -> a.get("--measure") == null || a.get("--measure").equals(m.getName())).toList();
    runBundles(a, ctx, json, pkg, measures);
  }

  /** The package's Library, ValueSet and Measure resources; its Measures by name into {@code measures}. */
  static List<Resource> loadPackage(IParser json, Path dir, Map<String, Measure> measures) throws IOException {
    List<Resource> pkg = new ArrayList<>();
    for (String folder : List.of("library", "valueset", "measure")) {
      for (Path f : list(dir.resolve(folder))) {
        Resource r = (Resource) json.parseResource(Files.readString(f));
        pkg.add(r);
        if (r instanceof Measure m) {
          withoutEmptyStratifiers(m);
          measures.put(m.getName(), m);
        }
      }
    }
    return pkg;
  }

  /**
   * A stratifier without a criteria expression (CMS165, CMS69 of the 2024 package) makes cqf-fhir-cr 4.4.0
   * abort the subject with a NullPointerException in its population-basis validator and report zeros: such
   * stratifiers are dropped (no population depends on them; evaluate-measures skips them too).
   */
  static void withoutEmptyStratifiers(Measure m) {
    for (Measure.MeasureGroupComponent g : m.getGroup()) {
      g.getStratifier().removeIf(st -> !st.hasCriteria() || !st.getCriteria().hasExpression());
    }
  }

  private static void runBundles(Map<String, String> a, FhirContext ctx, IParser json, List<Resource> pkg,
      List<Measure> measures) throws IOException {
    ZonedDateTime start = LocalDate.parse(a.get("--start")).atStartOfDay(ZoneOffset.UTC);
    ZonedDateTime end = LocalDate.parse(a.get("--end")).atTime(23, 59, 59, 999_000_000).atZone(ZoneOffset.UTC);
    // one settings object for every person: libraries are translated from their CQL once and cached
    EvaluationSettings settings = EvaluationSettings.getDefault();
    MeasureEvaluationOptions options = MeasureEvaluationOptions.defaultOptions().setEvaluationSettings(settings);
    long t0 = System.nanoTime();
    int persons = 0;
    int failures = 0;
    try (BufferedWriter out = Files.newBufferedWriter(Path.of(a.get("--out")), StandardCharsets.UTF_8)) {
      out.write("person_key,measure,group_index,population,count,error\n");
      for (Path f : list(Path.of(a.get("--bundles")))) {
        String personKey = f.getFileName().toString().replaceFirst("\\.json$", "");
        Bundle person = (Bundle) json.parseResource(Files.readString(f));
        Bundle all = new Bundle().setType(Bundle.BundleType.COLLECTION);
        String patientId = null;
        for (Resource r : pkg) {
          all.addEntry().setResource(r);
        }
        for (Bundle.BundleEntryComponent e : person.getEntry()) {
          all.addEntry().setResource(e.getResource());
          if (e.getResource() instanceof Patient p) {
            patientId = p.getIdElement().getIdPart();
          }
        }
        R4MultiMeasureService service = new R4MultiMeasureService(new InMemoryFhirRepository(ctx, all), options,
            null, new MeasurePeriodValidator());
        persons++;
        for (Measure m : measures) {
          try {
            MeasureReport report = service.evaluate(Eithers.forRight3(m), start, end, "subject",
                "Patient/" + patientId, null, null, null, null, null, null, null, null);
            if (System.getenv("CQF_REPORT") != null) {
              System.err.println(ctx.newJsonParser().setPrettyPrint(false).encodeResourceToString(report));
            }
            String error = errorOf(report);
            if (error != null) {
              // the engine's own failure is a failure, never a report of zeros
              failures++;
              out.write(csv(personKey) + "," + m.getName() + ",,,," + csv(error) + "\n");
              continue;
            }
            int g = 0;
            for (MeasureReport.MeasureReportGroupComponent group : report.getGroup()) {
              g++;
              for (MeasureReport.MeasureReportGroupPopulationComponent pop : group.getPopulation()) {
                String code = pop.getCode().getCodingFirstRep().getCode();
                out.write(csv(personKey) + "," + m.getName() + "," + g + "," + code + "," + pop.getCount() + ",\n");
              }
            }
          } catch (RuntimeException ex) {
            failures++;
            if (failures == 1 && System.getenv("CQF_DEBUG") != null) {
              ex.printStackTrace();
            }
            String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage().split("\n")[0];
            out.write(csv(personKey) + "," + m.getName() + ",,,," + csv(msg) + "\n");
          }
        }
      }
    }
    System.err.printf("cqf-fhir-cr: %d persons x %d measures in %.1f s, %d evaluations failed%n", persons,
        measures.size(), (System.nanoTime() - t0) / 1e9, failures);
  }

  /** The first error of a report marked {@code status = error} (its contained OperationOutcome), else null. */
  static String errorOf(MeasureReport report) {
    boolean failed = report.getStatus() == MeasureReport.MeasureReportStatus.ERROR;
    for (Resource c : report.getContained()) {
      if (c instanceof org.hl7.fhir.r4.model.OperationOutcome oo) {
        for (org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent i : oo.getIssue()) {
          if (i.getSeverity() == org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity.ERROR
              || i.getSeverity() == org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity.FATAL) {
            return i.getDiagnostics() == null ? "error" : i.getDiagnostics().split("\n")[0];
          }
        }
      }
    }
    return failed ? "MeasureReport status error" : null;
  }

  private static String csv(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }
}
