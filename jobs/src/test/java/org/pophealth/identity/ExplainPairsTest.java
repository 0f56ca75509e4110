package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.SharedSpark;

/**
 * Explained pairs on a hand-made model (weights chosen per level, so every number and the narrative are
 * derived by hand) and the split queue of a resolve-identity run on a tiny fixture linked by must-links.
 */
class ExplainPairsTest {
  private static final List<PersonField> FIELDS = List.of(PersonField.GIVEN_NAME, PersonField.FAMILY_NAME,
      PersonField.BIRTH_DATE, PersonField.SSN);
  /** Per field, the weight (bits) of each level, worst level first. */
  private static final double[][] WEIGHTS = {{-3, -2, 1, 2, 4}, {-2, -1, 1, 2}, {-5, -1, 2, 6}, {-4, 2, 8}};
  private static final StructType RECORD = new StructType().add("source", DataTypes.StringType)
      .add("record_id", DataTypes.StringType).add("given_name", DataTypes.StringType)
      .add("family_name", DataTypes.StringType).add("birth_date", DataTypes.StringType)
      .add("sex", DataTypes.StringType).add("ssn", DataTypes.StringType);

  /** m = 0.5 and u = 0.5 / 2^w, so log2(m/u) is the level's weight w; λ = 1/1025, a prior of -10 bits. */
  private static MatchModel model() {
    double[][] m = new double[WEIGHTS.length][];
    double[][] u = new double[WEIGHTS.length][];
    for (int i = 0; i < WEIGHTS.length; i++) {
      m[i] = new double[WEIGHTS[i].length];
      u[i] = new double[WEIGHTS[i].length];
      for (int g = 0; g < WEIGHTS[i].length; g++) {
        m[i][g] = 0.5;
        u[i][g] = 0.5 / Math.pow(2, WEIGHTS[i][g]);
      }
    }
    return new MatchModel(FIELDS, m, u, 1.0 / 1025);
  }

  @Test
  void pairsCarryThePriorExactWeightsLevelsMaskedValuesAndANarrative() {
    SparkSession spark = SharedSpark.spark();
    Dataset<Row> records = spark.createDataFrame(List.of(
        RowFactory.create("ehr", "E1", "John", "Smith", "1970-03-04", "male", "123-45-6789"),
        RowFactory.create("payer", "P1", "Jon", "Smith", "1970-03-04", "male", null),
        RowFactory.create("payer", "P2", "Mary", "Smith", "1985-11-30", "female", "123-45-6789")), RECORD);
    // E1-P1: given names jaro-winkler>=0.92 (level 2, +1), family name exact (+2), birth date exact (+6), no SSN
    // on P1 (0): weight -10 + 9 = -1. E1-P2: given names else (-3), family name exact (+2), birth dates else (-5),
    // SSN exact (+8): weight -10 + 2 = -8.
    Dataset<Row> scored = new ScorePairs(model()).weigh(spark.createDataFrame(List.of(
            RowFactory.create(1L, 2L, 0, GeneratePairs.pack(new int[] {2, 3, 3, -1}), null),
            RowFactory.create(1L, 3L, 1, GeneratePairs.pack(new int[] {0, 3, 0, 2}), List.of(0.0, 0.0, 0.0, 0.0))),
        GeneratePairs.SCHEMA));
    Dataset<Row> pairs = scored
        .withColumn("source_l", lit("ehr")).withColumn("record_id_l", lit("E1"))
        .withColumn("source_r", lit("payer"))
        .withColumn("record_id_r", when(col("uid_r").equalTo(2L), lit("P1")).otherwise(lit("P2")))
        .withColumn("status", lit("review")).withColumn("reason", lit(null).cast("string"));
    Lakehouse lh = SharedSpark.newLakehouse();
    lh.replaceAll("gold.identity_pair", ExplainPairs.rows(pairs, model(), records, "run-1"));
    Map<String, Row> byB = new HashMap<>();
    for (Row r : lh.read("gold.identity_pair").collectAsList()) {
      byB.put(r.getString(r.fieldIndex("record_id_b")), r);
    }
    assertEquals(2, byB.size());

    Row p1 = byB.get("P1");
    assertEquals(-10.0, p1.getDouble(p1.fieldIndex("prior_weight")), 1e-9);
    assertEquals(-1.0, p1.getDouble(p1.fieldIndex("match_weight")), 1e-9);
    assertEquals(map("given_name", 1.0, "family_name", 2.0, "birth_date", 6.0, "ssn", 0.0),
        new HashMap<>(p1.<String, Double>getJavaMap(p1.fieldIndex("field_weights"))));
    assertEquals(map("given_name", "jaro-winkler>=0.92", "family_name", "exact", "birth_date", "exact",
        "ssn", "missing"), new HashMap<>(p1.<String, String>getJavaMap(p1.fieldIndex("levels"))));
    assertEquals(map("given_name", "J.", "family_name", "S.", "birth_date", "1970", "ssn", "***-**-**89"),
        new HashMap<>(p1.<String, String>getJavaMap(p1.fieldIndex("values_a"))));
    Map<String, String> b = p1.getJavaMap(p1.fieldIndex("values_b"));
    assertEquals("J.", b.get("given_name"));
    assertNull(b.get("ssn"));
    assertEquals("same birth date, same family name, given names differ slightly (jaro-winkler>=0.92), "
        + "not compared: SSN", p1.getString(p1.fieldIndex("explanation")));

    Row p2 = byB.get("P2");
    assertEquals(-8.0, p2.getDouble(p2.fieldIndex("match_weight")), 1e-9);
    assertEquals("same SSN, different birth date, different given name, same family name",
        p2.getString(p2.fieldIndex("explanation")));
    assertEquals("1985", p2.<String, String>getJavaMap(p2.fieldIndex("values_b")).get("birth_date"));

    for (Row r : byB.values()) {
      assertWeightsAddUp(r);
      assertMasked(r, "John", "Jon", "Mary", "Smith", "1970-03-04", "1985-11-30", "123-45-6789");
      assertEquals("run-1", r.getString(r.fieldIndex("resolve_run_id")));
    }
  }

  @Test
  void resolveIdentityQueuesPersonsWhoseRecordsDisagreeOnTheBirthDate() {
    Lakehouse lh = SharedSpark.newLakehouse();
    StructType table = new StructType().add("record_id", DataTypes.StringType);
    for (String f : SurvivorshipRules.FIELDS) {
      table = table.add(f, DataTypes.StringType);
    }
    // Ann: the payer record's birth year differs (1970 / 1985, two edits): queued. Bob: day and month swapped
    // (a typo): not queued. Cara: one record.
    write(lh, "silver/people_ehr", table, List.of(
        person("E1", "Ann", "Smith", "1970-03-04", "female", "111-22-3333"),
        person("E2", "Bob", "Jones", "1941-05-06", "male", "222-33-4444"),
        person("E3", "Cara", "Diaz", "1990-01-02", "female", null)));
    write(lh, "silver/people_payer", table, List.of(
        person("P1", "Ann", "Smith", "1985-03-04", "female", "111-22-3333"),
        person("P2", "Bob", "Jones", "1941-06-05", "male", "222-33-4444")));
    lh.append("gold.identity_decision", lh.spark().sql("SELECT * FROM VALUES "
        + "('ehr','E1','payer','P1','must-link','test',current_timestamp(),NULL),"
        + "('ehr','E2','payer','P2','must-link','test',current_timestamp(),NULL) "
        + "AS t(source_a, record_id_a, source_b, record_id_b, decision, reviewer, decided_at, note)"));
    ResolveIdentity.Result result = new ResolveIdentity(lh, SurvivorshipTest.config()).execute();

    List<Row> queue = lh.read("gold.identity_split_queue").collectAsList();
    assertEquals(1, queue.size(), "one person queued: " + queue);
    assertEquals(1, result.splitQueue());
    Row q = queue.get(0);
    String ann = lh.read("gold.identity_crosswalk").filter("record_id = 'E1'").head().getString(
        lh.read("gold.identity_crosswalk").schema().fieldIndex("person_id"));
    assertEquals(ann, q.getString(q.fieldIndex("person_id")));
    assertEquals(List.of("ehr/E1", "payer/P1"), q.getList(q.fieldIndex("records")));
    assertEquals(List.of("birth_date"), q.getList(q.fieldIndex("reasons")));
    assertEquals(List.of("1970", "1985"), q.getList(q.fieldIndex("birth_years")));
    assertEquals(List.of("female"), q.getList(q.fieldIndex("sexes")));
    assertEquals(result.runId(), q.getString(q.fieldIndex("resolve_run_id")));
    // whatever pairs the tiny model scored: explained, adding up, masked
    for (Row r : lh.read("gold.identity_pair").collectAsList()) {
      assertWeightsAddUp(r);
      assertMasked(r, "Ann", "Smith", "Bob", "Jones", "Cara", "1970-03-04", "1941-05-06", "111-22-3333");
      assertFalse(r.getString(r.fieldIndex("explanation")).isEmpty());
    }
  }

  private static void assertWeightsAddUp(Row r) {
    Map<String, Double> w = r.getJavaMap(r.fieldIndex("field_weights"));
    double sum = r.getDouble(r.fieldIndex("prior_weight")) + w.values().stream().mapToDouble(Double::doubleValue).sum();
    assertEquals(r.getDouble(r.fieldIndex("match_weight")), sum, 1e-6, "prior + field weights = match weight: " + r);
  }

  private static void assertMasked(Row r, String... raw) {
    String shown = r.toString();
    for (String v : raw) {
      assertFalse(shown.contains(v), v + " is shown: " + shown);
    }
  }

  private static <V> Map<String, V> map(Object... kv) {
    Map<String, V> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      @SuppressWarnings("unchecked")
      V v = (V) kv[i + 1];
      m.put((String) kv[i], v);
    }
    return m;
  }

  /** record_id, names, birth date, sex, ssn; the other fields of SurvivorshipRules.FIELDS empty. */
  private static Row person(String id, String given, String family, String birth, String sex, String ssn) {
    Map<String, String> v = Map.of("given_name", given, "family_name", family, "birth_date", birth, "sex", sex);
    List<Object> out = new ArrayList<>();
    out.add(id);
    for (String f : SurvivorshipRules.FIELDS) {
      out.add(f.equals("ssn") ? ssn : v.get(f));
    }
    return RowFactory.create(out.toArray());
  }

  private static void write(Lakehouse lh, String path, StructType schema, List<Row> rows) {
    lh.spark().createDataFrame(rows, schema).write().format("delta").mode("overwrite").save(lh.root() + "/" + path);
  }
}
