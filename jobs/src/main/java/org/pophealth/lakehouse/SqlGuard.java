package org.pophealth.lakehouse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.catalyst.analysis.TableFunctionRegistry;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.UnresolvedNamespace;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTable;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTableOrView;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTableValuedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedView;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UserDefinedExpression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.plans.logical.CTERelationRef;
import org.apache.spark.sql.catalyst.plans.logical.DeleteFromTable;
import org.apache.spark.sql.catalyst.plans.logical.InsertIntoStatement;
import org.apache.spark.sql.catalyst.plans.logical.LeafNode;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.MergeIntoTable;
import org.apache.spark.sql.catalyst.plans.logical.OneRowRelation;
import org.apache.spark.sql.catalyst.plans.logical.Range;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import org.apache.spark.sql.catalyst.plans.logical.UpdateTable;
import org.apache.spark.sql.catalyst.plans.logical.View;
import org.apache.spark.sql.execution.command.ExplainCommand;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import scala.collection.JavaConverters;

/**
 * What the SQL console ({@code bin/pophealth sql}) may run against a lakehouse, decided on the statement as
 * the session's own parser reads it, before anything runs, and again on the analyzed plan of a query.
 *
 * <p>A whitelist: read-only mode allows queries (SELECT, WITH, VALUES, Spark's built-in table-valued functions
 * such as {@code range}) over the lakehouse's tables ({@code zone.table} with a contract in {@code schemas/}, and the
 * analysts' view tables {@code view.<name>} that exist,
 * time travel included) and read-only metadata statements (SHOW TABLES, DESCRIBE, SHOW COLUMNS, DESCRIBE HISTORY,
 * EXPLAIN of an allowed statement, ...). {@link Mode#ADMIN} adds the maintenance statements of
 * {@link SqlStatements#MAINTENANCE} on the lakehouse's tables by name, except that {@code ops.*} tables (audit
 * trails) take only appends and content-preserving maintenance. Everything else is refused in every mode:
 * file-path data sources and path-addressed tables, LOCATION, INSERT OVERWRITE DIRECTORY, CREATE, DROP, ALTER
 * other than table properties, LOAD DATA, ADD JAR/FILE, SET/RESET, USE, TRANSFORM, CONVERT, CLONE, functions that
 * are not Spark built-ins, and the JVM-calling built-ins {@code reflect}, {@code java_method}, {@code try_reflect}.
 * A refusal is a {@link Refused} whose message is one line naming the construct.
 */
public final class SqlGuard {
  /** Read-only (the default) or admin ({@code --admin}: maintenance statements too). */
  public enum Mode {
    READ_ONLY("read-only"), ADMIN("admin");

    private final String label;

    Mode(String label) {
      this.label = label;
    }

    /** {@code read-only} or {@code admin}, as recorded in ops.sql_query. */
    public String label() {
      return label;
    }
  }

  /** What an allowed statement does. */
  public enum Kind { QUERY, METADATA, MAINTENANCE }

  /**
   * An allowed statement: its parsed plan (run exactly this), kind, SQL words ({@code query}, {@code DESCRIBE},
   * {@code DELETE}, ...), and the lakehouse tables it names: the tables written by a maintenance statement, and
   * the others.
   */
  public record Verdict(LogicalPlan plan, Kind kind, String words, List<String> tablesNamed,
      List<String> tablesWritten) {}

  /** A statement the guard refuses; the message is one line, {@code refused: <construct> ...}. */
  public static final class Refused extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private String words;

    Refused(String reason) {
      super("refused: " + reason);
    }

    /** The refused statement's SQL words ({@code query}, {@code INSERT OVERWRITE DIRECTORY}, ...). */
    public String words() {
      return words;
    }
  }

  /** Built-ins that call Java methods by name (Spark 3.5; {@code try_reflect} from Spark 4). */
  static final Set<String> JVM_FUNCTIONS = Set.of("reflect", "java_method", "try_reflect");

  /** Data source names Spark accepts as {@code format.`path`} (any other one still is not a lakehouse table). */
  private static final Set<String> FILE_FORMATS = Set.of("text", "csv", "json", "parquet", "orc", "avro", "delta",
      "binaryfile", "libsvm", "image", "xml", "jdbc", "hive", "noop", "console", "memory", "rate", "socket");

  private final Lakehouse lakehouse;
  private final Mode mode;

  public SqlGuard(Lakehouse lakehouse, Mode mode) {
    this.lakehouse = lakehouse;
    this.mode = mode;
  }

  public Mode mode() {
    return mode;
  }

  /**
   * Parses {@code sql} with the session's parser and checks it.
   *
   * @throws ParseException on a syntax error (Spark's own message)
   * @throws Refused when the statement is not allowed in this mode
   */
  public Verdict check(String sql) throws ParseException {
    LogicalPlan plan = lakehouse.spark().sessionState().sqlParser().parsePlan(sql);
    try {
      return checkStatement(plan);
    } catch (Refused e) {
      e.words = SqlStatements.isQueryNode(plan) ? "query" : SqlStatements.words(plan);
      throw e;
    }
  }

  private Verdict checkStatement(LogicalPlan plan) {
    String cls = plan.getClass().getName();
    Kind kind;
    if (SqlStatements.isQueryNode(plan)) {
      kind = Kind.QUERY;
    } else if (SqlStatements.METADATA.contains(cls)) {
      kind = Kind.METADATA;
    } else if (SqlStatements.MAINTENANCE.contains(cls)) {
      if (mode != Mode.ADMIN) {
        throw new Refused(SqlStatements.words(plan) + " is not allowed: sql is read-only (queries, SHOW, DESCRIBE, "
            + "EXPLAIN of the lakehouse's tables); maintenance needs --admin");
      }
      kind = Kind.MAINTENANCE;
    } else {
      throw new Refused(SqlStatements.words(plan) + " is not allowed in sql, not even with --admin");
    }
    Set<String> ctes = cteNames(plan);
    Set<String> named = new TreeSet<>();
    for (LogicalPlan node : CatalystTrees.nodes(plan)) {
      if (node != plan) {
        checkInnerNode(plan, node);
      }
      checkNames(node, ctes, named);
      for (Expression e : CatalystTrees.expressions(node)) {
        checkExpression(e);
      }
    }
    List<String> written = kind == Kind.MAINTENANCE ? targets(plan) : List.of();
    if (kind == Kind.MAINTENANCE) {
      checkAppendOnly(plan, written, named);
    }
    named.removeAll(written);
    String words = kind == Kind.QUERY ? "query" : SqlStatements.words(plan);
    return new Verdict(plan, kind, words, List.copyOf(named), written);
  }

  /** A node under the statement: part of a query, a name, or the statement under EXPLAIN. */
  private void checkInnerNode(LogicalPlan statement, LogicalPlan node) {
    if (SqlStatements.isQueryNode(node) || SqlStatements.isNameNode(node)) {
      if (SqlStatements.isPathBased(node)) {
        throw new Refused("path-addressed table " + pathOf(node) + " is not allowed: sql works on the lakehouse's "
            + "tables by name only");
      }
      return;
    }
    if (statement instanceof ExplainCommand explain && node == explain.logicalPlan()) {
      checkStatement(node);
      return;
    }
    throw new Refused(SqlStatements.words(node) + " is not allowed in sql, not even with --admin");
  }

  /** Names of tables, views and namespaces: the lakehouse's tables (or a CTE of the statement) only. */
  private void checkNames(LogicalPlan node, Set<String> ctes, Set<String> named) {
    if (node instanceof UnresolvedRelation r) {
      if (r.isStreaming()) {
        throw new Refused("STREAM is not allowed in sql");
      }
      // the parser itself marks the target of INSERT, UPDATE, DELETE and MERGE with the privileges it needs
      if (!r.options().keySet().stream().allMatch(k -> k.equals("__required_write_privileges__"))) {
        throw new Refused("table options (WITH (...)) are not allowed in sql");
      }
      List<String> parts = CatalystTrees.strings(r.multipartIdentifier());
      if (parts.size() == 1 && ctes.contains(parts.get(0).toLowerCase(Locale.ROOT))) {
        return;
      }
      named.add(lakehouseTable(parts));
    } else if (node instanceof UnresolvedTable t) {
      named.add(lakehouseTable(CatalystTrees.strings(t.multipartIdentifier())));
    } else if (node instanceof UnresolvedTableOrView t) {
      named.add(lakehouseTable(CatalystTrees.strings(t.multipartIdentifier())));
    } else if (node instanceof UnresolvedView v) {
      named.add(lakehouseTable(CatalystTrees.strings(v.multipartIdentifier())));
    } else if (node instanceof UnresolvedIdentifier id) {
      named.add(lakehouseTable(CatalystTrees.strings(id.nameParts())));
    } else if (node instanceof UnresolvedNamespace ns) {
      checkNamespace(CatalystTrees.strings(ns.multipartIdentifier()));
    } else if (node instanceof UnresolvedTableValuedFunction tvf) {
      List<String> parts = CatalystTrees.strings(tvf.name());
      String name = parts.get(parts.size() - 1).toLowerCase(Locale.ROOT);
      if (parts.size() != 1 || !TableFunctionRegistry.builtin().functionExists(FunctionIdentifier.apply(name))) {
        throw new Refused("table function " + String.join(".", parts) + " is not allowed: sql allows Spark's "
            + "built-in table functions (range, explode, ...) only");
      }
    }
  }

  private static void checkExpression(Expression e) {
    if (e instanceof UnresolvedFunction f) {
      List<String> parts = CatalystTrees.strings(f.nameParts());
      String name = parts.get(parts.size() - 1).toLowerCase(Locale.ROOT);
      String qualifier = String.join(".", parts.subList(0, parts.size() - 1)).toLowerCase(Locale.ROOT);
      if (JVM_FUNCTIONS.contains(name)) {
        throw new Refused("function " + name + " is not allowed: it calls Java methods");
      }
      boolean builtinQualifier = qualifier.isEmpty() || qualifier.equals("builtin") || qualifier.equals("system.builtin");
      if (!builtinQualifier || !FunctionRegistry.builtin().functionExists(FunctionIdentifier.apply(name))) {
        throw new Refused("function " + String.join(".", parts) + " is not allowed: sql allows Spark's built-in "
            + "functions only");
      }
    } else if (e.getClass().getSimpleName().contains("UnresolvedIdentifier")) {
      throw new Refused("IDENTIFIER(…) is not allowed in sql: name tables and functions directly");
    }
  }

  /**
   * Checks the analyzed plan of an allowed query before it runs: every relation it reads is one of this
   * lakehouse's tables at its own location (no view, no file, no table of another lakehouse), and no
   * expression calls Java or a user-defined function. Returns the tables read, sorted.
   *
   * @throws Refused otherwise
   */
  public List<String> checkQuery(LogicalPlan analyzed) {
    Set<String> read = new TreeSet<>();
    for (LogicalPlan node : CatalystTrees.nodes(analyzed)) {
      if (node instanceof View v) {
        throw new Refused("view " + v.desc().identifier().unquotedString() + " is not a table of this lakehouse");
      }
      if (node instanceof LogicalRelation r) {
        read.add(checkRelation(r));
      } else if (node instanceof LeafNode && !(node instanceof LocalRelation || node instanceof Range
          || node instanceof OneRowRelation || node instanceof CTERelationRef)) {
        throw new Refused(node.nodeName() + " is not a table of this lakehouse");
      }
      for (Expression e : CatalystTrees.expressions(node)) {
        String simple = e.getClass().getSimpleName();
        if (simple.contains("Reflect")) {
          throw new Refused("function reflect is not allowed: it calls Java methods");
        }
        if (e instanceof UserDefinedExpression u) {
          throw new Refused("user-defined function " + u.name() + " is not allowed: sql allows Spark's built-in "
              + "functions only");
        }
      }
    }
    return List.copyOf(read);
  }

  private String checkRelation(LogicalRelation r) {
    if (r.catalogTable().isEmpty()) {
      throw new Refused("a file-path data source is not allowed: sql reads the lakehouse's tables only");
    }
    CatalogTable t = r.catalogTable().get();
    String zone = t.identifier().database().isDefined() ? t.identifier().database().get() : "";
    String name = lakehouseTable(List.of(zone, t.identifier().table()));
    String expected = qualified(name.startsWith(Lakehouse.VIEW_ZONE + ".")
        ? lakehouse.viewPath(name.substring(Lakehouse.VIEW_ZONE.length() + 1)) : lakehouse.path(name));
    boolean here = qualified(t.location().toString()).equals(expected);
    if (r.relation() instanceof HadoopFsRelation fs) {
      for (Path root : JavaConverters.seqAsJavaList(fs.location().rootPaths())) {
        here &= qualified(root.toString()).equals(expected);
      }
    }
    if (!here) {
      throw new Refused("table " + name + " is registered at " + t.location() + ", not in this lakehouse ("
          + lakehouse.root() + ")");
    }
    return name;
  }

  /** {@code zone.table} of a contract in schemas/ (optionally {@code spark_catalog.zone.table}), else refused. */
  private String lakehouseTable(List<String> parts) {
    List<String> p = new ArrayList<>();
    for (String s : parts) {
      p.add(s.toLowerCase(Locale.ROOT));
    }
    if (p.size() == 3 && p.get(0).equals("spark_catalog")) {
      p = p.subList(1, 3);
    }
    String shown = String.join(".", parts);
    if (p.size() == 2 && (FILE_FORMATS.contains(p.get(0)) || parts.get(1).contains("/"))) {
      throw new Refused("file-path data source " + parts.get(0) + ".`" + parts.get(1) + "` is not allowed: sql "
          + "reads the lakehouse's tables only");
    }
    if (p.size() == 2 && p.get(0).equals(Lakehouse.VIEW_ZONE)) {
      String view = p.get(1);
      java.util.Optional<String> found = lakehouse.viewTables().stream()
          .filter(v -> v.toLowerCase(Locale.ROOT).equals(view)).findFirst();
      if (found.isPresent()) {
        return Lakehouse.VIEW_ZONE + "." + found.get();
      }
      throw new Refused("table " + shown + " is not a view of this lakehouse (build-views or view run makes them;"
          + " the views are " + lakehouse.viewTables() + ")");
    }
    if (p.size() != 2 || lakehouse.contracts().find(p.get(0) + "." + p.get(1)).isEmpty()) {
      throw new Refused("table " + shown + " is not a table of this lakehouse (tables are zone.table, e.g. "
          + "silver.patient)");
    }
    return p.get(0) + "." + p.get(1);
  }

  private void checkNamespace(List<String> parts) {
    List<String> p = parts.size() == 2 && parts.get(0).equalsIgnoreCase("spark_catalog") ? parts.subList(1, 2) : parts;
    if (p.isEmpty()) {
      return;
    }
    String ns = p.get(0).toLowerCase(Locale.ROOT);
    boolean zone = ns.equals(Lakehouse.VIEW_ZONE) || lakehouse.contracts().all().stream().anyMatch(c -> c.zone().equals(ns));
    if (p.size() != 1 || !zone && !ns.equals("default")) {
      throw new Refused("namespace " + String.join(".", parts) + " is not a zone of this lakehouse");
    }
  }

  /** The tables a maintenance statement changes. */
  private List<String> targets(LogicalPlan statement) {
    LogicalPlan target;
    if (statement instanceof InsertIntoStatement i) {
      target = i.table();
    } else if (statement instanceof UpdateTable u) {
      target = u.table();
    } else if (statement instanceof DeleteFromTable d) {
      target = d.table();
    } else if (statement instanceof MergeIntoTable m) {
      target = m.targetTable();
    } else {
      target = statement;
    }
    Set<String> out = new TreeSet<>();
    for (LogicalPlan node : CatalystTrees.nodes(target)) {
      checkNames(node, Set.of(), out);
    }
    return List.copyOf(out);
  }

  /**
   * ops.* tables are audit trails: with --admin they take INSERT INTO (an append) and maintenance that keeps
   * their rows and history (OPTIMIZE, REFRESH, CACHE, ANALYZE); nothing else may name them.
   */
  private static void checkAppendOnly(LogicalPlan statement, List<String> written, Set<String> named) {
    boolean append = statement instanceof InsertIntoStatement i && !i.overwrite() && i.partitionSpec().isEmpty();
    boolean preserving = SqlStatements.CONTENT_PRESERVING.contains(statement.getClass().getName());
    for (String t : written) {
      if (t.startsWith("ops.") && !append && !preserving) {
        throw new Refused(SqlStatements.words(statement) + " on " + t + " is not allowed: ops tables are "
            + "append-only (audit); --admin may only INSERT INTO them");
      }
    }
    if (!append && !preserving) {
      for (String t : named) {
        if (t.startsWith("ops.")) {
          throw new Refused(SqlStatements.words(statement) + " naming " + t + " is not allowed: ops tables are "
              + "append-only (audit); --admin may only INSERT INTO them");
        }
      }
    }
  }

  private static Set<String> cteNames(LogicalPlan plan) {
    Set<String> out = new TreeSet<>();
    for (LogicalPlan node : CatalystTrees.nodes(plan)) {
      if (node instanceof UnresolvedWith w) {
        for (scala.Tuple2<String, ?> def : JavaConverters.seqAsJavaList(w.cteRelations())) {
          out.add(def._1().toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  private static String pathOf(LogicalPlan node) {
    for (Object field : JavaConverters.asJavaIterable(node.productIterator().toSeq())) {
      if (field instanceof String s) {
        return "'" + s + "'";
      }
    }
    return node.nodeName();
  }

  private String qualified(String location) {
    return lakehouse.qualified(location);
  }
}
