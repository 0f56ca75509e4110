package org.pophealth.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * Jobs under a command group ({@code bin/pophealth <group> <job>}, e.g. {@code worklist import FILE}): the group's
   * name, its one-line description and its jobs.
   */
  public record Group(String name, String description, List<Supplier<Job<?>>> jobs) {
    /** A new instance of each of the group's jobs. */
    public List<Job<?>> create() {
      return jobs.stream().<Job<?>>map(Supplier::get).toList();
    }
  }

  private static final List<Group> GROUPS = List.of(
      new Group("worklist", "Care managers' outreach worklist (ops.worklist): import FILE applies recorded outcomes.",
          List.of(ImportOutreachJob::new)));

  private JobRegistry() {}

  /** The command groups of jobs, in help order. */
  public static List<Group> groups() {
    return GROUPS;
  }

  /** Every job class's instance, top-level and grouped (by group name; "" for the top level). */
  public static Map<String, List<Job<?>>> all() {
    Map<String, List<Job<?>>> m = new LinkedHashMap<>();
    m.put("", create());
    GROUPS.forEach(g -> m.put(g.name(), g.create()));
    return m;
  }

  /** A new instance of every job (a job instance holds one command line's options: use it once). */
  public static List<Job<?>> create() {
    return JOBS.stream().<Job<?>>map(Supplier::get).toList();
  }

  /** The jobs' names, in pipeline order. */
  public static List<String> names() {
    return create().stream().map(Job::name).toList();
  }
}
