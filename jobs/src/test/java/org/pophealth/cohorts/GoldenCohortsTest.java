package org.pophealth.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.ExpectedRows;
import org.pophealth.testing.FixtureTables;
import org.pophealth.testing.GoldenCases;
import org.pophealth.testing.SharedSpark;

/**
 * Runs every case under {@code src/test/resources/cohorts/<case>/}. A case has one or more phases: the
 * case folder itself, then {@code phase2/}, {@code phase3/}... Each phase replaces the tables named by
 * {@code input/<zone>.<table>.ndjson} with those rows, runs build-cohorts (attribution included) and
 * publish, then compares:
 * <ul>
 *   <li>{@code expected/<zone>.<table>.ndjson} with the table (gold.cohort_member restricted to this
 *       phase's publications, gold.attribution to the as-of date; see {@link ExpectedRows});</li>
 *   <li>{@code expected/files/<cohort>/<path>} with the published file of this phase's publication,
 *       byte for byte (e.g. {@code changes.csv}, {@code care_manager/list.csv}).</li>
 * </ul>
 * {@code options.properties}: {@code as_of}, {@code period_start}/{@code period_end} (default the year
 * of as_of), {@code payment_year} (default 2026), {@code cohorts} (comma list, default all),
 * {@code definitions} (a folder of the case holding its own definitions), {@code rerun_same_id}
 * (building again without changes gives the same publication ids). Expected values are derived by hand
 * in each case's README.md.
 */
class GoldenCohortsTest {
  static Stream<String> cases() {
    return GoldenCases.names("cohorts");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void goldenCase(String name) throws Exception {
    Path dir = GoldenCases.dir("cohorts/" + name);
    Properties o = new Properties();
    if (Files.exists(dir.resolve("options.properties"))) {
      try (InputStream in = Files.newInputStream(dir.resolve("options.properties"))) {
        o.load(in);
      }
    }
    LocalDate asOf = LocalDate.parse(o.getProperty("as_of", "2025-12-31"));
    LocalDate start = LocalDate.parse(o.getProperty("period_start", asOf.getYear() + "-01-01"));
    LocalDate end = LocalDate.parse(o.getProperty("period_end", asOf.getYear() + "-12-31"));
    int paymentYear = Integer.parseInt(o.getProperty("payment_year", "2026"));
    List<String> only = o.containsKey("cohorts") ? List.of(o.getProperty("cohorts").split(",")) : List.of();
    String defsDir = o.containsKey("definitions") ? dir.resolve(o.getProperty("definitions")).toString() : null;
    LoadCohortDefinitions.Result defs = new LoadCohortDefinitions(defsDir).execute();
    Lakehouse lh = SharedSpark.newLakehouse();
    Path publishDir = Files.createTempDirectory("pophealth-test-published-");
    List<Path> phases = new ArrayList<>(List.of(dir));
    for (int i = 2; Files.isDirectory(dir.resolve("phase" + i)); i++) {
      phases.add(dir.resolve("phase" + i));
    }
    int compared = 0;
    for (Path phase : phases) {
      String label = name + (phase.equals(dir) ? "" : "/" + phase.getFileName());
      if (Files.isDirectory(phase.resolve("input"))) {
        try (Stream<Path> s = Files.list(phase.resolve("input"))) {
          for (Path f : s.filter(p -> p.toString().endsWith(".ndjson")).sorted().toList()) {
            FixtureTables.replace(lh, f.getFileName().toString().replace(".ndjson", ""), f);
          }
        }
      }
      BuildCohorts.Result built = new BuildCohorts(lh, defs, asOf, start, end, paymentYear).only(only).execute();
      Map<String, String> pubs = built.cohorts().stream()
          .collect(Collectors.toMap(BuildCohorts.Built::cohort, BuildCohorts.Built::publication));
      if (Boolean.parseBoolean(o.getProperty("rerun_same_id", "false"))) {
        BuildCohorts.Result again = new BuildCohorts(lh, defs, asOf, start, end, paymentYear).only(only).execute();
        for (BuildCohorts.Built b : again.cohorts()) {
          assertEquals(pubs.get(b.cohort()), b.publication(), label + ": unchanged inputs, same publication id");
        }
        assertTrue(!again.attribution().written(), label + ": unchanged attribution is not rewritten");
      }
      PublishCohorts.Result published = new PublishCohorts(lh, defs, publishDir.toString()).only(only).execute();
      assertEquals(pubs.size(), published.published().size(), label + ": every built cohort published");
      for (PublishCohorts.Published p : published.published()) {
        Path at = Path.of(p.location());
        var parser = org.pophealth.measures.FhirContexts.r4().newJsonParser()
            .setParserErrorHandler(new ca.uhn.fhir.parser.StrictErrorHandler());
        var group = parser.parseResource(org.hl7.fhir.r4.model.Group.class, Files.readString(at.resolve("group.json")));
        var list = parser.parseResource(org.hl7.fhir.r4.model.ListResource.class,
            Files.readString(at.resolve("list.json")));
        assertEquals(p.listed(), group.getMember().size(), label + ": Group members");
        assertEquals(p.listed(), list.getEntry().size(), label + ": List entries");
      }
      Path expected = phase.resolve("expected");
      if (!Files.isDirectory(expected)) {
        continue;
      }
      try (Stream<Path> s = Files.list(expected)) {
        for (Path f : s.filter(p -> p.toString().endsWith(".ndjson")).sorted().toList()) {
          String table = f.getFileName().toString().replace(".ndjson", "");
          Dataset<Row> actual = lh.read(table);
          if (table.equals(BuildCohorts.TABLE)) {
            actual = actual.filter(pubs.values().stream().map(p -> "publication = '" + p + "'")
                .collect(Collectors.joining(" OR ", "(", ")")));
          } else if (table.equals(AttributePatients.TABLE)) {
            actual = actual.filter("as_of = DATE'" + asOf + "'");
          }
          ExpectedRows.assertTable(f, actual, label + " " + table);
          compared++;
        }
      }
      Path files = expected.resolve("files");
      if (Files.isDirectory(files)) {
        try (Stream<Path> s = Files.walk(files)) {
          for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
            Path rel = files.relativize(f);
            String cohort = rel.getName(0).toString();
            Path actual = publishDir.resolve(cohort).resolve(pubs.get(cohort)).resolve(rel.subpath(1, rel.getNameCount()));
            assertTrue(Files.isRegularFile(actual), label + ": published file " + rel + " exists");
            assertEquals(Files.readString(f), Files.readString(actual), label + ": published " + rel);
            compared++;
          }
        }
      }
    }
    assertTrue(compared > 0, name + ": nothing compared");
  }
}
