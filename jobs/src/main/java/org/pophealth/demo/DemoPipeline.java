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
    return List.of(new IngestEhrStage(), new ResolveIdentityStage());
  }

  /** resolve-identity over every patient/member table that exists (EHR, and payer members when ingested). */
  static final class ResolveIdentityStage implements DemoStage {
    @Override
    public String name() {
      return "resolve-identity";
    }

    @Override
    public void run(Lakehouse lakehouse, PopHealthConfig config, DemoInputs inputs, PrintWriter out) {
      org.pophealth.cli.IdentitySummary.print(
          new org.pophealth.identity.ResolveIdentity(lakehouse, config.identity()).execute(), out);
    }
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
}
