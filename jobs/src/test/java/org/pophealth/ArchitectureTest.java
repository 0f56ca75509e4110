package org.pophealth;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages follow the pipeline (docs/ARCHITECTURE.md): core ← ingest/conform ← views ← identity ← analytics ←
 * publish ← app ← tools. A class may use its own layer and the layers below it, never one above; and no two
 * packages depend on each other, however indirectly. The tools (demo, generators, benchmarks and their
 * servers: src/tools, their own jar) are above everything: no runtime class may use them.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importRuntimeClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("org.pophealth");
  }

  @Test
  void layersFollowThePipeline() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("core").definedBy("org.pophealth.config..", "org.pophealth.io..", "org.pophealth.lakehouse..",
            "org.pophealth.ops..", "org.pophealth.reference..", "org.pophealth.calendar..")
        .layer("ingest").definedBy("org.pophealth.ingest..", "org.pophealth.conform..")
        .layer("views").definedBy("org.pophealth.views..")
        .layer("identity").definedBy("org.pophealth.identity..")
        .layer("analytics").definedBy("org.pophealth.risk..", "org.pophealth.duplicates..",
            "org.pophealth.measures..", "org.pophealth.cohorts..")
        .layer("publish").definedBy("org.pophealth.dashboard..")
        .layer("app").definedBy("org.pophealth.cli..", "org.pophealth.schedule..", "org.pophealth.jobs..")
        .layer("tools").definedBy("org.pophealth.tools..")
        .whereLayer("tools").mayNotBeAccessedByAnyLayer()
        .whereLayer("app").mayOnlyBeAccessedByLayers("tools")
        .whereLayer("publish").mayOnlyBeAccessedByLayers("app", "tools")
        .whereLayer("analytics").mayOnlyBeAccessedByLayers("publish", "app", "tools")
        .whereLayer("identity").mayOnlyBeAccessedByLayers("analytics", "publish", "app", "tools")
        .whereLayer("views").mayOnlyBeAccessedByLayers("identity", "analytics", "publish", "app", "tools")
        .whereLayer("ingest").mayOnlyBeAccessedByLayers("views", "identity", "analytics", "publish", "app", "tools")
        .check(classes);
  }

  @Test
  void referenceDataReadsFilesOnly() {
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
        .that().resideInAPackage("org.pophealth.reference..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("org.pophealth.reference..", "org.pophealth.io..",
            "java..", "com.fasterxml.jackson..")
        .check(classes);
  }

  @Test
  void noPackageCycles() {
    slices().matching("org.pophealth.(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  void onlyTheCliKnowsTheCli() {
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
        .that().resideOutsideOfPackages("org.pophealth.cli..", "org.pophealth.tools..")
        .should().dependOnClassesThat().resideInAPackage("org.pophealth.cli..")
        .check(classes);
  }

  @Test
  void everyJobIsRegisteredOnce() {
    java.util.Set<String> declared = new java.util.TreeSet<>();
    for (com.tngtech.archunit.core.domain.JavaClass c : classes) {
      if (c.isAssignableTo(org.pophealth.jobs.Job.class)
          && !c.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.ABSTRACT)) {
        declared.add(c.getName());
      }
    }
    java.util.List<String> registered = org.pophealth.jobs.JobRegistry.all().values().stream()
        .flatMap(java.util.List::stream).map(j -> j.getClass().getName()).toList();
    org.junit.jupiter.api.Assertions.assertEquals(declared, new java.util.TreeSet<>(registered),
        "every Job class is in JobRegistry");
    org.junit.jupiter.api.Assertions.assertEquals(registered.size(), new java.util.HashSet<>(registered).size(),
        "no job registered twice");
    org.junit.jupiter.api.Assertions.assertTrue(declared.size() >= 10, "the jobs were found: " + declared);
  }
}
