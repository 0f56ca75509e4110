package org.pophealth.demo;

import java.io.PrintWriter;
import java.util.List;
import org.pophealth.cli.IngestSummary;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.lakehouse.Lakehouse;

/** The demo's stages, in order. */
public final class DemoPipeline {
  private DemoPipeline() {}

  public static List<DemoStage> stages() {
    return List.of(new IngestEhrStage(), new EvaluateMeasuresStage());
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

  /** evaluate-measures for the configured measurement period, then the summary table. */
  static final class EvaluateMeasuresStage implements DemoStage {
    @Override
    public String name() {
      return "evaluate-measures (official CMS eCQMs on the CQL engine)";
    }

    @Override
    public void run(Lakehouse lakehouse, PopHealthConfig config, DemoInputs inputs, PrintWriter out) {
      var period = config.measurementPeriod();
      var r = new org.pophealth.measures.EvaluateMeasures(lakehouse, config.measures().packageDir(), period.start(),
          period.end()).smallCellThreshold(config.measures().smallCellThreshold()).execute();
      r.results().unpersist();
      org.pophealth.cli.MeasureSummaryPrinter.print(r, lakehouse, period.start(), period.end(), out);
    }
  }
}
