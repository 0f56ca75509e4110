package org.pophealth.cohorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged definitions load; bad files fail with a message naming the file and the problem. */
class CohortDefinitionsTest {
  @TempDir Path dir;

  @Test
  void packagedDefinitionsLoad() {
    LoadCohortDefinitions.Result r = new LoadCohortDefinitions(null).execute();
    assertEquals(List.of("blood-pressure-not-controlled", "cancer-screening-due", "diabetes-poorly-controlled",
        "high-rising-risk-acute", "risk-gaps-to-close", "transitional-care"),
        r.definitions().stream().map(CohortDefinition::name).toList());
    CohortDefinition cancer = r.definition("cancer-screening-due");
    assertEquals(List.of(new CohortDefinition.CareGap(List.of("CMS125", "CMS130", "CMS124"))), cancer.any());
    assertTrue(cancer.audiences().get("executive").aggregate());
    assertEquals(List.of("person_id", "name", "phone", "address", "reasons", "priority"),
        cancer.audiences().get("outreach_vendor").columns());
    assertEquals("Breast cancer screening", r.reference().gapLabel("CMS125"));
    assertEquals(6, r.definition("high-rising-risk-acute").acuteMonths());
    CohortDefinition gaps = r.definition("risk-gaps-to-close");
    assertEquals(List.of(new CohortDefinition.HccGap(List.of("recapture", "suspect"), 1, 0.0)), gaps.any());
    assertEquals(List.of(new CohortDefinition.SortKey("hcc_gap_value", true),
        new CohortDefinition.SortKey("risk_score", true)), gaps.priority());
    assertEquals(List.of("deceased", "disenrolled", "hospice", "opted_out"), gaps.exclude());
    assertTrue(gaps.audiences().get("executive").aggregate());
  }

  @Test
  void hccGapRuleDefaultsAndChecks() throws Exception {
    Path d = Files.createDirectories(dir.resolve("gaps"));
    Files.writeString(d.resolve("g.yaml"), """
        title: G
        include:
          all:
            - hcc_gap: {}
          any:
            - hcc_gap: {kinds: [suspect], at_least: 2, min_value: 0.5}
        audiences: {cm: [person_id]}
        """);
    CohortDefinition g = new LoadCohortDefinitions(d.toString()).execute().definition("g");
    assertEquals(new CohortDefinition.HccGap(List.of("recapture", "suspect"), 1, 0.0), g.all().get(0));
    assertEquals(new CohortDefinition.HccGap(List.of("suspect"), 2, 0.5), g.any().get(0));
    assertEquals(List.of("recapture", "suspect"), g.hccGapKinds());
    assertEquals("hcc_gap", g.any().get(0).codePrefix());
    String head = "title: H\naudiences: {cm: [person_id]}\ninclude: {any: [{hcc_gap: ";
    assertTrue(error("h1.yaml", head + "{kinds: [coded]}}]}\n").contains("'coded' (known: recapture, suspect)"));
    assertTrue(error("h2.yaml", head + "{kinds: []}}]}\n").contains("list at least one kind"));
    assertTrue(error("h3.yaml", head + "{at_least: 0}}]}\n").contains("at_least: must be a whole number"));
    assertTrue(error("h4.yaml", head + "{min_value: -1}}]}\n").contains("min_value: must be a number of at least 0"));
    assertTrue(error("h5.yaml", head + "{value: 1}}]}\n").contains("unknown key 'value'"));
    assertTrue(error("h6.yaml", head + "true}]}\n").contains("must be a mapping"));
  }

  @Test
  void transitionalCareRuleDefaultsAndChecks() throws Exception {
    CohortDefinition tcm = new LoadCohortDefinitions(null).execute().definition("transitional-care");
    assertEquals(new CohortDefinition.TransitionalCare(List.of("ed", "inpatient"), 30, 2, 7, 14, "us-federal"),
        tcm.transitionalCare());
    assertEquals(List.of(new CohortDefinition.SortKey("overdue", true), new CohortDefinition.SortKey("deadline", false)),
        tcm.priority());
    assertEquals(List.of("deceased", "hospice", "opted_out"), tcm.exclude());
    assertTrue(tcm.audiences().get("care_manager").columns().containsAll(List.of("discharge_date", "setting",
        "contact_due", "visit_due", "overdue")));
    assertTrue(tcm.audiences().get("executive").aggregate());
    Path d = Files.createDirectories(dir.resolve("tcm"));
    Files.writeString(d.resolve("t.yaml"), """
        title: T
        include: {all: [{transitional_care: {settings: [inpatient]}}]}
        audiences: {cm: [person_id, contact_due]}
        """);
    CohortDefinition t = new LoadCohortDefinitions(d.toString()).execute().definition("t");
    assertEquals(new CohortDefinition.TransitionalCare(List.of("inpatient"), 30, 2, 7, 14, "us-federal"),
        t.transitionalCare());
    assertEquals(30, t.transitionalCareDays());
    assertEquals("tcm", t.all().get(0).codePrefix());
    assertEquals(0, new LoadCohortDefinitions(null).execute().definition("cancer-screening-due")
        .transitionalCareDays());
    String head = "title: H\naudiences: {cm: [person_id]}\ninclude: {any: [{transitional_care: ";
    assertTrue(error("t1.yaml", head + "{days: 30}}]}\n").contains("list settings (ed, inpatient)"));
    assertTrue(error("t2.yaml", head + "{settings: [icu]}}]}\n").contains("'icu' (known: ed, inpatient)"));
    assertTrue(error("t3.yaml", head + "{settings: [ed], days: 400}}]}\n").contains("days: at most 365"));
    assertTrue(error("t4.yaml", head + "{settings: [ed], visit_days_high: 20}}]}\n")
        .contains("visit_days_high (20) must not be more than visit_days_moderate (14)"));
    assertTrue(error("t5.yaml", head + "{settings: [ed], contact_days: 2}}]}\n").contains("unknown key 'contact_days'"));
    assertTrue(error("t6.yaml", head + "{settings: [ed], contact_business_days: 0}}]}\n")
        .contains("contact_business_days: must be a whole number of at least 1"));
    assertTrue(error("t7.yaml", head + "{settings: [ed]}}, {transitional_care: {settings: [inpatient]}}]}\n")
        .contains("at most one transitional_care rule"));
    assertTrue(error("t8.yaml", "title: H\ninclude: {any: [{transitional_care: {settings: [ed]}}]}\n"
        + "priority: [due_date asc]\naudiences: {cm: [person_id]}\n").contains("'due_date asc' must be"));
  }

  @Test
  void executivePatientLevelListIsRefused() throws Exception {
    String msg = error("x.yaml", """
        title: X
        include: {any: [{care_gap: [CMS125]}]}
        audiences:
          executive: [person_id, name]
        """);
    assertTrue(msg.contains("x.yaml") && msg.contains("executive sees aggregates only"), msg);
  }

  @Test
  void badFilesNameTheProblem() throws Exception {
    assertTrue(error("a.yaml", "title: A\ninclude: {any: [{care_gap: [CMS125]}]}\naudiences: {cm: [person_id]}\n"
        + "colour: red\n").contains("unknown key 'colour'"));
    assertTrue(error("b.yaml", "title: B\ninclude: {any: [{care_gap: [mammo]}]}\naudiences: {cm: [person_id]}\n")
        .contains("'mammo' is not a CMS measure id"));
    assertTrue(error("c.yaml", "title: C\ninclude: {any: [{care_gap: [CMS125]}]}\naudiences: {cm: [person_id, ssn]}\n")
        .contains("unknown column 'ssn'"));
    assertTrue(error("d.yaml", "title: D\ninclude: {any: [{care_gap: [CMS125]}]}\nexclude: [moved]\n"
        + "audiences: {cm: [person_id]}\n").contains("unknown exclusion 'moved'"));
    assertTrue(error("e.yaml", "title: E\ninclude: {all: [{acute_use: {settings: [icu]}}]}\naudiences: {cm: [person_id]}\n")
        .contains("'icu'"));
    assertTrue(error("f.yaml", "title: [unclosed\n").contains("not valid YAML"));
    assertTrue(error("Bad_Name.yaml", "title: X\n").contains("file name"));
  }

  private String error(String file, String yaml) throws Exception {
    Path d = Files.createDirectories(dir.resolve(file.replace(".yaml", "")));
    Files.writeString(d.resolve(file), yaml);
    return assertThrows(IllegalArgumentException.class, () -> new LoadCohortDefinitions(d.toString()).execute())
        .getMessage();
  }
}
