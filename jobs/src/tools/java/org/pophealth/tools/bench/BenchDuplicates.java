package org.pophealth.tools.bench;

import org.pophealth.tools.generate.GenerateSyntheticEvents;
import java.nio.file.Path;
import org.pophealth.duplicates.DetectDuplicateTests;
import org.pophealth.duplicates.DuplicateTestRules;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.lakehouse.Lakehouse;

/**
 * {@code bench duplicates}: detect-duplicate-tests throughput (silver events scanned per second) on a
 * synthetic event table, or on a FHIR export ingested into the scratch lakehouse first.
 */
public final class BenchDuplicates {
  private final Lakehouse scratch;
  private final long events;
  private final long persons;
  private final Path input;

  public BenchDuplicates(Lakehouse scratch, long events, long persons, Path input) {
    this.scratch = scratch;
    this.events = events;
    this.persons = persons;
    this.input = input;
  }

  public record Result(String input, long silverEvents, double prepareSeconds, DetectDuplicateTests.Result detect) {
    public double eventsPerSecond() {
      return silverEvents / detect.seconds();
    }
  }

  public Result execute() throws java.io.IOException {
    double prepare;
    String label;
    if (input != null) {
      var r = new IngestFhirExport(scratch, "bench", input.toString()).execute();
      prepare = r.seconds();
      label = input.toString();
    } else {
      prepare = new GenerateSyntheticEvents(scratch, events, persons, 7).execute().seconds();
      label = "synthetic " + events + " events, " + persons + " persons";
    }
    long silver = scratch.read("silver.event").count();
    DetectDuplicateTests.Result d = new DetectDuplicateTests(scratch, DuplicateTestRules.packaged()).execute();
    return new Result(label, silver, prepare, d);
  }
}
