package org.pophealth.schedule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pophealth.config.SchedulerConfig;

/**
 * A pipeline checked and put in run order: job names unique, every {@code after} names a job of the
 * pipeline, no cycles. The order is topological and otherwise follows the configuration, so it is the
 * same on every run.
 */
public final class PipelinePlan {
  private final SchedulerConfig.Pipeline pipeline;
  private final List<SchedulerConfig.Job> order;

  private PipelinePlan(SchedulerConfig.Pipeline pipeline, List<SchedulerConfig.Job> order) {
    this.pipeline = pipeline;
    this.order = order;
  }

  /** The plan of a pipeline as configured (commands not substituted, every job kept): checks it. */
  public static PipelinePlan of(SchedulerConfig.Pipeline p) {
    return of(p, null);
  }

  /**
   * The plan of one run: {@code ${name}} in commands and in {@code enabled} replaced by {@code variables}
   * (an unknown variable is an error); disabled jobs left out, the jobs after one waiting for its own
   * {@code after} jobs instead.
   */
  public static PipelinePlan of(SchedulerConfig.Pipeline p, Map<String, String> variables) {
    String where = "scheduler.pipelines[" + p.name() + "]";
    if (p.name() == null || p.name().isBlank()) {
      throw new IllegalArgumentException("scheduler.pipelines: a pipeline needs a name");
    }
    if (p.jobs() == null || p.jobs().isEmpty()) {
      throw new IllegalArgumentException(where + ": no jobs");
    }
    Map<String, SchedulerConfig.Job> byName = new LinkedHashMap<>();
    for (SchedulerConfig.Job j : p.jobs()) {
      if (j.name() == null || j.command() == null || j.command().isEmpty()) {
        throw new IllegalArgumentException(where + ": every job needs a name and a command");
      }
      if (byName.put(j.name(), j) != null) {
        throw new IllegalArgumentException(where + ": job '" + j.name() + "' is defined twice");
      }
    }
    for (SchedulerConfig.Job j : p.jobs()) {
      for (String a : after(j)) {
        if (!byName.containsKey(a)) {
          throw new IllegalArgumentException(where + ": job '" + j.name() + "' runs after '" + a
              + "', which is not a job of this pipeline");
        }
      }
    }
    if (variables != null) {
      byName = enabledJobs(where, byName, variables);
    }
    List<SchedulerConfig.Job> order = new ArrayList<>();
    Set<String> done = new HashSet<>();
    while (order.size() < byName.size()) {
      boolean progress = false;
      for (SchedulerConfig.Job j : byName.values()) {
        if (!done.contains(j.name()) && done.containsAll(after(j))) {
          order.add(j);
          done.add(j.name());
          progress = true;
          break; // restart from the top: earliest configured ready job first
        }
      }
      if (!progress) {
        List<String> stuck = byName.keySet().stream().filter(n -> !done.contains(n)).toList();
        throw new IllegalArgumentException(where + ": jobs depend on each other in a cycle: " + stuck);
      }
    }
    return new PipelinePlan(p, List.copyOf(order));
  }

  private static Map<String, SchedulerConfig.Job> enabledJobs(String where, Map<String, SchedulerConfig.Job> jobs,
      Map<String, String> variables) {
    Map<String, List<String>> afterOf = new HashMap<>();
    Set<String> disabled = new HashSet<>();
    for (SchedulerConfig.Job j : jobs.values()) {
      afterOf.put(j.name(), after(j));
      String enabled = j.enabled() == null ? null : substitute(where, j.name(), j.enabled(), variables).strip();
      if (enabled != null && List.of("0", "false", "no").contains(enabled.toLowerCase(java.util.Locale.ROOT))) {
        disabled.add(j.name());
      }
    }
    Map<String, SchedulerConfig.Job> out = new LinkedHashMap<>();
    for (SchedulerConfig.Job j : jobs.values()) {
      if (disabled.contains(j.name())) {
        continue;
      }
      // a disabled job's place in the graph is taken by the jobs it waited for
      Set<String> waits = new java.util.LinkedHashSet<>();
      List<String> todo = new ArrayList<>(after(j));
      Set<String> seen = new HashSet<>();
      while (!todo.isEmpty()) {
        String a = todo.remove(0);
        if (!seen.add(a)) {
          continue;
        }
        if (disabled.contains(a)) {
          todo.addAll(afterOf.getOrDefault(a, List.of()));
        } else {
          waits.add(a);
        }
      }
      List<String> command = j.command().stream().map(c -> substitute(where, j.name(), c, variables)).toList();
      out.put(j.name(), new SchedulerConfig.Job(j.name(), command, waits.isEmpty() ? null : List.copyOf(waits),
          j.retries(), j.backoffSeconds(), null));
    }
    return out;
  }

  private static final java.util.regex.Pattern VARIABLE = java.util.regex.Pattern.compile("\\$\\{([A-Za-z0-9_.]+)}");

  /** {@code ${name}} replaced by its value; an unknown name is an error naming the job. */
  static String substitute(String where, String job, String text, Map<String, String> variables) {
    java.util.regex.Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = variables.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException(where + ": job '" + job + "' uses ${" + m.group(1)
            + "}, which is not a variable of this run (variables: " + new java.util.TreeSet<>(variables.keySet()) + ")");
      }
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  static List<String> after(SchedulerConfig.Job j) {
    return j.after() == null ? List.of() : j.after();
  }

  public SchedulerConfig.Pipeline pipeline() {
    return pipeline;
  }

  public List<SchedulerConfig.Job> order() {
    return order;
  }

  /** Jobs that (transitively) wait for {@code job}. */
  public Set<String> dependents(String job) {
    Map<String, List<String>> children = new HashMap<>();
    for (SchedulerConfig.Job j : order) {
      for (String a : after(j)) {
        children.computeIfAbsent(a, k -> new ArrayList<>()).add(j.name());
      }
    }
    Set<String> out = new HashSet<>();
    List<String> todo = new ArrayList<>(children.getOrDefault(job, List.of()));
    while (!todo.isEmpty()) {
      String n = todo.remove(todo.size() - 1);
      if (out.add(n)) {
        todo.addAll(children.getOrDefault(n, List.of()));
      }
    }
    return out;
  }
}
