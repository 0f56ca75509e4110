package org.pophealth.measures;

import static org.apache.spark.sql.functions.col;

import ca.uhn.fhir.parser.IParser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.pophealth.io.CsvLines;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The independent check of evaluate-measures: every person's input (exactly what our engine got,
 * {@link EvaluatePersons#personInput}) is written as a FHIR Bundle and evaluated in another JVM by the CQF
 * clinical-reasoning measure processor (jobs/bench-peers/cqf, cqf-fhir-cr 4.4.0, which translates the
 * package's CQL itself) for the same package and period; every population of every person, measure and
 * group is compared with gold.measure_result. Reads the lakehouse, writes only files under {@code dir}:
 * {@code bundles/} (with {@code bundle-index.csv}), {@code peer.csv}, {@code peer.log}, {@code disagreements.csv}.
 */
public final class CrossCheckMeasures {
  private static final Logger LOG = LoggerFactory.getLogger(CrossCheckMeasures.class);
  private static final Map<String, String> COLUMN = Map.of("initial-population", "initial_population",
      "denominator", "denominator", "denominator-exclusion", "denominator_exclusion", "numerator", "numerator",
      "numerator-exclusion", "numerator_exclusion", "denominator-exception", "denominator_exception");

  private final Lakehouse lakehouse;
  private final String packageLocation;
  private final LocalDate start;
  private final LocalDate end;
  private final Path peer;
  private final Path dir;
  private String measure;
  private int limit = Integer.MAX_VALUE;
  private Path expected;

  public CrossCheckMeasures(Lakehouse lakehouse, String packageLocation, LocalDate start, LocalDate end, Path peer,
      Path dir) {
    this.lakehouse = lakehouse;
    this.packageLocation = packageLocation;
    this.start = start;
    this.end = end;
    this.peer = peer;
    this.dir = dir;
  }

  /** Only this measure (package name, e.g. BreastCancerScreeningFHIR). */
  public CrossCheckMeasures measure(String name) {
    this.measure = name;
    return this;
  }

  /**
   * Differences already explained as defects of the other side ({@code measure,population,kind,reason}; kind
   * {@code disagree} or {@code peer_error}, population {@code *} for any): counted apart, they do not fail the check.
   */
  public CrossCheckMeasures expectedDifferences(Path file) {
    this.expected = file;
    return this;
  }

  /** Only the first {@code n} persons (by person key). */
  public CrossCheckMeasures limit(int n) {
    this.limit = n;
    return this;
  }

  /** One population of one person, measure and group where the two evaluators differ. */
  public record Disagreement(String personKey, String measure, int group, String population, boolean ours,
      boolean theirs) {}

  /** An evaluation the other engine could not finish. */
  public record PeerError(String personKey, String measure, String message) {}

  public record Result(long persons, long comparisons, long agreements, List<Disagreement> disagreements,
      List<PeerError> peerErrors, long explainedDisagreements, long explainedPeerErrors, double seconds,
      double peerSeconds, Path dir) {
    /** Differences and other-engine failures that no entry of the expected-differences file explains. */
    public long unexplained() {
      return disagreements.size() - explainedDisagreements + peerErrors.size() - explainedPeerErrors;
    }

    public double agreementRate() {
      return comparisons == 0 ? 0 : (double) agreements / comparisons;
    }
  }

  public Result execute() throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    MeasurePackage pkg = LoadMeasurePackage.cached(packageLocation);
    String measureName = measure == null ? null : pkg.measure(measure).name();
    Path bundles = dir.resolve("bundles");
    Files.createDirectories(bundles);
    try (var old = Files.list(bundles)) {
      for (Path f : old.toList()) {
        Files.delete(f);
      }
    }
    Dataset<Row> persons = new CollectPersonResources(lakehouse, pkg).execute().orderBy("person_key").limit(limit);
    IParser parser = FhirContexts.r4().newJsonParser();
    ca.uhn.fhir.util.FhirTerser terser = FhirContexts.r4().newTerser();
    Map<String, String> keyByFile = new HashMap<>();
    long written = 0;
    for (Iterator<Row> it = persons.toLocalIterator(); it.hasNext(); ) {
      Row p = it.next();
      EvaluatePersons.PersonInput in = EvaluatePersons.personInput(p.getList(p.fieldIndex("resources")), parser);
      if (in.patient() == null) {
        continue; // not evaluated by evaluate-measures either
      }
      Bundle b = new Bundle().setType(Bundle.BundleType.COLLECTION);
      String patientRef = "Patient/" + in.patient().getIdElement().getIdPart();
      for (Resource r : in.resources()) {
        // one person, one Patient: evidence of the person's other source records (payer member, other MRNs)
        // points at the chosen Patient, so an evaluator that honours the Patient context sees all of it
        for (org.hl7.fhir.r4.model.Reference ref : terser.getAllPopulatedChildElementsOfType(r,
            org.hl7.fhir.r4.model.Reference.class)) {
          if (ref.getReference() != null && ref.getReference().startsWith("Patient/")) {
            ref.setReference(patientRef);
          }
        }
        b.addEntry().setResource(r);
      }
      String key = p.getString(p.fieldIndex("person_key"));
      String file = String.format("%08d", written);
      keyByFile.put(file, key);
      Files.writeString(bundles.resolve(file + ".json"), parser.encodeResourceToString(b));
      written++;
    }
    try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("bundle-index.csv"), StandardCharsets.UTF_8)) {
      w.write("bundle,person_key\n");
      for (Map.Entry<String, String> e : new TreeMap<>(keyByFile).entrySet()) {
        w.write(e.getKey() + ".json," + e.getValue() + "\n");
      }
    }
    LOG.info("cross-check: {} person bundles written to {}", written, bundles);

    Path out = dir.resolve("peer.csv");
    List<String> cmd = new ArrayList<>(List.of("bash", peer.toString(), "--package", packageDir().toString(),
        "--bundles", bundles.toString(), "--start", start.toString(), "--end", end.toString(), "--out", out.toString()));
    if (measureName != null) {
      cmd.addAll(List.of("--measure", measureName));
    }
    long p0 = System.nanoTime();
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("peer.log").toFile())
        .start();
    int code = proc.waitFor();
    double peerSeconds = (System.nanoTime() - p0) / 1e9;
    if (code != 0) {
      throw new IllegalStateException("the independent evaluator failed (exit " + code + "); see " + dir.resolve("peer.log"));
    }

    Map<String, Boolean> theirs = new TreeMap<>();
    List<PeerError> errors = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(out, StandardCharsets.UTF_8)) {
      // person_key (the bundle file), measure, group_index, population, count, error
      for (List<String> f : CsvLines.read(r)) {
        String key = keyByFile.get(f.get(0));
        if (!f.get(5).isEmpty()) {
          errors.add(new PeerError(key, f.get(1), f.get(5)));
          continue;
        }
        theirs.put(key + "|" + f.get(1) + "|" + f.get(2) + "|" + f.get(3), Integer.parseInt(f.get(4)) > 0);
      }
    }
    Map<String, Row> ours = new HashMap<>();
    Dataset<Row> results = lakehouse.read("gold.measure_result")
        .filter(col("period_start").equalTo(java.sql.Date.valueOf(start)).and(col("period_end").equalTo(java.sql.Date.valueOf(end))));
    if (measureName != null) {
      results = results.filter(col("measure").equalTo(measureName));
    }
    for (Row r : results.collectAsList()) {
      ours.put(r.<String>getAs("person_key") + "|" + r.<String>getAs("measure") + "|" + r.<Integer>getAs("group_index"), r);
    }
    List<Disagreement> differ = new ArrayList<>();
    long agree = 0;
    for (Map.Entry<String, Boolean> e : theirs.entrySet()) {
      String[] k = e.getKey().split("\\|");
      Row mine = ours.get(k[0] + "|" + k[1] + "|" + k[2]);
      String column = COLUMN.get(k[3]);
      boolean ourFlag = mine != null && column != null && Boolean.TRUE.equals(mine.getAs(column));
      if (ourFlag == e.getValue()) {
        agree++;
      } else {
        differ.add(new Disagreement(k[0], k[1], Integer.parseInt(k[2]), k[3], ourFlag, e.getValue()));
      }
    }
    try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("disagreements.csv"), StandardCharsets.UTF_8)) {
      w.write("person_key,measure,group_index,population,evaluate_measures,cqf_fhir_cr\n");
      for (Disagreement d : differ) {
        w.write(String.join(",", d.personKey(), d.measure(), Integer.toString(d.group()), d.population(),
            Boolean.toString(d.ours()), Boolean.toString(d.theirs())) + "\n");
      }
    }
    LOG.info("cross-check: {} comparisons, {} agree, {} differ, {} peer errors", theirs.size(), agree, differ.size(),
        errors.size());
    List<String[]> known = new ArrayList<>();
    if (expected != null) {
      String file = "crosscheck-differences.csv"; // its layout, declared in measures/ecqm/columns.yaml
      for (ReferenceRow row : ReferenceData.packaged("ecqm").withFile(file, expected).table(file).rows()) {
        known.add(new String[] {row.text("measure"), row.text("population"), row.text("kind")});
      }
    }
    long explained = differ.stream().filter(d -> explains(known, d.measure(), d.population(), "disagree")).count();
    long explainedErrors = errors.stream().filter(e -> explains(known, e.measure(), "*", "peer_error")).count();
    return new Result(written, theirs.size(), agree, List.copyOf(differ), List.copyOf(errors), explained,
        explainedErrors, (System.nanoTime() - t0) / 1e9, peerSeconds, dir);
  }

  private static boolean explains(List<String[]> known, String measure, String population, String kind) {
    for (String[] k : known) {
      if (k[0].equals(measure) && k[2].equals(kind) && (k[1].equals("*") || k[1].equals(population))) {
        return true;
      }
    }
    return false;
  }

  /** The package as files for the other JVM: a directory location, else measures/ecqm/<name> of the project. */
  private Path packageDir() {
    Path p = Path.of(packageLocation);
    if (Files.isDirectory(p.resolve("measure"))) {
      return p.toAbsolutePath();
    }
    Path project = org.pophealth.io.ProjectFiles.path("measures/ecqm/" + packageLocation);
    if (!Files.isDirectory(project.resolve("measure"))) {
      throw new UncheckedIOException(new IOException("measure package folder not found: " + project));
    }
    return project.toAbsolutePath();
  }
}
