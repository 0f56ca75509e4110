package org.pophealth.views;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.pophealth.reference.ReferenceData;

/**
 * The ViewDefinitions a pipeline materialises: every {@code *.json} of {@code views.dir} (null: the packaged
 * {@code measures/views/}), each parsed and validated. A definition needs a {@code name} a table can carry
 * (letters, digits and underscores, starting with a letter: it becomes {@code view.<name>}), unique in the
 * folder; one with {@code status: retired} is left out. Any problem is an error naming the file.
 */
public final class ViewFiles {
  private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,127}");

  /** A definition and where it came from. */
  public record Named(String table, String file, String json, ViewDefinition definition) {}

  /** A SQL view: a read-only query over the view tables (and the lakehouse's), run after the definitions. */
  public record SqlView(String table, String file, String sql) {}

  private ViewFiles() {}

  /** The definitions of {@code dir} (null: packaged), sorted by file name. */
  public static List<Named> load(String dir) {
    ReferenceData folder = ReferenceData.packaged("views").replacedBy(dir, "views");
    List<Named> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (String file : folder.list(".json")) {
      String where = folder.where(file);
      String json = folder.text(file);
      ViewDefinition def = parse(json, where);
      if ("retired".equals(status(json))) {
        continue;
      }
      String table = tableName(def, where);
      String other = seen.put(table.toLowerCase(java.util.Locale.ROOT), where);
      if (other != null) {
        throw new ViewDefinitionException(where + ": view name " + table + " is also the name of " + other);
      }
      out.add(new Named(table, where, json, def));
    }
    return out;
  }

  /**
   * The SQL views of {@code dir} (null: packaged): every {@code *.sql}, named by its file name (which must be
   * a table name, distinct from the definitions'), sorted by file name.
   */
  public static List<SqlView> sqlViews(String dir, List<Named> definitions) {
    ReferenceData folder = ReferenceData.packaged("views").replacedBy(dir, "views");
    List<SqlView> out = new ArrayList<>();
    java.util.Set<String> taken = new java.util.HashSet<>();
    definitions.forEach(d -> taken.add(d.table().toLowerCase(java.util.Locale.ROOT)));
    for (String file : folder.list(".sql")) {
      String where = folder.where(file);
      String table = checkedName(file.substring(0, file.length() - ".sql".length()), where);
      if (!taken.add(table.toLowerCase(java.util.Locale.ROOT))) {
        throw new ViewDefinitionException(where + ": view name " + table + " is taken by another view of " + folder.location());
      }
      out.add(new SqlView(table, where, folder.text(file)));
    }
    return out;
  }

  /** One definition file (bin/pophealth view run FILE). */
  public static Named file(Path file) {
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot read the ViewDefinition " + file + ": " + e.getMessage(), e);
    }
    ViewDefinition def = parse(json, file.toString());
    return new Named(def.name() == null ? null : tableName(def, file.toString()), file.toString(), json, def);
  }

  /** The table name a definition gives ({@code name}), checked. */
  public static String tableName(ViewDefinition def, String where) {
    return checkedName(def.name(), where);
  }

  /** A view table name, checked: letters, digits and underscores, starting with a letter. */
  public static String checkedName(String name, String where) {
    if (name == null || name.isBlank()) {
      throw new ViewDefinitionException(where + ": the view has no name; give it one (\"name\": \"patient_demographics\"),"
          + " it names the table view.<name>");
    }
    if (!TABLE_NAME.matcher(name).matches()) {
      throw new ViewDefinitionException(where + ": view name \"" + name + "\" cannot name a table: use letters, digits"
          + " and underscores, starting with a letter");
    }
    return name;
  }

  private static ViewDefinition parse(String json, String where) {
    try {
      return ViewDefinition.parse(json);
    } catch (ViewDefinitionException e) {
      throw new ViewDefinitionException(where + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ViewDefinitionException(where + ": not a ViewDefinition (" + e.getMessage() + ")");
    }
  }

  private static String status(String json) {
    try {
      return ViewDefinition.readResource(json).path("status").asText(null);
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
