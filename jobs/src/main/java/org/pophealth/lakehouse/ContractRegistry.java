package org.pophealth.lakehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.types.DataType;

/**
 * Loads the table contracts from {@code schemas/} (packaged on the classpath), so tables, checks and
 * the generated table reference all come from the same files.
 */
public final class ContractRegistry {
  private static final String ROOT = "schemas";
  private static volatile ContractRegistry instance;

  private final Map<String, TableContract> contracts;

  private ContractRegistry(Map<String, TableContract> contracts) {
    this.contracts = Collections.unmodifiableMap(contracts);
  }

  /** The contracts shipped with the product (one load per JVM). */
  public static ContractRegistry get() {
    ContractRegistry r = instance;
    if (r == null) {
      synchronized (ContractRegistry.class) {
        if (instance == null) {
          instance = loadFromClasspath();
        }
        r = instance;
      }
    }
    return r;
  }

  public TableContract contract(String name) {
    TableContract c = contracts.get(name);
    if (c == null) {
      throw new IllegalArgumentException("no table contract named " + name + " in schemas/");
    }
    return c;
  }

  public Optional<TableContract> find(String name) {
    return Optional.ofNullable(contracts.get(name));
  }

  /** All contracts, sorted by zone then table. */
  public List<TableContract> all() {
    return new ArrayList<>(contracts.values());
  }

  /** The silver contract whose {@code resource_type} is the given FHIR type. */
  public Optional<TableContract> silverFor(String resourceType) {
    return contracts.values().stream()
        .filter(c -> c.zone().equals("silver") && resourceType.equals(c.resourceType()))
        .findFirst();
  }

  private static ContractRegistry loadFromClasspath() {
    Path types = org.pophealth.io.ClasspathDirs.parentOrNull(ROOT + "/types.yaml");
    if (types == null) {
      throw new IllegalStateException("schemas/ is not on the classpath");
    }
    try {
      return load(types);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read schemas/: " + e.getMessage(), e);
    }
  }

  /** Loads every contract under a {@code schemas/} directory. */
  public static ContractRegistry load(Path root) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Map<String, String> aliases = new HashMap<>();
    try (InputStream in = Files.newInputStream(root.resolve("types.yaml"))) {
      yaml.readTree(in).fields().forEachRemaining(e -> aliases.put(e.getKey(), e.getValue().asText()));
    }
    Map<String, JsonNode> fragments = new HashMap<>();
    Path fragDir = root.resolve("fragments");
    if (Files.isDirectory(fragDir)) {
      for (Path f : list(fragDir)) {
        fragments.put(stripYaml(f), readYaml(yaml, f));
      }
    }
    Map<String, TableContract> out = new TreeMap<>();
    for (String zone : List.of("bronze", "silver", "gold", "ops")) {
      Path dir = root.resolve(zone);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      for (Path f : list(dir)) {
        TableContract c = parse(readYaml(yaml, f), zone, stripYaml(f), aliases, fragments);
        out.put(c.name(), c);
      }
    }
    return new ContractRegistry(out);
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private static String stripYaml(Path f) {
    String n = f.getFileName().toString();
    return n.substring(0, n.length() - ".yaml".length());
  }

  private static JsonNode readYaml(ObjectMapper yaml, Path f) {
    try (InputStream in = Files.newInputStream(f)) {
      return yaml.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read contract " + f, e);
    }
  }

  private static TableContract parse(
      JsonNode doc, String zone, String file, Map<String, String> aliases, Map<String, JsonNode> fragments) {
    String name = doc.path("table").asText(zone + "." + file);
    String expected = zone + "." + file;
    if (!name.equals(expected)) {
      throw new IllegalStateException("contract " + expected + " declares table " + name);
    }
    List<ColumnSpec> columns = new ArrayList<>();
    addColumns(doc.path("columns"), columns, aliases, fragments, name);
    TableContract c =
        new TableContract(
            zone,
            file,
            doc.path("description").asText("").trim(),
            doc.path("grain").asText(""),
            strings(doc.path("key")),
            strings(doc.path("partition_by")),
            doc.hasNonNull("resource_type") ? doc.get("resource_type").asText() : null,
            strings(doc.path("stats_columns")),
            List.copyOf(columns),
            doc.path("deletion_vectors").asBoolean(false));
    for (String k : c.key()) {
      c.column(k).orElseThrow(() -> new IllegalStateException(name + ": key column " + k + " not declared"));
    }
    for (String p : c.statsColumns()) {
      c.column(p).orElseThrow(() -> new IllegalStateException(name + ": stats column " + p + " not declared"));
      DataType t = c.column(p).get().type();
      if (!(t instanceof org.apache.spark.sql.types.AtomicType) || t instanceof org.apache.spark.sql.types.BooleanType
          || t instanceof org.apache.spark.sql.types.BinaryType) {
        throw new IllegalStateException(name + ": stats column " + p + " has a type Delta keeps no stats for: " + t.simpleString());
      }
      if (c.partitionBy().contains(p)) {
        throw new IllegalStateException(name + ": stats column " + p + " is a partition column (Delta keeps no stats for those)");
      }
    }
    for (String p : c.partitionBy()) {
      c.column(p).orElseThrow(() -> new IllegalStateException(name + ": partition column " + p + " not declared"));
    }
    return c;
  }

  private static void addColumns(
      JsonNode list, List<ColumnSpec> out, Map<String, String> aliases, Map<String, JsonNode> fragments, String table) {
    for (Iterator<JsonNode> it = list.elements(); it.hasNext(); ) {
      JsonNode col = it.next();
      if (col.has("include")) {
        JsonNode frag = fragments.get(col.get("include").asText());
        if (frag == null) {
          throw new IllegalStateException(table + ": unknown fragment " + col.get("include").asText());
        }
        addColumns(frag, out, aliases, fragments, table);
        continue;
      }
      String colName = col.path("name").asText();
      String typeName = col.path("type").asText();
      String ddl = aliases.getOrDefault(typeName, typeName);
      DataType type;
      try {
        type = DataType.fromDDL(ddl);
      } catch (RuntimeException e) {
        throw new IllegalStateException(table + "." + colName + ": bad type " + typeName, e);
      }
      if (out.stream().anyMatch(c -> c.name().equals(colName))) {
        throw new IllegalStateException(table + ": column " + colName + " declared twice");
      }
      out.add(new ColumnSpec(colName, typeName, type, col.path("nullable").asBoolean(true), col.path("description").asText("")));
    }
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.elements().forEachRemaining(e -> out.add(e.asText()));
    return List.copyOf(out);
  }
}
