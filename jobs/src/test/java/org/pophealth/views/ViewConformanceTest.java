package org.pophealth.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.pophealth.testing.SharedSpark;
import scala.collection.JavaConverters;

/**
 * The official SQL on FHIR v2 conformance suite (test resources sql-on-fhir-v2/tests), one invocation per case,
 * each run on Spark as build-views runs a view ({@link #evaluate}).
 * Cases listed in sql-on-fhir-v2-unsupported.yaml must still fail and are reported as unsupported.
 */
class ViewConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  /**
   * The rows of a view over resources, each a column name → value map, evaluated as the product does: the
   * resources as a Spark frame of JSON text through {@link ViewFrames} (the shared session), so the Spark
   * types and conversions are under test too. A resource whose evaluation failed is an error here.
   */
  static List<Map<String, Object>> evaluate(ViewDefinition def, List<JsonNode> resources) {
    List<Row> input = new ArrayList<>();
    for (JsonNode r : resources) {
      input.add(RowFactory.create(r.toString()));
    }
    SparkSession spark = SharedSpark.spark();
    Dataset<Row> frame = spark.createDataFrame(input, new StructType().add("raw", DataTypes.StringType));
    ViewFrames.Counters counters = ViewFrames.Counters.register(spark.sparkContext(), "conformance");
    List<Row> rows = ViewFrames.evaluate(def, frame, false, counters).collectAsList();
    if (counters.failed().value() > 0) {
      throw new ViewDefinitionException(counters.firstError());
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Row row : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int i = 0; i < row.size(); i++) {
        Object v = row.get(i);
        m.put(def.columns().get(i).name(),
            v instanceof scala.collection.Seq<?> seq ? new ArrayList<>(JavaConverters.seqAsJavaList(seq)) : v);
      }
      out.add(m);
    }
    return out;
  }

  static Stream<Arguments> cases() throws IOException, URISyntaxException {
    Path dir = Path.of(ViewConformanceTest.class.getResource("/sql-on-fhir-v2/tests").toURI());
    JsonNode unsupported;
    try (InputStream in = ViewConformanceTest.class.getResourceAsStream("/sql-on-fhir-v2-unsupported.yaml")) {
      unsupported = new ObjectMapper(new YAMLFactory()).readTree(in);
    }
    List<Arguments> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        JsonNode suite = JSON.readTree(f.toFile());
        String file = f.getFileName().toString();
        for (JsonNode t : suite.get("tests")) {
          String title = t.get("title").asText();
          JsonNode reason = unsupported == null ? null : unsupported.path(file).get(title);
          out.add(Arguments.of(file + " › " + title, suite.get("resources"), t,
              reason == null ? null : reason.asText()));
        }
      }
    }
    if (unsupported != null) {
      unsupported.fields().forEachRemaining(file -> file.getValue().fieldNames().forEachRemaining(title -> {
        if (out.stream().noneMatch(a -> a.get()[0].equals(file.getKey() + " › " + title))) {
          throw new IllegalStateException("sql-on-fhir-v2-unsupported.yaml lists an unknown case: "
              + file.getKey() + " › " + title);
        }
      }));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void conforms(String name, JsonNode resources, JsonNode test, String unsupportedReason) {
    if (unsupportedReason == null) {
      check(resources, test);
      return;
    }
    try {
      check(resources, test);
    } catch (AssertionError | RuntimeException stillFailing) {
      Assumptions.abort("unsupported (verified still failing): " + unsupportedReason);
    }
    fail("listed as unsupported but passes now; remove it from sql-on-fhir-v2-unsupported.yaml");
  }

  private static void check(JsonNode resourcesJson, JsonNode test) {
    List<JsonNode> resources = new ArrayList<>();
    resourcesJson.forEach(resources::add);
    if (test.has("expectError")) {
      try {
        evaluate(ViewDefinition.parse(test.get("view")), resources);
      } catch (ViewDefinitionException expected) {
        return;
      }
      fail("expected an error");
    }
    ViewDefinition def = ViewDefinition.parse(test.get("view"));
    if (test.has("expectColumns")) {
      List<String> expected = new ArrayList<>();
      test.get("expectColumns").forEach(c -> expected.add(c.asText()));
      assertEquals(expected, def.columns().stream().map(ViewColumn::name).toList(), "columns");
    }
    if (test.has("expect")) {
      List<String> actual = new ArrayList<>();
      for (Map<String, Object> row : evaluate(def, resources)) {
        actual.add(canonical(row));
      }
      List<String> expected = new ArrayList<>();
      for (JsonNode row : test.get("expect")) {
        Map<String, Object> m = new LinkedHashMap<>();
        def.columns().forEach(c -> m.put(c.name(), null));
        row.fields().forEachRemaining(e -> m.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class)));
        expected.add(canonical(m));
      }
      actual.sort(null);
      expected.sort(null);
      assertEquals(String.join("\n", expected), String.join("\n", actual), "rows (order-insensitive)");
    }
  }

  private static String canonical(Map<String, Object> row) {
    Map<String, Object> sorted = new TreeMap<>();
    row.forEach((k, v) -> sorted.put(k, normal(v)));
    return sorted.toString();
  }

  private static Object normal(Object v) {
    if (v instanceof Number n) {
      BigDecimal d = new BigDecimal(n.toString()).stripTrailingZeros();
      return "n:" + d.toPlainString();
    }
    if (v instanceof List<?> l) {
      return l.stream().map(ViewConformanceTest::normal).toList();
    }
    if (v instanceof Map<?, ?> m) {
      return "json:" + JSON.valueToTree(m);
    }
    if (v instanceof String s && s.startsWith("{")) {
      return "json:" + s;
    }
    return v == null ? "null" : v.getClass().getSimpleName().charAt(0) + ":" + v;
  }
}
