package org.pophealth.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pophealth.config.SchedulerConfig;

/** Variables and switched-off jobs in a run's plan (no Spark). */
class PipelinePlanTest {
  private static SchedulerConfig.Job job(String name, List<String> command, List<String> after, String enabled) {
    return new SchedulerConfig.Job(name, command, after, 0, 0.0, enabled);
  }

  private static final SchedulerConfig.Pipeline CHAIN = new SchedulerConfig.Pipeline("p", null, null, List.of(
      job("a", List.of("ingest-fhir", "--dir", "${dir}"), null, null),
      job("b", List.of("score-risk", "--payment-year", "${year}"), List.of("a"), "${trend}"),
      job("c", List.of("evaluate-measures", "--period", "${period}"), List.of("b"), null)));

  @Test
  void variablesAreReplacedInCommands() {
    PipelinePlan plan = PipelinePlan.of(CHAIN, Map.of("dir", "/x/y", "year", "2025", "trend", "1", "period", "2024"));
    assertEquals(List.of("a", "b", "c"), plan.order().stream().map(SchedulerConfig.Job::name).toList());
    assertEquals(List.of("ingest-fhir", "--dir", "/x/y"), plan.order().get(0).command());
    assertEquals(List.of("score-risk", "--payment-year", "2025"), plan.order().get(1).command());
    assertEquals(Set.of("b", "c"), plan.dependents("a"));
  }

  @Test
  void aDisabledJobIsLeftOutAndItsDependentsWaitForItsOwnUpstream() {
    for (String off : List.of("0", "false", "No")) {
      PipelinePlan plan = PipelinePlan.of(CHAIN, Map.of("dir", "d", "year", "2025", "trend", off, "period", "2024"));
      assertEquals(List.of("a", "c"), plan.order().stream().map(SchedulerConfig.Job::name).toList(), off);
      assertEquals(List.of("a"), plan.order().get(1).after(), off);
      assertEquals(Set.of("c"), plan.dependents("a"), "a failing still skips c when b is off (" + off + ")");
    }
  }

  @Test
  void anUnknownVariableNamesTheJob() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PipelinePlan.of(CHAIN, Map.of("dir", "d", "trend", "1", "period", "2024")));
    assertTrue(e.getMessage().contains("job 'b' uses ${year}"), e.getMessage());
  }

  @Test
  void theConfiguredPlanIsCheckedWithoutSubstitution() {
    PipelinePlan plan = PipelinePlan.of(CHAIN);
    assertEquals(List.of("ingest-fhir", "--dir", "${dir}"), plan.order().get(0).command());
    assertEquals(3, plan.order().size());
  }
}
