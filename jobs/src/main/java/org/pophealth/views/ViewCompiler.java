package org.pophealth.views;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a ViewDefinition's JSON and compiles it: constants, every FHIRPath expression (once), the select
 * tree with its column slots, and each column's declared or inferred type. Errors name where they are.
 */
final class ViewCompiler {
  private static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

  private final Map<String, List<Item>> constants;
  private final StaticTypes types;
  private final List<ViewColumn> columns = new ArrayList<>();
  private int next;

  private ViewCompiler(Map<String, List<Item>> constants, StaticTypes types) {
    this.constants = constants;
    this.types = types;
  }

  static ViewDefinition compile(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new ViewDefinitionException("a ViewDefinition must be a JSON object");
    }
    JsonNode resource = json.get("resource");
    if (resource == null || !resource.isTextual() || resource.textValue().isBlank()) {
      throw new ViewDefinitionException("resource: the resource type is required");
    }
    String type = resource.textValue();
    ViewCompiler c = new ViewCompiler(constants(json), new StaticTypes(type));
    SelectNode root = new SelectNode();
    JsonNode select = json.get("select");
    if (select == null || !select.isArray() || select.isEmpty()) {
      throw new ViewDefinitionException("select: at least one select is required");
    }
    root.selects = c.selects(select, "select", type);
    root.end = c.next;
    Set<String> seen = new HashSet<>();
    for (ViewColumn col : c.columns) {
      if (!seen.add(col.name())) {
        throw new ViewDefinitionException("column name '" + col.name() + "' is used twice");
      }
    }
    JsonNode where = json.get("where");
    List<Expr> filters = new ArrayList<>();
    if (where != null) {
      if (!where.isArray()) {
        throw new ViewDefinitionException("where: must be an array");
      }
      for (int i = 0; i < where.size(); i++) {
        String at = "where[" + i + "]";
        Expr e = c.expression(where.get(i), "path", at);
        String t = e.staticType(type, c.types);
        if (t != null && !t.equals("boolean")) {
          throw new ViewDefinitionException(at + ": path '" + where.get(i).get("path").textValue()
              + "' is of type " + t + ", not boolean");
        }
        filters.add(e);
      }
    }
    JsonNode name = json.get("name");
    return new ViewDefinition(name == null || name.isNull() ? null : name.asText(), type, c.columns,
        filters.toArray(new Expr[0]), root);
  }

  /** The constants by name, each value typed by its {@code value[x]} suffix. */
  static Map<String, List<Item>> constants(JsonNode json) {
    Map<String, List<Item>> out = new HashMap<>();
    JsonNode list = json.get("constant");
    if (list == null) {
      return out;
    }
    if (!list.isArray()) {
      throw new ViewDefinitionException("constant: must be an array");
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode c = list.get(i);
      String at = "constant[" + i + "]";
      JsonNode name = c.get("name");
      if (name == null || !name.isTextual()) {
        throw new ViewDefinitionException(at + ": a constant needs a name");
      }
      Item value = null;
      for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        String key = f.getKey();
        if (key.startsWith("value") && key.length() > 5) {
          if (value != null) {
            throw new ViewDefinitionException(at + ": constant '" + name.textValue() + "' has two values");
          }
          String suffix = key.substring(5);
          String lower = suffix.substring(0, 1).toLowerCase(Locale.ROOT) + suffix.substring(1);
          String type = FhirTypeNames.isPrimitive(lower) ? lower : suffix;
          value = Item.fromJson(f.getValue(), type);
        }
      }
      if (value == null) {
        throw new ViewDefinitionException(at + ": constant '" + name.textValue() + "' has no value[x]");
      }
      out.put(name.textValue(), List.of(value));
    }
    return out;
  }

  private SelectNode[] selects(JsonNode array, String at, String focusType) {
    if (!array.isArray()) {
      throw new ViewDefinitionException(at + ": must be an array");
    }
    SelectNode[] out = new SelectNode[array.size()];
    for (int i = 0; i < array.size(); i++) {
      out[i] = select(array.get(i), at + "[" + i + "]", focusType);
    }
    return out;
  }

  private SelectNode select(JsonNode json, String at, String parentType) {
    if (!json.isObject()) {
      throw new ViewDefinitionException(at + ": must be an object");
    }
    SelectNode s = new SelectNode();
    s.start = next;
    String focusType = parentType;
    boolean each = json.has("forEach");
    boolean eachOrNull = json.has("forEachOrNull");
    if (each && eachOrNull) {
      throw new ViewDefinitionException(at + ": has both forEach and forEachOrNull");
    }
    if (each || eachOrNull) {
      String key = each ? "forEach" : "forEachOrNull";
      s.forEach = expression(json, key, at);
      s.orNull = eachOrNull;
      focusType = s.forEach.staticType(parentType, types);
    }
    JsonNode repeat = json.get("repeat");
    if (repeat != null) {
      if (s.forEach != null || !repeat.isArray() || repeat.isEmpty()) {
        throw new ViewDefinitionException(at + ".repeat: must be a non-empty array of paths, without forEach");
      }
      s.repeat = new Expr[repeat.size()];
      for (int i = 0; i < repeat.size(); i++) {
        if (!repeat.get(i).isTextual()) {
          throw new ViewDefinitionException(at + ".repeat[" + i + "]: must be a FHIRPath string");
        }
        s.repeat[i] = parse(repeat.get(i).textValue(), at + ".repeat[" + i + "]");
      }
      focusType = s.repeat[0].staticType(parentType, types);
    }
    columns(json.get("column"), at + ".column", focusType, s);
    JsonNode nested = json.get("select");
    if (nested != null) {
      s.selects = selects(nested, at + ".select", focusType);
    }
    JsonNode union = json.get("unionAll");
    if (union != null) {
      s.unionAll = unionAll(union, at + ".unionAll", focusType);
    }
    s.end = next;
    return s;
  }

  private SelectNode[] unionAll(JsonNode union, String at, String focusType) {
    if (!union.isArray() || union.isEmpty()) {
      throw new ViewDefinitionException(at + ": must be a non-empty array");
    }
    int start = next;
    int firstColumn = columns.size();
    List<String> names = null;
    SelectNode[] out = new SelectNode[union.size()];
    for (int i = 0; i < union.size(); i++) {
      next = start;
      int before = columns.size();
      out[i] = select(union.get(i), at + "[" + i + "]", focusType);
      List<String> these = columns.subList(before, columns.size()).stream().map(ViewColumn::name).toList();
      if (names == null) {
        names = these;
      } else {
        if (!names.equals(these)) {
          throw new ViewDefinitionException(at + "[" + i + "]: columns " + these
              + " differ from the first branch's " + names + " (same names in the same order needed)");
        }
        columns.subList(before, columns.size()).clear();
      }
    }
    next = start + columns.size() - firstColumn;
    return out;
  }

  private void columns(JsonNode array, String at, String focusType, SelectNode s) {
    if (array == null) {
      return;
    }
    if (!array.isArray()) {
      throw new ViewDefinitionException(at + ": must be an array");
    }
    int n = array.size();
    s.slots = new int[n];
    s.paths = new Expr[n];
    s.collection = new boolean[n];
    s.types = new String[n];
    s.names = new String[n];
    for (int i = 0; i < n; i++) {
      JsonNode col = array.get(i);
      String here = at + "[" + i + "]";
      JsonNode name = col.get("name");
      if (name == null || !name.isTextual() || !COLUMN_NAME.matcher(name.textValue()).matches()) {
        throw new ViewDefinitionException(here + ": column name " + name
            + " must start with a letter and hold only letters, digits and _");
      }
      JsonNode pathJson = col.get("path");
      if (pathJson == null || !pathJson.isTextual()) {
        throw new ViewDefinitionException(here + ": column '" + name.textValue() + "' has no path");
      }
      Expr path = parse(pathJson.textValue(), here);
      JsonNode collection = col.get("collection");
      if (collection != null && !collection.isBoolean()) {
        throw new ViewDefinitionException(here + ": collection must be true or false");
      }
      JsonNode type = col.get("type");
      String t = type != null && type.isTextual() ? type.textValue() : path.staticType(focusType, types);
      if (t != null && t.indexOf('.') > 0) {
        t = "BackboneElement";
      }
      JsonNode description = col.get("description");
      s.slots[i] = next++;
      s.paths[i] = path;
      s.collection[i] = collection != null && collection.booleanValue();
      s.types[i] = t;
      s.names[i] = name.textValue();
      columns.add(new ViewColumn(name.textValue(), t, s.collection[i],
          description == null ? null : description.asText()));
    }
  }

  private Expr expression(JsonNode json, String key, String at) {
    JsonNode path = json.get(key);
    if (path == null || !path.isTextual()) {
      throw new ViewDefinitionException(at + "." + key + ": must be a FHIRPath string");
    }
    return parse(path.textValue(), at + "." + key);
  }

  private Expr parse(String text, String at) {
    try {
      return FhirPathParser.parse(text, constants);
    } catch (ViewDefinitionException e) {
      throw new ViewDefinitionException(at + ": " + e.getMessage());
    }
  }
}
