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

  public static PipelinePlan of(SchedulerConfig.Pipeline p) {
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
