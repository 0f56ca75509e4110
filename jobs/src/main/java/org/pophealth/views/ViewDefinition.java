package org.pophealth.views;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * An SQL on FHIR v2 ViewDefinition, parsed and compiled once: {@link #rows} turns one FHIR resource (JSON) into
 * its table rows without Spark. Immutable after parsing and safe to share between threads and to serialize.
 */
public final class ViewDefinition implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  private final String name;
  private final String resource;
  private final List<ViewColumn> columns;
  private final Expr[] where;
  private final SelectNode root;

  ViewDefinition(String name, String resource, List<ViewColumn> columns, Expr[] where, SelectNode root) {
    this.name = name;
    this.resource = resource;
    this.columns = List.copyOf(columns);
    this.where = where;
    this.root = root;
  }

  /** Parses and validates; an invalid definition throws ViewDefinitionException naming where. */
  public static ViewDefinition parse(String json) {
    try {
      return parse(JSON.readTree(json));
    } catch (JsonProcessingException e) {
      throw new ViewDefinitionException("not JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * A resource's JSON as {@link #rows} expects it: decimals exact (1.0 stays 1.0, as FHIR decimals keep their
   * precision). The reader is shared and thread-safe.
   */
  public static JsonNode readResource(String json) throws JsonProcessingException {
    return JSON.readTree(json);
  }

  /** Parses and validates a definition already read as JSON. */
  public static ViewDefinition parse(JsonNode json) {
    return ViewCompiler.compile(json);
  }

  /** The view's name, or null. */
  public String name() {
    return name;
  }

  /** The FHIR resource type the view reads. */
  public String resource() {
    return resource;
  }

  /** The output columns in spec order. */
  public List<ViewColumn> columns() {
    return columns;
  }

  /**
   * The rows of one resource: empty when it is not of {@link #resource()} type or a where excludes it. Each row
   * has one value per column: null (empty), String (string-like types, dates and times as their FHIR text),
   * Boolean, Long (integer types), BigDecimal (decimal), the JSON text of a complex element, or for a
   * {@code collection: true} column a List of those (empty when nothing matched). Throws
   * ViewDefinitionException when a single-valued column yields several values or a where path is not boolean.
   */
  public List<Object[]> rows(JsonNode resourceJson) {
    JsonNode type = resourceJson == null ? null : resourceJson.get("resourceType");
    if (type == null || !resource.equals(type.textValue())) {
      return List.of();
    }
    EvalContext ctx = new EvalContext(resourceJson);
    Item item = new Item(resourceJson, resource);
    List<Item> focus = List.of(item);
    for (Expr w : where) {
      List<Item> r = w.eval(focus, ctx);
      if (r.size() > 1) {
        throw new ViewDefinitionException("where path yields " + r.size() + " values, not one boolean");
      }
      if (r.isEmpty()) {
        return List.of();
      }
      if (!(r.get(0).value instanceof Boolean b)) {
        throw new ViewDefinitionException("where path yields " + r.get(0).value + ", not a boolean");
      }
      if (!b) {
        return List.of();
      }
    }
    List<Object[]> out = new ArrayList<>(1);
    Object[] row = new Object[columns.size()];
    root.emit(item, 0, ctx, row, () -> out.add(row.clone()));
    return out;
  }
}
