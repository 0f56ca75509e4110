package org.pophealth.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader on a folder {@code measures/demo/} packaged in a jar of the test's own (file entries only, as
 * any jar may be) and on the project's packaged folders in target/classes; no Spark.
 */
class ReferenceDataTest {
  private static final String DECLARATIONS = """
      # test declarations
      people.csv:
        name: string, required
        age: int, required
        weight: double
        member: boolean
        born: date
        note: string, optional
      """;
  private static final String PEOPLE = """
      # provenance: written by hand for this test
      name,age,weight,member,born
      "Smith, Ann",41,62.5,TRUE,1983-02-01

      bob , 7,,false,
      """;

  @TempDir static Path jarDir;
  private static ClassLoader jar;

  @TempDir Path dir;

  @BeforeAll
  static void packageDemoFolder() throws Exception {
    Path file = jarDir.resolve("demo.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, String> e : Map.of("measures/demo/columns.yaml", DECLARATIONS,
          "measures/demo/people.csv", PEOPLE, "measures/demo/b.yaml", "b: 2\n", "measures/demo/a.yaml", "a: 1\n",
          "measures/demo/v2/people.csv", "name,age,weight,member,born\nzoe,3,,,\n").entrySet()) {
        out.putNextEntry(new JarEntry(e.getKey()));
        out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    jar = new URLClassLoader(new URL[] {file.toUri().toURL()}, null);
  }

  private static ReferenceData demo() {
    return ReferenceData.packaged("demo", jar);
  }

  @Test
  void aGoodTableIsTyped() {
    ReferenceTable t = demo().table("people.csv");
    assertEquals("measures/demo/people.csv", t.file());
    assertEquals(List.of("name", "age", "weight", "member", "born"), t.header());
    assertEquals(List.of(), t.undeclared());
    assertEquals(2, t.rows().size());
    ReferenceRow ann = t.rows().get(0);
    assertEquals(3, ann.line());
    assertEquals("Smith, Ann", ann.text("name"));
    assertEquals(41, ann.integer("age"));
    assertEquals(62.5, ann.decimal("weight"));
    assertEquals(Boolean.TRUE, ann.bool("member"));
    assertEquals(LocalDate.of(1983, 2, 1), ann.date("born"));
    assertEquals("", ann.text("note"));
    ReferenceRow bob = t.rows().get(1);
    assertEquals(5, bob.line());
    assertEquals("bob", bob.text("name"));
    assertEquals("bob ", bob.raw("name"));
    assertEquals(7, bob.integer("age"));
    assertNull(bob.decimal("weight"));
    assertEquals(Boolean.FALSE, bob.bool("member"));
    assertNull(bob.date("born"));
    assertEquals(PEOPLE, t.text());
  }

  @Test
  void aBadNumberNamesFileLineAndColumn() throws Exception {
    String msg = error("name,age,weight,member,born\nann,41,1.1x,true,\n");
    assertEquals(dir.resolve("people.csv") + " line 2: column weight: \"1.1x\" is not a double", msg);
    msg = error("# c\nname,age,weight,member,born\nann,4.5,,,\n");
    assertEquals(dir.resolve("people.csv") + " line 3: column age: \"4.5\" is not an int", msg);
  }

  @Test
  void otherBadValuesNameFileAndLine() throws Exception {
    assertTrue(error("name,age,weight,member,born\nann,41,,yes,\n")
        .endsWith("people.csv line 2: column member: \"yes\" is not a boolean (true or false)"));
    assertTrue(error("name,age,weight,member,born\nann,41,,,2024-02-30\n")
        .endsWith("people.csv line 2: column born: \"2024-02-30\" is not a date (yyyy-MM-dd)"));
    assertTrue(error("name,age,weight,member,born\nann,41,NaN,,\n")
        .endsWith("line 2: column weight: \"NaN\" is not a double"));
    assertTrue(error("name,age,weight,member,born\nann,41,,\n").endsWith("people.csv line 2: 4 fields, header has 5"));
    assertTrue(error("name,age,weight,member,born\n\"ann,41,,,\n").endsWith("people.csv line 2: unterminated quote"));
    assertTrue(error("# only a comment\n").endsWith("people.csv: no header line"));
  }

  @Test
  void aMissingRequiredValueNamesFileAndLine() throws Exception {
    assertEquals(dir.resolve("people.csv") + " line 3: column age is empty",
        error("name,age,weight,member,born\nann,41,,,\nbob, ,,,\n"));
  }

  @Test
  void aWrongHeaderNamesFileAndLine() throws Exception {
    String msg = error("# c\n\nname,years,weight,member,born\nann,41,,,\n");
    assertTrue(msg.startsWith(dir.resolve("people.csv") + " line 3: header lacks column age (declared in"
        + " measures/demo/columns.yaml"), msg);
    assertTrue(error("name,age,weight,member,born,age\n").endsWith("line 1: header names column age twice"));
  }

  @Test
  void undeclaredColumnsAreKeptAsTextAndReported() throws Exception {
    Files.writeString(dir.resolve("people.csv"), "extra,name,age,weight,member,born,note\nx,ann,41,,,,hi\n");
    ReferenceTable t = demo().overriddenBy(dir.toString(), "demo").table("people.csv");
    assertEquals(List.of("extra"), t.undeclared());
    assertEquals("x", t.rows().get(0).text("extra"));
    assertEquals("hi", t.rows().get(0).text("note"));
  }

  @Test
  void anOverrideDirectoryBeatsThePackagedFolderFileByFile() throws Exception {
    Files.writeString(dir.resolve("people.csv"), "name,age,weight,member,born\ncarl,60,,,\n");
    ReferenceData d = demo().overriddenBy(dir.toString(), "demo rules");
    assertEquals("carl", d.table("people.csv").rows().get(0).text("name"));
    assertEquals(dir.resolve("people.csv").toString(), d.where("people.csv"));
    assertEquals("a: 1\n", d.text("a.yaml"));
    assertEquals("measures/demo/a.yaml", d.where("a.yaml"));
    assertTrue(d.exists("a.yaml"));
    assertFalse(d.exists("c.yaml"));
    assertEquals(List.of(), d.list(".yaml"));
    assertEquals("demo rules directory not found: /nonexistent/x", assertThrows(IllegalArgumentException.class,
        () -> demo().overriddenBy("/nonexistent/x", "demo rules")).getMessage());
    assertTrue(demo().overriddenBy(null, "demo rules").where("people.csv").equals("measures/demo/people.csv"));
  }

  @Test
  void aReplacingDirectoryMustHoldEveryFile() throws Exception {
    ReferenceData d = demo().replacedBy(dir.toString(), "demo rules");
    assertFalse(d.exists("a.yaml"));
    assertEquals("demo rules: " + dir.resolve("a.yaml") + " is missing",
        assertThrows(IllegalArgumentException.class, () -> d.text("a.yaml")).getMessage());
    Files.writeString(dir.resolve("a.yaml"), "a: 3\n");
    assertEquals("a: 3\n", d.text("a.yaml"));
  }

  @Test
  void aFileOfItsOwnReplacesOneFile() throws Exception {
    Path f = Files.writeString(dir.resolve("mine.csv"), "name,age,weight,member,born\ndora,9,,,\n");
    ReferenceData d = demo().withFile("people.csv", f);
    assertEquals("dora", d.table("people.csv").rows().get(0).text("name"));
    assertEquals(f.toString(), d.table("people.csv").file());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> demo().withFile("people.csv", dir.resolve("none.csv")).table("people.csv")).getMessage()
        .startsWith("cannot read " + dir.resolve("none.csv")));
  }

  @Test
  void packagedLookupWorksInsideAJar() {
    assertEquals(List.of("a.yaml", "b.yaml"), demo().list(".yaml"));
    assertEquals("b: 2\n", demo().text("b.yaml"));
    // a folder without its own columns.yaml takes the nearest one above it
    ReferenceTable v2 = ReferenceData.packaged("demo/v2", jar).table("people.csv");
    assertEquals("measures/demo/v2/people.csv", v2.file());
    assertEquals(3, v2.rows().get(0).integer("age"));
    assertEquals("measures/demo/nothing.csv is not on the classpath",
        assertThrows(IllegalStateException.class, () -> demo().text("nothing.csv")).getMessage());
    assertThrows(IllegalStateException.class, () -> ReferenceData.packaged("elsewhere", jar).table("people.csv"));
  }

  @Test
  void packagedLookupWorksFromTargetClasses() {
    ReferenceTable t = ReferenceData.packaged("dashboard").table("targets.csv");
    assertEquals("measures/dashboard/targets.csv", t.file());
    ReferenceRow first = t.rows().get(0);
    assertEquals(7, first.line());
    assertEquals("*", first.text("measure"));
    assertEquals("*", first.text("group_index"));
    assertEquals(0.70, first.decimal("target"));
    assertEquals(List.of("blood-pressure-not-controlled.yaml", "cancer-screening-due.yaml",
        "diabetes-poorly-controlled.yaml", "high-rising-risk-acute.yaml", "risk-gaps-to-close.yaml",
        "transitional-care.yaml"),
        ReferenceData.packaged("cohorts").list(".yaml"));
  }

  @Test
  void aFileWithoutDeclarationOrAColumnReadAsAnotherTypeIsACodingError() throws Exception {
    Files.writeString(dir.resolve("other.csv"), "x\n1\n");
    assertTrue(assertThrows(IllegalStateException.class,
        () -> demo().overriddenBy(dir.toString(), "demo").table("other.csv")).getMessage()
        .endsWith("no columns declared for other.csv in measures/demo/columns.yaml"));
    ReferenceRow ann = demo().table("people.csv").rows().get(0);
    assertThrows(IllegalStateException.class, () -> ann.integer("weight"));
    assertThrows(IllegalStateException.class, () -> ann.integer("unknown"));
  }

  @Test
  void listsSplitAtTheirSeparator() throws Exception {
    Files.writeString(dir.resolve("people.csv"), "name,age,weight,member,born\n a ; b;;c ,1,,,\n");
    ReferenceRow r = demo().overriddenBy(dir.toString(), "demo").table("people.csv").rows().get(0);
    assertEquals(List.of("a", "b", "c"), r.list("name", ";"));
    assertEquals(List.of("a ; b;;c"), r.list("name", "|"));
    assertEquals(dir.resolve("people.csv") + " line 2: no good", r.error("no good").getMessage());
  }

  private String error(String people) throws Exception {
    Files.writeString(dir.resolve("people.csv"), people);
    ReferenceData d = demo().overriddenBy(dir.toString(), "demo");
    return assertThrows(IllegalArgumentException.class, () -> d.table("people.csv")).getMessage();
  }
}
