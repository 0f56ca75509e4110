package org.pophealth.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Worklist rules as data, an item's status from its attempts, and `due` in a cohort's priority (no Spark). */
class WorklistRulesTest {
  @TempDir Path dir;

  @Test
  void packagedRules() {
    WorklistRules r = WorklistRules.load(null);
    assertEquals(List.of(new WorklistRules.Assignment("*", "*", "*", "care-team", 500)), r.assignments());
    assertEquals(180, r.reofferDays("declined", "cancer-screening-due"));
    assertEquals(90, r.reofferDays("reached", "x"));
    assertEquals(0, r.reofferDays("closed", "x"), "closed by publish: re-offered at once");
  }

  @Test
  void firstMatchingLineAndReofferBoundary() throws Exception {
    Files.writeString(dir.resolve("reoffer.csv"), "status,cohort,days\ndeclined,diabetes,30\ndeclined,*,10\n");
    Files.writeString(dir.resolve("assignment.csv"), "cohort,organization,pcp_npi,assignee,capacity\n"
        + "a,ORG1,*,ann,2\n*,*,123,bob,1\n");
    WorklistRules r = WorklistRules.load(dir.toString());
    assertEquals(30, r.reofferDays("declined", "diabetes"), "the cohort's own line comes first");
    assertEquals(10, r.reofferDays("declined", "other"));
    LocalDate closed = LocalDate.of(2025, 12, 20);
    // 10 days: held back through 2025-12-29, offered again from 2025-12-30
    assertTrue(r.heldBack("declined", "other", closed, LocalDate.of(2025, 12, 29)));
    assertFalse(r.heldBack("declined", "other", closed, LocalDate.of(2025, 12, 30)));
    assertFalse(r.heldBack("reached", "other", closed, LocalDate.of(2025, 12, 21)),
        "this folder's reoffer.csv has no reached line: re-offered at once");
    WorklistRules.Assignment ann = r.assignments().get(0);
    assertTrue(ann.matches("a", "ORG1", null, "999"));
    assertTrue(ann.matches("a", "npi-x", "ORG1", null), "organisation by name too");
    assertFalse(ann.matches("b", "ORG1", null, "999"));
    assertFalse(ann.matches("a", null, null, "999"));
    assertTrue(r.assignments().get(1).matches("b", null, null, "123"));
    assertFalse(r.assignments().get(1).matches("b", null, null, null));
  }

  @Test
  void badRuleFilesNameFileAndLine() throws Exception {
    Files.writeString(dir.resolve("reoffer.csv"), "status,cohort,days\nignored,*,10\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorklistRules.load(dir.toString()));
    assertTrue(e.getMessage().contains("reoffer.csv") && e.getMessage().contains("line 2"), e.getMessage());
    Files.writeString(dir.resolve("reoffer.csv"), "status,cohort,days\n");
    Files.writeString(dir.resolve("assignment.csv"), "cohort,organization,assignee,capacity\n*,*,x,1\n");
    e = assertThrows(IllegalArgumentException.class, () -> WorklistRules.load(dir.toString()));
    assertTrue(e.getMessage().contains("pcp_npi"), e.getMessage());
  }

  @Test
  void statusFollowsTheLatestAttemptByDate() {
    WorklistItem i = new WorklistItem("c", "P1", "pub1", LocalDate.of(2025, 12, 31));
    i.add(attempt("2025-12-12", "scheduled", "2026-01-10"), "import:1");
    assertEquals("scheduled", i.status);
    i.add(attempt("2025-12-05", "no_answer", "2025-12-08"), "import:2");
    assertEquals("scheduled", i.status, "an earlier attempt imported later does not change the status");
    assertEquals(LocalDate.of(2026, 1, 10), i.nextContact());
    assertEquals(LocalDate.of(2025, 12, 5), i.attempts.get(0).date(), "attempts in date order");
    assertFalse(i.due(LocalDate.of(2026, 1, 9)));
    assertTrue(i.due(LocalDate.of(2026, 1, 10)));
    assertNull(i.closedAt);
    i.add(attempt("2025-12-20", "declined", null), "import:3");
    assertEquals("declined", i.status);
    assertEquals(LocalDate.of(2025, 12, 20), i.closedAt);
    assertEquals("declined", i.closedReason);
    assertTrue(i.attempts.get(2).same(attempt("2025-12-20", "declined", "2026-02-01")),
        "an attempt is its date, channel and outcome");
  }

  @Test
  void closeReasons() {
    LoadCohortDefinitions.Result defs = new LoadCohortDefinitions(null).execute();
    CohortDefinition gaps = defs.definition("cancer-screening-due");
    CohortDefinition risk = defs.definition("high-rising-risk-acute");
    assertEquals("gap_closed", UpdateWorklist.closeReason(gaps, List.of()));
    assertEquals("deceased", UpdateWorklist.closeReason(gaps, List.of("deceased", "hospice")));
    assertEquals("left_cohort", UpdateWorklist.closeReason(risk, null));
  }

  @Test
  void dueFirstOnlyAsTheFirstPriorityKey() throws Exception {
    Path d = Files.createDirectories(dir.resolve("defs"));
    String head = "title: D\ninclude: {any: [{care_gap: [CMS125]}]}\naudiences: {cm: [person_id, next_contact]}\n";
    Files.writeString(d.resolve("d.yaml"), head + "priority: [due, gap_count desc]\n");
    CohortDefinition due = new LoadCohortDefinitions(d.toString()).execute().definition("d");
    assertTrue(due.dueFirst());
    assertEquals(List.of(new CohortDefinition.SortKey("gap_count", true)), due.priority(), "due is not a build metric");
    assertFalse(new LoadCohortDefinitions(null).execute().definition("cancer-screening-due").dueFirst());
    Files.writeString(d.resolve("d.yaml"), head + "priority: [gap_count desc, due]\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LoadCohortDefinitions(d.toString()).execute());
    assertTrue(e.getMessage().contains("may only be the first entry"), e.getMessage());
  }

  private static WorklistItem.Attempt attempt(String date, String outcome, String next) {
    return new WorklistItem.Attempt(LocalDate.parse(date), "phone", outcome, "jo", next == null ? null
        : LocalDate.parse(next), null);
  }
}
