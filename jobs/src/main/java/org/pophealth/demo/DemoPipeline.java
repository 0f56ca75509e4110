package org.pophealth.demo;

import java.io.PrintWriter;
import java.util.List;
import org.pophealth.duplicates.DuplicateSummary;
import org.pophealth.ingest.fhir.IngestSummary;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.duplicates.DetectDuplicateTests;
import org.pophealth.duplicates.DuplicateTestRules;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.cohorts.CohortSummary;
import org.pophealth.identity.IdentitySummary;
import org.pophealth.ingest.claims.IngestClaimsSummary;
import org.pophealth.measures.MeasureSummaryPrinter;
import org.pophealth.risk.RiskSummary;

/** The demo's stages, in order. */
public final class DemoPipeline {
  private DemoPipeline() {}

  public static List<DemoStage> stages() {
    return List.of(new IngestEhrStage(), new PayerClaimsStage(), new ResolveIdentityStage(),
        new ScoreRiskStage(), new DetectDuplicateTestsStage(),
        new EvaluateMeasuresStage(), new BuildCohortsStage(), new PublishStage());
  }

  /** Where the demo payer's files (and its member truth file) are generated. */
  public static java.nio.file.Path payerDir(PopHealthConfig config, DemoInputs inputs) {
    return java.nio.file.Path.of(config.demo().cacheDir()).resolve("payer")
        .resolve(inputs.ehrExport().getFileName() + "-s" + config.claims().demoPayer().seed());
  }

  /** resolve-identity over every patient/member table that exists (EHR, and payer members when ingested). */
  static final class ResolveIdentityStage implements DemoStage {
    @Override
    public String name() {
      return "resolve-identity";
    }

    @Override
    public void run(Lakehouse lakehouse, PopHealthConfig config, DemoInputs inputs, PrintWriter out) {
      java.nio.file.Path truth = payerDir(config, inputs).resolve("member_truth.csv");
      org.pophealth.identity.IdentitySummary.print(
          new org.pophealth.identity.ResolveIdentity(lakehouse, config.identity())
              .groundTruth(java.nio.file.Files.isRegularFile(truth) ? truth.toString() : null)
              .execute(), out);
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

  /**
   * A second source with its own identities: payer claims files derived from the Synthea population
   * (GeneratePayerClaims), then ingest-claims of them as the configured demo payer source.
   */
  static final class PayerClaimsStage implements DemoStage {
    @Override
    public String name() {
      return "payer claims: generate files, ingest-claims";
    }

    @Override
    public void run(Lakehouse lakehouse, PopHealthConfig config, DemoInputs inputs, PrintWriter out)
        throws Exception {
      PopHealthConfig.DemoPayer p = config.claims().demoPayer();
      java.nio.file.Path dir = payerDir(config, inputs);
      GeneratePayerClaims.Result g = new GeneratePayerClaims(inputs.ehrExport(), dir, p).execute();
      out.printf("payer files: %d members, %d medical lines, %d pharmacy lines in %s (truth: member_truth.csv)%n",
          g.members(), g.medicalLines(), g.pharmacyLines(), dir);
      org.pophealth.ingest.claims.ClaimsIngestResult r =
          new org.pophealth.ingest.claims.IngestClaims(lakehouse, p.name(), dir.toString()).settings(config).execute();
      org.pophealth.ingest.claims.IngestClaimsSummary.print(r, out);
    }
  }

  /**
   * score-risk for risk.payment_year. The demo counts EHR encounter diagnoses (clinical triage, not
   * payment), whatever risk.include_ehr_diagnoses says; Synthea codes conditions in SNOMED CT only, so
   * its scores are demographic unless an ICD-10-CM coding is present.
   */
  static final class ScoreRiskStage implements DemoStage {
    @Override
    public String name() {
      return "score-risk (CMS-HCC, EHR diagnoses included for clinical triage)";
    }

    @Override
    public void run(Lakehouse lakehouse, PopHealthConfig config, DemoInputs inputs, PrintWriter out) {
      if (config.demo().trendPeriods() > 0) {
        // the prior payment year first: the rising-risk tier compares with it
        int prior = config.risk().paymentYear() - 1;
        org.pophealth.risk.ScoreRisk.Result p = new org.pophealth.risk.ScoreRisk(lakehouse, prior)
            .includeEhrDiagnoses(true).risingPercent(config.risk().risingPercent()).execute();
        out.printf("prior payment year %d: %d persons scored (the rising tier compares with it)%n", prior, p.scored());
      }
      org.pophealth.risk.ScoreRisk.Result r =
          new org.pophealth.risk.ScoreRisk(lakehouse, config.risk().paymentYear())
              .includeEhrDiagnoses(true)
              .risingPercent(config.risk().risingPercent())
              .execute();
      org.pophealth.risk.RiskSummary.print(r, out);
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

  /** evaluate-measures for the configured measurement period, then the summary table. */
  static final class EvaluateMeasuresStage implements DemoStage {
    @Override
    public String name() {
      return "evaluate-measures (official CMS eCQMs on the CQL engine)";
    }

    @Override
    public void run(Lakehouse lakehouse, PopHealthConfig config, DemoInputs inputs, PrintWriter out) {
      var period = config.measurementPeriod();
      for (int k = config.demo().trendPeriods(); k >= 1; k--) {
        // earlier periods first, for the dashboard's trend
        java.time.LocalDate s = period.start().minusYears(k);
        java.time.LocalDate e = period.end().minusYears(k);
        var t = new org.pophealth.measures.EvaluateMeasures(lakehouse, config.measures().packageDir(), s, e)
            .smallCellThreshold(config.measures().smallCellThreshold()).execute();
        t.results().unpersist();
        out.printf("period %s..%s: %d persons, %d person-measure evaluations, %d open gaps%n", s, e, t.persons(),
            t.evaluations(), t.gaps());
      }
      var r = new org.pophealth.measures.EvaluateMeasures(lakehouse, config.measures().packageDir(), period.start(),
          period.end()).smallCellThreshold(config.measures().smallCellThreshold()).execute();
      r.results().unpersist();
      org.pophealth.measures.MeasureSummaryPrinter.print(r, lakehouse, period.start(), period.end(), out);
    }
  }

  /** build-cohorts: attribution, then every packaged cohort as of the measurement period end. */
  static final class BuildCohortsStage implements DemoStage {
    @Override
    public String name() {
      return "build-cohorts (attribution, cohort lists)";
    }

    @Override
    public void run(Lakehouse lakehouse, PopHealthConfig config, DemoInputs inputs, PrintWriter out) {
      var defs = org.pophealth.cohorts.CohortSettings.definitions(config, null);
      var r = org.pophealth.cohorts.CohortSettings.build(lakehouse, config, defs,
          org.pophealth.cohorts.CohortSettings.asOf(config, null), List.of()).execute();
      org.pophealth.cohorts.CohortSummary.printBuild(r, out);
    }
  }

  /** publish: list files, FHIR Group/List and change files of every cohort; names the files. */
  static final class PublishStage implements DemoStage {
    @Override
    public String name() {
      return "publish (cohort lists for care managers and outreach)";
    }

    @Override
    public void run(Lakehouse lakehouse, PopHealthConfig config, DemoInputs inputs, PrintWriter out) {
      var defs = org.pophealth.cohorts.CohortSettings.definitions(config, null);
      var r = org.pophealth.cohorts.CohortSettings.publish(lakehouse, config, defs, null, List.of()).execute();
      org.pophealth.cohorts.CohortSummary.printPublish(r, out);
      if (!r.published().isEmpty()) {
        org.pophealth.dashboard.DashboardSummary.print(
            org.pophealth.dashboard.PublishDashboard.publish(lakehouse, config, null), out);
      }
    }
  }
}
