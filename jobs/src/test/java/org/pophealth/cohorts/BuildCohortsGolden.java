package org.pophealth.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.ListResource;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.measures.FhirContexts;
import org.pophealth.testing.FixtureTables;
import org.pophealth.testing.GoldenCase;
import org.pophealth.testing.GoldenJob;

/**
 * {@code build-cohorts} cases, publish included. Each phase replaces the tables named by
 * {@code input/<zone>.<table>.ndjson} with those rows, builds the cohorts (attribution included) and publishes
 * them; the published Group and List parse strictly and hold the listed persons. gold.cohort_member is compared
 * on this phase's publications, gold.attribution on the as-of date, {@code expected/files/<cohort>/<path>} with
 * the file of this phase's publication. Options: {@code as_of}, {@code period_start}/{@code period_end} (default
 * the year of as_of), {@code payment_year} (default 2026), {@code cohorts} (comma list, default all),
 * {@code definitions} (a folder of the case holding its own definitions), {@code rerun_same_id} (building again
 * without changes gives the same publication ids and leaves the attribution alone), {@code worklist} (a folder of
 * the case with assignment.csv/reoffer.csv, default the packaged measures/worklist/), {@code republish} (publishing
 * again leaves ops.worklist as it is).
 *
 * <p>Worklist steps: a phase's {@code outreach.csv} is imported ({@link ImportOutreach}) before the phase builds and
 * publishes; the import always reconciles (read = applied + rejected). A phase's {@code phase.yaml} may set
 * {@code as_of} (this phase's reference date), {@code publish: false} (import only) and {@code import:} the counts
 * the import must report ({@code read, applied, added, already, rejected}).
 */
public final class BuildCohortsGolden implements GoldenJob {
  private Path publishDir;
  private LoadCohortDefinitions.Result defs;

  @Override
  public Set<String> options() {
    return Set.of("as_of", "period_start", "period_end", "payment_year", "cohorts", "definitions", "rerun_same_id",
        "worklist", "republish");
  }

  @Override
  public Outcome run(GoldenCase c, Path phase, Lakehouse lh) throws Exception {
    com.fasterxml.jackson.databind.JsonNode steps = phaseSteps(phase);
    LocalDate asOf = LocalDate.parse(steps.path("as_of").asText(c.option("as_of", "2025-12-31")));
    LocalDate start = LocalDate.parse(c.option("period_start", asOf.getYear() + "-01-01"));
    LocalDate end = LocalDate.parse(c.option("period_end", asOf.getYear() + "-12-31"));
    int paymentYear = Integer.parseInt(c.option("payment_year", "2026"));
    List<String> only = c.options().containsKey("cohorts") ? List.of(c.option("cohorts", "").split(",")) : List.of();
    String defsDir = c.options().containsKey("definitions") ? c.dir().resolve(c.option("definitions", "")).toString()
        : null;
    if (publishDir == null) {
      defs = new LoadCohortDefinitions(defsDir).execute(); // once per case, as the phases share them
      publishDir = Files.createTempDirectory("pophealth-test-published-");
    }
    String label = c.label(phase);
    FixtureTables.replaceFolder(lh, phase.resolve("input"));
    if (Files.isRegularFile(phase.resolve("outreach.csv"))) {
      importOutreach(lh, phase, steps, label);
    }
    if (!steps.path("publish").asBoolean(true)) {
      return new Outcome() {};
    }
    BuildCohorts.Result built = new BuildCohorts(lh, defs, asOf, start, end, paymentYear).only(only).execute();
    Map<String, String> pubs = built.cohorts().stream()
        .collect(Collectors.toMap(BuildCohorts.Built::cohort, BuildCohorts.Built::publication));
    if (c.flag("rerun_same_id")) {
      BuildCohorts.Result again = new BuildCohorts(lh, defs, asOf, start, end, paymentYear).only(only).execute();
      for (BuildCohorts.Built b : again.cohorts()) {
        assertEquals(pubs.get(b.cohort()), b.publication(), label + ": unchanged inputs, same publication id");
      }
      assertTrue(!again.attribution().written(), label + ": unchanged attribution is not rewritten");
    }
    WorklistRules rules = WorklistRules.load(c.options().containsKey("worklist")
        ? c.dir().resolve(c.option("worklist", "")).toString() : null);
    PublishCohorts.Result published = new PublishCohorts(lh, defs, publishDir.toString()).worklist(rules).only(only)
        .execute();
    if (c.flag("republish")) {
      List<String> before = worklistRows(lh);
      new PublishCohorts(lh, defs, publishDir.toString()).worklist(rules).only(only).execute();
      assertEquals(before, worklistRows(lh), label + ": publishing again leaves ops.worklist as it is");
    }
    assertEquals(pubs.size(), published.published().size(), label + ": every built cohort published");
    IParser parser = FhirContexts.r4().newJsonParser().setParserErrorHandler(new StrictErrorHandler());
    for (PublishCohorts.Published p : published.published()) {
      Path at = Path.of(p.location());
      Group group = parser.parseResource(Group.class, Files.readString(at.resolve("group.json")));
      ListResource list = parser.parseResource(ListResource.class, Files.readString(at.resolve("list.json")));
      assertEquals(p.listed(), group.getMember().size(), label + ": Group members");
      assertEquals(p.listed(), list.getEntry().size(), label + ": List entries");
    }
    Path dir = publishDir;
    return new Outcome() {
      @Override
      public Dataset<Row> table(Lakehouse lakehouse, String name) {
        Dataset<Row> actual = lakehouse.read(name);
        if (name.equals(BuildCohorts.TABLE)) {
          return actual.filter(pubs.values().stream().map(p -> "publication = '" + p + "'")
              .collect(Collectors.joining(" OR ", "(", ")")));
        } else if (name.equals(AttributePatients.TABLE)) {
          return actual.filter("as_of = DATE'" + asOf + "'");
        }
        return actual;
      }

      @Override
      public Path file(Path relative) {
        String cohort = relative.getName(0).toString();
        assertTrue(pubs.containsKey(cohort), label + ": cohort " + cohort + " was built in this phase");
        return dir.resolve(cohort).resolve(pubs.get(cohort)).resolve(relative.subpath(1, relative.getNameCount()));
      }
    };
  }

  private static com.fasterxml.jackson.databind.JsonNode phaseSteps(Path phase) throws java.io.IOException {
    Path f = phase.resolve("phase.yaml");
    if (!Files.isRegularFile(f)) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    com.fasterxml.jackson.databind.JsonNode y = new com.fasterxml.jackson.databind.ObjectMapper(
        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(f.toFile());
    for (java.util.Iterator<String> it = y.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      assertTrue(Set.of("as_of", "publish", "import").contains(k), f + ": unknown key " + k + " (as_of, publish, import)");
    }
    return y;
  }

  /** Imports the phase's outreach.csv; it reconciles, and its counts are those phase.yaml's {@code import:} names. */
  private void importOutreach(Lakehouse lh, Path phase, com.fasterxml.jackson.databind.JsonNode steps, String label) throws Exception {
    ImportOutreach.Result r = new ImportOutreach(lh, phase.resolve("outreach.csv"),
        defs.definitions().stream().map(CohortDefinition::name).collect(Collectors.toSet()), "tester").execute();
    assertEquals(r.read(), r.applied() + r.rejected(), label + ": import read = applied + rejected " + r);
    Map<String, Long> actual = Map.of("read", r.read(), "applied", r.applied(), "added", r.added(), "already",
        r.alreadyRecorded(), "rejected", r.rejected());
    for (java.util.Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = steps.path("import")
        .fields(); it.hasNext(); ) {
      Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
      assertTrue(actual.containsKey(e.getKey()), label + ": phase.yaml import: unknown count " + e.getKey());
      assertEquals(e.getValue().asLong(), actual.get(e.getKey()), label + ": import " + e.getKey() + " " + r);
    }
  }

  private static List<String> worklistRows(Lakehouse lh) {
    return lh.read(WorklistItem.TABLE).orderBy("cohort", "person_id", "opened_at").toJSON().collectAsList();
  }
}
