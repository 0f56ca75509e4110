package org.pophealth.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.pophealth.config.ConfigLoader;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.GoldenCase;
import org.pophealth.testing.GoldenJob;

/**
 * {@code resolve-identity} cases. Each phase's {@code input/people.ndjson} is the whole current content of the
 * sources (source, record_id, updated, optional kind and the person fields; a record left out was deleted at its
 * source), written as two source tables by kind (ehr; claims: records of any other source unless kind says so);
 * {@code input/decisions.ndjson}, when present, is appended to gold.identity_decision. Options:
 * <ul>
 *   <li>{@code model}: a model file of the case (MatchModel JSON: lambda, per field and level m and u) stored as a
 *       trained run before the first phase, so the case's weights can be derived by hand; without it the first
 *       phase estimates one. With {@code term_frequency_records} and {@code term_frequencies} ({@code {field:
 *       {value: records}}}) the model is stored with its term frequencies, as a trained run stores them; without,
 *       it is a model stored before term frequencies were, whose runs count them over the current records;
 *   <li>{@code modes}: {@code phase=mode,...}, the mode each phase must run in (trained, full, incremental);
 *   <li>{@code full_check}: phases after which a {@code --full} link with the stored model must give the same
 *       person ids, pair statuses and weights and golden records as the phase's own run (then the expected files are
 *       compared).
 * </ul>
 */
public final class ResolveIdentityGolden implements GoldenJob {
  private static final StructType PEOPLE = new StructType().add("source", DataTypes.StringType)
      .add("record_id", DataTypes.StringType).add("kind", DataTypes.StringType).add("updated", DataTypes.TimestampType)
      .add("given_name", DataTypes.StringType).add("family_name", DataTypes.StringType)
      .add("birth_date", DataTypes.StringType).add("sex", DataTypes.StringType).add("street", DataTypes.StringType)
      .add("city", DataTypes.StringType).add("state", DataTypes.StringType).add("postcode", DataTypes.StringType)
      .add("phone", DataTypes.StringType).add("email", DataTypes.StringType).add("ssn", DataTypes.StringType)
      .add("mrn", DataTypes.StringType);

  private boolean seeded;

  @Override
  public Set<String> options() {
    return Set.of("model", "modes", "full_check");
  }

  static PopHealthConfig.Identity config() {
    PopHealthConfig.Identity d = ConfigLoader.defaults().identity();
    Map<String, String> fields = new HashMap<>();
    for (PersonField f : PersonField.values()) {
      fields.put(f.column(), f.column());
    }
    List<PopHealthConfig.IdentitySource> sources = List.of(
        new PopHealthConfig.IdentitySource("fixture.people_ehr", "source", "fixture", "record_id", "ehr", "updated",
            fields),
        new PopHealthConfig.IdentitySource("fixture.people_claims", "source", "fixture", "record_id", "claims",
            "updated", fields));
    return d.withSources(sources);
  }

  @Override
  public Outcome run(GoldenCase c, Path phase, Lakehouse lh) throws Exception {
    String name = phase.getFileName().toString();
    if (!seeded && c.options().containsKey("model")) {
      seedModel(lh, Files.readString(c.dir().resolve(c.option("model", null))));
    }
    seeded = true;
    // two source tables by kind (a record's kind, else ehr for source "ehr" and claims otherwise), as a real
    // lakehouse has silver.patient and silver.eligibility: survivorship ranks records by kind
    Dataset<Row> people = lh.spark().read().schema(PEOPLE).json(phase.resolve("input/people.ndjson").toString())
        .withColumn("kind", functions.expr("coalesce(kind, if(source = 'ehr', 'ehr', 'claims'))"));
    for (String kind : List.of("ehr", "claims")) {
      people.filter(functions.col("kind").equalTo(kind)).write().format("delta").mode("overwrite")
          .option("overwriteSchema", "true").save(lh.root() + "/fixture/people_" + kind);
    }
    Path decisions = phase.resolve("input/decisions.ndjson");
    if (Files.isRegularFile(decisions)) {
      lh.append("gold.identity_decision", lh.spark().read().schema(lh.contract("gold.identity_decision").schema())
          .json(decisions.toString()));
    }
    ResolveIdentity.Result r = new ResolveIdentity(lh, config()).execute();
    String mode = phases(c.option("modes", "")).get(name);
    if (mode != null) {
      assertEquals(mode, r.mode().name().toLowerCase(java.util.Locale.ROOT), c + " " + name + ": run mode");
    }
    if (List.of(c.option("full_check", "").split(",")).contains(name)) {
      List<String> ids = rows(lh.read("gold.identity_crosswalk").select("source", "record_id", "person_id"));
      List<String> pairs = rows(pairKeys(lh.read("gold.identity_pair")));
      List<String> persons = rows(lh.read("gold.person").drop("resolve_run_id"));
      ResolveIdentity.Result full = new ResolveIdentity(lh, config()).full(true).execute();
      assertEquals(ResolveIdentity.Mode.FULL, full.mode());
      assertEquals(ids, rows(lh.read("gold.identity_crosswalk").select("source", "record_id", "person_id")),
          c + " " + name + ": a full link with the stored model gives the same person ids");
      assertEquals(pairs, rows(pairKeys(lh.read("gold.identity_pair"))),
          c + " " + name + ": and the same pairs, statuses and weights");
      assertEquals(persons, rows(lh.read("gold.person").drop("resolve_run_id")),
          c + " " + name + ": and the same golden records");
    }
    return new Outcome() {
      @Override
      public Dataset<Row> table(Lakehouse lakehouse, String table) {
        Dataset<Row> t = lakehouse.read(table);
        // ops.identity_run and gold.identity_event: this phase's run only; weights rounded as the README derives them
        if (table.equals("gold.identity_pair")) {
          // sides in (source, record_id) order, as the README names them (the job orders them by record uid)
          org.apache.spark.sql.Column swap = functions.expr("concat(source_a, char(0), record_id_a) > concat(source_b, char(0), record_id_b)");
          return t.withColumn("swap", swap)
              .withColumn("sa", functions.expr("if(swap, source_b, source_a)"))
              .withColumn("ra", functions.expr("if(swap, record_id_b, record_id_a)"))
              .withColumn("source_b", functions.expr("if(swap, source_a, source_b)"))
              .withColumn("record_id_b", functions.expr("if(swap, record_id_a, record_id_b)"))
              .withColumn("source_a", functions.col("sa")).withColumn("record_id_a", functions.col("ra"))
              .drop("swap", "sa", "ra")
              .withColumn("match_weight", functions.round(t.col("match_weight"), 4))
              .withColumn("field_weights", functions.expr("transform_values(field_weights, (k, v) -> round(v, 3))"));
        }
        return table.equals("ops.identity_run") ? t.filter(t.col("run_id").equalTo(r.runId()))
            : table.equals("gold.identity_event") ? t.filter(t.col("resolve_run_id").equalTo(r.runId())) : t;
      }
    };
  }

  /** A pair's sides, status and weight (rounded as the README derives it). */
  private static Dataset<Row> pairKeys(Dataset<Row> pairs) {
    return pairs.select(functions.col("source_a"), functions.col("record_id_a"), functions.col("source_b"),
        functions.col("record_id_b"), functions.col("status"), functions.round(functions.col("match_weight"), 4));
  }

  private static List<String> rows(Dataset<Row> d) {
    return d.toJSON().collectAsList().stream().sorted().toList();
  }

  private static Map<String, String> phases(String option) {
    Map<String, String> out = new HashMap<>();
    for (String p : option.split(",")) {
      String[] kv = p.trim().split("=");
      if (kv.length == 2) {
        out.put(kv[0].trim(), kv[1].trim());
      }
    }
    return out;
  }

  /** The case's model as a trained run, with today's settings: the first phase links with it. */
  private static void seedModel(Lakehouse lh, String json) throws java.io.IOException {
    MatchModel model = MatchModel.fromJson(json);
    com.fasterxml.jackson.databind.JsonNode node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    long tfRecords = node.path("term_frequency_records").asLong(-1);
    String stored = model.toJson();
    if (tfRecords >= 0) {
      stored = ResolveIdentity.modelJson(model, LinkageSettings.of(config(), false).matchThreshold(), tfRecords);
      List<Row> counts = new java.util.ArrayList<>();
      node.path("term_frequencies").fields().forEachRemaining(f -> f.getValue().fields().forEachRemaining(
          v -> counts.add(RowFactory.create("golden-model", f.getKey(), v.getKey(), v.getValue().asLong()))));
      lh.append("ops.identity_term_frequency", lh.spark().createDataFrame(counts,
          lh.contract("ops.identity_term_frequency").schema()));
    }
    Timestamp t = Timestamp.from(Instant.parse("2026-01-01T00:00:00Z"));
    Row row = RowFactory.create("golden-model", t, t, 0L, 0L, 0L, 0L, 0L, 0L, 0L, "[]", stored, null,
        "trained", "golden-model", ResolveIdentity.settingsJson(LinkageSettings.of(config(), false)), 0L, 0L, 0L, 0L,
        -1L, null);
    lh.append("ops.identity_run", lh.spark().createDataFrame(List.of(row), lh.contract("ops.identity_run").schema()));
  }
}
