package org.pophealth.peer;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.io.IOException;
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
 * The independent evaluator on the official eCQM test cases ({@code <Measure>/<case>/*.json} with the
 * expected {@code MeasureReport-*.json}): every population of every group against the expected counts, one
 * line per failing case, then {@code N passed, M failed}. Exit 1 on any failure.
 */
final class OfficialCases {
  private OfficialCases() {}

  static int run(Path packageDir, Path cases, String only) throws IOException {
    FhirContext ctx = FhirContext.forR4Cached();
    IParser json = ctx.newJsonParser();
    ca.uhn.fhir.util.FhirTerser terser = ctx.newTerser();
    Map<String, Measure> measures = new HashMap<>();
    List<Resource> pkg = CqfEvaluate.loadPackage(json, packageDir, measures);
    MeasureEvaluationOptions options = MeasureEvaluationOptions.defaultOptions()
        .setEvaluationSettings(EvaluationSettings.getDefault());
    int passed = 0;
    int failed = 0;
    for (Path measureDir : dirs(cases)) {
      String name = measureDir.getFileName().toString();
      if ((only != null && !only.equals(name)) || !measures.containsKey(name)) {
        continue;
      }
      for (Path caseDir : dirs(measureDir)) {
        Bundle all = new Bundle().setType(Bundle.BundleType.COLLECTION);
        pkg.forEach(r -> all.addEntry().setResource(r));
        MeasureReport expected = null;
        String patient = null;
        List<Resource> caseResources = new ArrayList<>();
        for (Path f : CqfEvaluate.list(caseDir)) {
          Resource r = (Resource) json.parseResource(Files.readString(f));
          if (r instanceof MeasureReport mr) {
            expected = mr;
            continue;
          }
          if (r instanceof Patient p) {
            patient = p.getIdElement().getIdPart();
          }
          caseResources.add(r);
        }
        if (expected == null || patient == null) {
          continue;
        }
        // some official cases point their resources at another Patient id than the case's Patient
        // (e.g. Patient/Patient-5 beside Patient 25727adc-...): the person's data is the case's bundle, so its
        // Patient references are pointed at the case's Patient, as crosscheck-measures does for a person
        for (Resource r : caseResources) {
          for (org.hl7.fhir.r4.model.Reference ref : terser.getAllPopulatedChildElementsOfType(r,
              org.hl7.fhir.r4.model.Reference.class)) {
            if (ref.getReference() != null && ref.getReference().startsWith("Patient/")) {
              ref.setReference("Patient/" + patient);
            }
          }
          all.addEntry().setResource(r);
        }
        System.err.println("CASE " + name + "/" + caseDir.getFileName());
        ZonedDateTime start = LocalDate.parse(expected.getPeriod().getStartElement().getValueAsString().substring(0, 10))
            .atStartOfDay(ZoneOffset.UTC);
        ZonedDateTime end = LocalDate.parse(expected.getPeriod().getEndElement().getValueAsString().substring(0, 10))
            .atTime(23, 59, 59, 999_000_000).atZone(ZoneOffset.UTC);
        String problem;
        try {
          MeasureReport got = new R4MultiMeasureService(new InMemoryFhirRepository(ctx, all), options, null,
              new MeasurePeriodValidator()).evaluate(Eithers.forRight3(measures.get(name)), start, end, "subject",
              "Patient/" + patient, null, null, null, null, null, null, null, null);
          problem = CqfEvaluate.errorOf(got);
          if (problem == null) {
            problem = compare(expected, got);
          }
        } catch (RuntimeException e) {
          problem = "engine error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n")[0]);
        }
        if (problem == null) {
          passed++;
        } else {
          failed++;
          System.out.println("FAIL " + name + "/" + caseDir.getFileName() + ": " + problem);
        }
      }
    }
    System.out.println(passed + " passed, " + failed + " failed");
    return failed == 0 ? 0 : 1;
  }

  /** Null when every expected population count of every group matches. */
  private static String compare(MeasureReport expected, MeasureReport got) {
    List<String> diffs = new ArrayList<>();
    for (int g = 0; g < expected.getGroup().size(); g++) {
      if (g >= got.getGroup().size()) {
        diffs.add("group " + (g + 1) + " missing");
        continue;
      }
      Map<String, Integer> have = new HashMap<>();
      for (MeasureReport.MeasureReportGroupPopulationComponent p : got.getGroup().get(g).getPopulation()) {
        have.put(p.getCode().getCodingFirstRep().getCode(), p.getCount());
      }
      for (MeasureReport.MeasureReportGroupPopulationComponent p : expected.getGroup().get(g).getPopulation()) {
        String code = p.getCode().getCodingFirstRep().getCode();
        int want = p.getCount();
        int is = have.getOrDefault(code, 0);
        if (want != is) {
          diffs.add("group " + (g + 1) + " " + code + " expected " + want + " got " + is);
        }
      }
    }
    return diffs.isEmpty() ? null : String.join("; ", diffs);
  }

  private static List<Path> dirs(Path p) throws IOException {
    try (Stream<Path> s = Files.list(p)) {
      return s.filter(Files::isDirectory).sorted().toList();
    }
  }
}
