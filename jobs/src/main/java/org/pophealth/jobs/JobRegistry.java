package org.pophealth.jobs;

import java.util.List;
import java.util.function.Supplier;

/**
 * Every pipeline job, in pipeline order: the one place a job is registered. The CLI adds each as a
 * subcommand, the scheduler and the demo run them by name through the CLI's command line, and
 * {@code bin/pophealth --help} lists them in this order.
 */
public final class JobRegistry {
  private static final List<Supplier<Job<?>>> JOBS = List.of(
      IngestFhirJob::new,
      IngestClaimsJob::new,
      BuildViewsJob::new,
      ResolveIdentityJob::new,
      ScoreRiskJob::new,
      FindHccGapsJob::new,
      DetectDuplicateTestsJob::new,
      EvaluateMeasuresJob::new,
      BuildCohortsJob::new,
      PublishJob::new,
      DashboardJob::new,
      OptimizeJob::new);

  private JobRegistry() {}

  /** A new instance of every job (a job instance holds one command line's options: use it once). */
  public static List<Job<?>> create() {
    return JOBS.stream().<Job<?>>map(Supplier::get).toList();
  }

  /** The jobs' names, in pipeline order. */
  public static List<String> names() {
    return create().stream().map(Job::name).toList();
  }
}
