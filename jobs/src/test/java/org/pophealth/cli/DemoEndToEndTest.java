package org.pophealth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.CliRunner;
import org.pophealth.testing.GoldenSnapshot;
import org.pophealth.testing.SharedSpark;
import org.junit.jupiter.api.Tag;

/**
 * The demo path end to end on a tiny Synthea population (3 patients, committed fixture): run through
 * the CLI as a user would; then the demo's ingest jobs again on the same export, which must leave every bronze,
 * silver and quarantine table identical. Expected
 * counts are computed here from the NDJSON files with a plain JSON parser, not from our code.
 */
@Tag("integration")
public class DemoEndToEndTest {
  /** The committed fingerprint of this demo's first run, which StandaloneClusterTest also compares with. */
  public static final String SNAPSHOT = "demo-tiny";
  /**
   * Columns whose values legitimately differ between two runs: run ids, wall-clock times, the export time
   * of a manifest-less export (its files' modification time: a fresh clone's checkout time) with the
   * bronze row keys hashed from it, and the payer delivery's file modification time (each run generates
   * its own payer files), and the measures' input_hash (it names the build's git commit).
   */
  private static final Set<String> RUN_DEPENDENT = Set.of("ingest_run_id", "resolve_run_id", "run_id",
      "computed_at", "evaluated_at", "decided_at", "occurred_at", "delivery_time", "export_time", "row_key",
      "input_hash");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The demo config both this test and the cluster test run: one measurement period and one payment year
   * (the earlier trend periods run the same jobs again; CI's full demo checks them), payer files cached
   * in {@code dir}.
   */
  public static Path config(Path dir) throws java.io.IOException {
    Path config = dir.resolve("demo-tiny.yaml");
    Files.writeString(config, "demo:\n  cache_dir: %s\n  trend_periods: 0\n".formatted(dir.resolve("cache")));
    return config;
  }

  /** Bronze, silver and gold tables as sorted JSON rows, without the run-dependent columns. */
  public static Map<String, List<String>> snapshot(Lakehouse lh) {
    return org.pophealth.testing.TableSnapshot.of(lh, c -> !c.zone().equals("ops"), RUN_DEPENDENT::contains);
  }

  @Test
  void demoOnTinySyntheaPopulationTwice() throws Exception {
    Path fixture = Path.of(DemoEndToEndTest.class.getResource("/synthea-tiny").toURI());
    Path lakehouse = Files.createTempDirectory("pophealth-demo-");
    Path config = config(Files.createTempDirectory("pophealth-demo-config-"));

    CliRunner.Result first = CliRunner.run("--config", config.toString(), "--lakehouse", lakehouse.toString(), "demo",
        "--ehr-dir", fixture.toString());
    assertEquals(0, first.exitCode(), first.err());
    assertTrue(first.out().contains("(reconciled)"), first.out());
    assertTrue(first.out().contains("silver.event"), "demo lists the tables it built:\n" + first.out());

    Lakehouse lh = new Lakehouse(SharedSpark.spark(), lakehouse.toString());
    Map<String, Long> linesPerType = countLines(fixture);
    long totalLines = linesPerType.values().stream().mapToLong(Long::longValue).sum();
    assertEquals(totalLines, lh.read("bronze.fhir_resource").count(), "one bronze row per line");
    assertEquals(0, lh.read("ops.quarantine").count(), "Synthea output is clean");
    assertEquals(linesPerType.get("Patient"), lh.read("silver.patient").count());
    assertEquals(linesPerType.get("Observation"), lh.read("silver.observation").count());
    assertEquals(linesPerType.get("Condition"), lh.read("silver.condition").count());

    // blood pressure: one systolic (8480-6) vital event per BP observation in the input
    long bpPanels = countMatching(fixture.resolve("Observation.ndjson"), "85354-9");
    assertTrue(bpPanels > 0, "fixture has blood pressures");
    assertEquals(bpPanels, lh.read("silver.event").filter("event_kind = 'vital' AND code = '8480-6'").count());
    // every EHR event belongs to a patient we have, every payer event to a member with eligibility
    Dataset<Row> events = lh.read("silver.event");
    Dataset<Row> ehr = events.filter("source = 'ehr'");
    Dataset<Row> patients = lh.read("silver.patient");
    assertEquals(0, ehr.join(patients, ehr.col("patient_id").equalTo(patients.col("id")), "left_anti").count(),
        "every EHR event belongs to a patient in silver.patient");
    Dataset<Row> billed = events.filter("source = 'payer'");
    Dataset<Row> members = lh.read("silver.eligibility");
    assertTrue(billed.count() > 0, "the demo payer's claims reach silver.event");
    assertEquals(0, billed.join(members, billed.col("patient_id").equalTo(members.col("member_id")), "left_anti")
        .count(), "every payer event belongs to a member in silver.eligibility");
    assertTrue(lh.read("silver.medical_claim").count() > 0, "payer medical claims loaded");
    // resolve-identity gave every EHR patient and payer member a person, and filled silver.event
    assertEquals(0, events.filter("person_id IS NULL").count(), "every event carries a person_id");
    // demo.jobs ran through the pipeline runner, in their order; with trend_periods 0 the prior payment
    // year's scoring is left out
    assertEquals(List.of("ingest-fhir", "ingest-claims", "build-views", "resolve-identity", "score-risk", "find-hcc-gaps",
            "detect-duplicate-tests", "evaluate-measures", "build-cohorts", "publish"),
        lh.read("ops.job_run").filter("pipeline = 'demo' AND status = 'succeeded'").orderBy("started_at")
            .select("job").as(org.apache.spark.sql.Encoders.STRING()).collectAsList(), "demo jobs in ops.job_run");

    // build-views: the shipped views over the demo's current resources, one row per current Patient
    assertEquals(linesPerType.get("Patient"), lh.spark().read().format("delta")
        .load(lh.viewPath("patient_demographics")).count(), "view.patient_demographics: one row per patient");
    assertTrue(first.out().contains("view.medication_request_coded"), "the demo prints the views built:\n" + first.out());

    Map<String, List<String>> all = snapshot(lh);
    for (String gold : List.of("gold.person", "gold.measure_result", "gold.cohort_member", "gold.risk_score")) {
      assertFalse(all.getOrDefault(gold, List.of()).isEmpty(), "the demo filled " + gold);
    }
    // an engine error is a failure, never a row that merely counts as "not met"
    assertEquals(List.of(), lh.read("gold.measure_result").filter("errors IS NOT NULL")
        .selectExpr("concat(measure, ': ', errors[0])").distinct().as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList(), "CQL engine errors in gold.measure_result");
    GoldenSnapshot.assertMatches(SNAPSHOT, all);
    demoExportsConformToDeqm(lh);

    // the same export again: only the demo's ingest jobs (what is compared is the input side; re-running the
    // analytics jobs here would double the test's time and compare nothing)
    Map<String, List<String>> before = inputSideSnapshot(lh);
    Path again = config.resolveSibling("demo-tiny-ingest.yaml");
    Files.writeString(again, Files.readString(config) + """
          jobs:
            - {name: ingest-fhir, command: [ingest-fhir, --source, ehr, --dir, "${ehr_export}"]}
            - {name: ingest-claims, command: [ingest-claims, --source, "${payer_source}", --dir, "${payer_dir}"]}
        """);
    CliRunner.Result second = CliRunner.run("--config", again.toString(), "--lakehouse", lakehouse.toString(), "demo",
        "--ehr-dir", fixture.toString());
    assertEquals(0, second.exitCode(), second.err());
    assertTrue(second.out().contains("bronze rows added 0"), second.out());
    Map<String, List<String>> after = inputSideSnapshot(lh);
    assertEquals(before.keySet(), after.keySet());
    for (String table : before.keySet()) {
      assertEquals(before.get(table), after.get(table), "re-running the same export changed " + table);
    }
  }

  /**
   * The demo's MeasureReports (summary, subject-list, individual) and care-gap Bundles (every status), exported
   * from its gold tables as {@code evaluate-measures --export-reports --individual --export-care-gaps} writes them,
   * validate against the Da Vinci DEQM profiles (HAPI's validator; any error fails).
   */
  private static void demoExportsConformToDeqm(Lakehouse lh) throws Exception {
    Row period = lh.read("gold.measure_result").selectExpr("max(period_start)", "max(period_end)").head();
    java.time.LocalDate start = period.getDate(0).toLocalDate();
    java.time.LocalDate end = period.getDate(1).toLocalDate();
    Path out = Files.createTempDirectory("pophealth-demo-deqm-");
    var reports = new org.pophealth.measures.ExportMeasureReports(lh, start, end, out.resolve("reports"), true).execute();
    var bundles = new org.pophealth.measures.ExportCareGapBundles(lh, start, end, out.resolve("gaps")).allStatuses(true)
        .execute();
    assertTrue(reports.summaries() > 0 && reports.individuals() > 0 && bundles.bundles() > 0,
        reports + " " + bundles);
    org.pophealth.measures.DeqmValidator deqm = org.pophealth.measures.DeqmValidator.forExports();
    ca.uhn.fhir.parser.IParser json = org.pophealth.measures.FhirContexts.r4().newJsonParser();
    List<Path> files;
    try (java.util.stream.Stream<Path> walk = Files.walk(out)) {
      files = walk.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    int individuals = 0;
    for (Path f : files) {
      // every summary, subject list and Bundle; individual reports up to 40 (they differ only by person)
      if (f.toString().contains("/individual/") && ++individuals > 40) {
        continue;
      }
      deqm.assertConforms(out.relativize(f).toString(), json.parseResource(Files.readString(f)));
    }
  }

  /** Sorted JSON rows of every bronze, silver and quarantine table. */
  private static Map<String, List<String>> inputSideSnapshot(Lakehouse lh) {
    return org.pophealth.testing.TableSnapshot.of(lh, c -> c.zone().equals("bronze") || c.zone().equals("silver")
        || c.name().equals("ops.quarantine"), n -> false);
  }

  private static Map<String, Long> countLines(Path dir) throws Exception {
    Map<String, Long> counts = new HashMap<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".ndjson")).toList()) {
        for (String line : Files.readAllLines(f)) {
          if (!line.isBlank()) {
            counts.merge(JSON.readTree(line).get("resourceType").asText(), 1L, Long::sum);
          }
        }
      }
    }
    return counts;
  }

  private static long countMatching(Path file, String loinc) throws Exception {
    long n = 0;
    for (String line : Files.readAllLines(file)) {
      JsonNode r = JSON.readTree(line);
      for (JsonNode c : r.path("code").path("coding")) {
        if (loinc.equals(c.path("code").asText())) {
          n++;
          break;
        }
      }
    }
    return n;
  }
}
