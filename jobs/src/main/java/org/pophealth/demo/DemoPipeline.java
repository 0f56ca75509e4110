package org.pophealth.demo;

import java.io.PrintWriter;
import java.util.List;
import org.pophealth.cli.DuplicateSummary;
import org.pophealth.cli.IngestSummary;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.duplicates.DetectDuplicateTests;
import org.pophealth.duplicates.DuplicateTestRules;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.lakehouse.Lakehouse;

/** The demo's stages, in order. */
public final class DemoPipeline {
  private DemoPipeline() {}

  public static List<DemoStage> stages() {
    return List.of(new IngestEhrStage(), new DetectDuplicateTestsStage());
  }

  /** ingest-fhir of the Synthea export as source {@code ehr}. */
  static final class IngestEhrStage implements DemoStage {
    @Override
    public String name() {
      return "ingest-fhir (source ehr)";
    }

    @Override
    public void run(Lakehouse lakehouse, PopHealthConfig config, DemoInputs inputs, PrintWriter out)
        throws Exception {
      IngestResult r = new IngestFhirExport(lakehouse, "ehr", inputs.ehrExport().toString())
          .settings(config.ingest())
          .execute();
      IngestSummary.print(r, out);
    }
  }

  /** detect-duplicate-tests over everything ingested so far. */
  static final class DetectDuplicateTestsStage implements DemoStage {
    @Override
    public String name() {
      return "detect-duplicate-tests";
    }

    @Override
    public void run(Lakehouse lakehouse, PopHealthConfig config, DemoInputs inputs, PrintWriter out) {
      int min = config.duplicates().minCellSize();
      DetectDuplicateTests.Result r = new DetectDuplicateTests(lakehouse,
          DuplicateTestRules.load(config.duplicates().rulesDir())).minCellSize(min).execute();
      DuplicateSummary.print(r, min, out);
    }
  }
}
