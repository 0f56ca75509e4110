package org.pophealth.lakehouse;

import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.plans.logical.InsertIntoStatement;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.TableSpecBase;

/**
 * The whitelists of {@link SqlGuard}, by Catalyst class name (Spark 3.5, Delta 3.3): which parsed plan nodes
 * make up a query, which statements read metadata, which are maintenance ({@code --admin}), and the SQL words
 * each statement is named by in a refusal. A class in none of the lists is refused in every mode.
 */
final class SqlStatements {
  private static final String L = "org.apache.spark.sql.catalyst.plans.logical.";
  private static final String A = "org.apache.spark.sql.catalyst.analysis.";
  private static final String C = "org.apache.spark.sql.execution.command.";
  private static final String D = "org.apache.spark.sql.delta.commands.";

  /** Nodes a parsed query (SELECT, WITH, VALUES, table-valued functions, set operations) is made of. */
  static final Set<String> QUERY_NODES = Set.of(
      L + "Project", L + "Filter", L + "Aggregate", L + "Join", L + "Union", L + "Intersect", L + "Except",
      L + "Distinct", L + "Deduplicate", L + "Sort", L + "GlobalLimit", L + "LocalLimit", L + "Offset", L + "Tail",
      L + "SubqueryAlias", L + "LocalRelation", L + "OneRowRelation", L + "Generate", L + "Sample", L + "Pivot",
      L + "Unpivot", L + "UnresolvedHint", L + "WithWindowDefinition", L + "RepartitionByExpression",
      L + "Repartition", L + "RebalancePartitions", L + "LateralJoin", L + "UnresolvedWith", L + "Window",
      L + "Expand", L + "Range",
      A + "UnresolvedRelation", A + "UnresolvedInlineTable", A + "UnresolvedTableValuedFunction",
      A + "UnresolvedTVFAliases", A + "RelationTimeTravel", A + "UnresolvedHaving",
      A + "UnresolvedSubqueryColumnAliases");

  /** Nodes that name a table, view, namespace or function inside a statement (checked by name). */
  static final Set<String> NAME_NODES = Set.of(
      A + "UnresolvedRelation", A + "UnresolvedTable", A + "UnresolvedTableOrView", A + "UnresolvedView",
      A + "UnresolvedIdentifier", A + "UnresolvedNamespace", A + "UnresolvedFunctionName",
      "org.apache.spark.sql.catalyst.TimeTravel");

  /** Read-only statements about metadata: allowed in every mode. */
  static final Set<String> METADATA = Set.of(
      L + "ShowTables", L + "ShowTableExtended", L + "ShowNamespaces", L + "DescribeRelation", L + "DescribeColumn",
      C + "DescribeQueryCommand", D + "DescribeDeltaHistory", D + "DescribeDeltaDetailCommand", L + "ShowColumns",
      L + "ShowCreateTable", L + "ShowTableProperties", L + "ShowFunctions", L + "DescribeFunction",
      C + "ExplainCommand", L + "ShowPartitions", L + "ShowViews", C + "ShowCurrentNamespaceCommand");

  /** Maintenance of the lakehouse's own tables, by name: allowed with {@code --admin} only. */
  static final Set<String> MAINTENANCE = Set.of(
      L + "InsertIntoStatement", L + "UpdateTable", L + "DeleteFromTable", L + "MergeIntoTable", L + "TruncateTable",
      D + "OptimizeTableCommand", "io.delta.tables.execution.VacuumTableCommand", L + "RestoreTableStatement",
      D + "DeltaReorgTable", L + "RefreshTable", L + "CacheTable", L + "UncacheTable", C + "ClearCacheCommand$",
      L + "AnalyzeTable", L + "AnalyzeColumn", L + "SetTableProperties", L + "UnsetTableProperties");

  /** Maintenance that leaves a table's rows and history as they are: allowed on the append-only ops tables. */
  static final Set<String> CONTENT_PRESERVING = Set.of(
      D + "OptimizeTableCommand", L + "RefreshTable", L + "CacheTable", L + "UncacheTable", L + "AnalyzeTable",
      L + "AnalyzeColumn");

  private static final Map<String, String> WORDS = Map.ofEntries(
      Map.entry("InsertIntoDir", "INSERT OVERWRITE DIRECTORY"),
      Map.entry("UpdateTable", "UPDATE"), Map.entry("DeleteFromTable", "DELETE"), Map.entry("MergeIntoTable", "MERGE"),
      Map.entry("DropTable", "DROP TABLE"), Map.entry("DropView", "DROP VIEW"),
      Map.entry("DropNamespace", "DROP DATABASE"), Map.entry("DropFunction", "DROP FUNCTION"),
      Map.entry("CreateTableAsSelect", "CREATE TABLE … AS SELECT"), Map.entry("ReplaceTable", "CREATE OR REPLACE TABLE"),
      Map.entry("ReplaceTableAsSelect", "CREATE OR REPLACE TABLE … AS SELECT"), Map.entry("CreateView", "CREATE VIEW"),
      Map.entry("CreateViewCommand", "CREATE VIEW"), Map.entry("CreateTempViewUsing", "CREATE TEMPORARY VIEW … USING"),
      Map.entry("CreateFunction", "CREATE FUNCTION"), Map.entry("CreateFunctionCommand", "CREATE FUNCTION"),
      Map.entry("DropFunctionCommand", "DROP FUNCTION"), Map.entry("CreateNamespace", "CREATE DATABASE"),
      Map.entry("CreateTableLikeCommand", "CREATE TABLE … LIKE"), Map.entry("SetTableLocation", "ALTER TABLE … SET LOCATION"),
      Map.entry("SetTableProperties", "ALTER TABLE … SET TBLPROPERTIES"),
      Map.entry("UnsetTableProperties", "ALTER TABLE … UNSET TBLPROPERTIES"), Map.entry("RenameTable", "ALTER TABLE … RENAME"),
      Map.entry("AlterViewAs", "ALTER VIEW"), Map.entry("SetNamespaceLocation", "ALTER DATABASE … SET LOCATION"),
      Map.entry("SetNamespaceProperties", "ALTER DATABASE"), Map.entry("TruncateTable", "TRUNCATE TABLE"),
      Map.entry("CacheTable", "CACHE TABLE"), Map.entry("CacheTableAsSelect", "CACHE TABLE … AS SELECT"),
      Map.entry("UncacheTable", "UNCACHE TABLE"), Map.entry("ClearCacheCommand$", "CLEAR CACHE"),
      Map.entry("LoadData", "LOAD DATA"), Map.entry("AddJarsCommand", "ADD JAR"), Map.entry("AddFilesCommand", "ADD FILE"),
      Map.entry("AddArchivesCommand", "ADD ARCHIVE"), Map.entry("ListJarsCommand", "LIST JAR"),
      Map.entry("ListFilesCommand", "LIST FILE"), Map.entry("ListArchivesCommand", "LIST ARCHIVE"),
      Map.entry("RefreshTable", "REFRESH TABLE"), Map.entry("RefreshResource", "REFRESH"),
      Map.entry("RefreshFunction", "REFRESH FUNCTION"), Map.entry("RepairTable", "MSCK REPAIR TABLE"),
      Map.entry("VacuumTableCommand", "VACUUM"), Map.entry("OptimizeTableCommand", "OPTIMIZE"),
      Map.entry("RestoreTableStatement", "RESTORE"), Map.entry("ConvertToDeltaCommand", "CONVERT TO DELTA"),
      Map.entry("CloneTableStatement", "CLONE"), Map.entry("DeltaGenerateCommand", "GENERATE"),
      Map.entry("DeltaReorgTable", "REORG TABLE"), Map.entry("SetCommand", "SET"), Map.entry("ResetCommand", "RESET"),
      Map.entry("SetCatalogAndNamespace", "USE"), Map.entry("ScriptTransformation", "TRANSFORM … USING (runs a program)"),
      Map.entry("AnalyzeTable", "ANALYZE TABLE"), Map.entry("AnalyzeColumn", "ANALYZE TABLE … FOR COLUMNS"),
      Map.entry("AnalyzeTables", "ANALYZE TABLES"), Map.entry("PlanWithUnresolvedIdentifier", "IDENTIFIER(…)"),
      Map.entry("ShowTables", "SHOW TABLES"), Map.entry("ShowTableExtended", "SHOW TABLE EXTENDED"),
      Map.entry("ShowNamespaces", "SHOW DATABASES"), Map.entry("DescribeRelation", "DESCRIBE"),
      Map.entry("DescribeColumn", "DESCRIBE"), Map.entry("DescribeQueryCommand", "DESCRIBE QUERY"),
      Map.entry("DescribeDeltaHistory", "DESCRIBE HISTORY"), Map.entry("DescribeDeltaDetailCommand", "DESCRIBE DETAIL"),
      Map.entry("ShowColumns", "SHOW COLUMNS"), Map.entry("ShowCreateTable", "SHOW CREATE TABLE"),
      Map.entry("ShowTableProperties", "SHOW TBLPROPERTIES"), Map.entry("ShowFunctions", "SHOW FUNCTIONS"),
      Map.entry("DescribeFunction", "DESCRIBE FUNCTION"), Map.entry("ExplainCommand", "EXPLAIN"),
      Map.entry("ShowPartitions", "SHOW PARTITIONS"), Map.entry("ShowViews", "SHOW VIEWS"),
      Map.entry("ShowCurrentNamespaceCommand", "SHOW CURRENT NAMESPACE"));

  private SqlStatements() {}

  /** The SQL words a statement is known by ({@code DELETE}, {@code CREATE TABLE … LOCATION}, ...). */
  static String words(LogicalPlan statement) {
    String simple = statement.getClass().getSimpleName();
    if (statement instanceof InsertIntoStatement insert) {
      return insert.overwrite() ? "INSERT OVERWRITE" : "INSERT";
    }
    if (simple.equals("CreateTable") || simple.equals("CreateTableAsSelect") || simple.startsWith("ReplaceTable")) {
      String base = WORDS.getOrDefault(simple, "CREATE TABLE");
      return hasLocation(statement) ? base + " … LOCATION" : base;
    }
    if (simple.equals("CreateNamespace")) {
      return statement.toString().contains("location") ? "CREATE DATABASE … LOCATION" : "CREATE DATABASE";
    }
    String known = WORDS.get(simple);
    if (known != null) {
      return known;
    }
    if (simple.startsWith("Alter") || simple.endsWith("Columns") || simple.endsWith("Column")
        || simple.contains("Partition") && !simple.startsWith("Show")) {
      return "ALTER TABLE";
    }
    return simple.replace("$", "");
  }

  /** True for a statement class that only reads (a query, or metadata). */
  static boolean isQueryNode(LogicalPlan node) {
    return QUERY_NODES.contains(node.getClass().getName());
  }

  static boolean isNameNode(LogicalPlan node) {
    return NAME_NODES.contains(node.getClass().getName()) || isPathBased(node);
  }

  /** Delta's path-addressed tables ({@code VACUUM '/path'}, {@code DESCRIBE HISTORY '/path'}, ...). */
  static boolean isPathBased(LogicalPlan node) {
    return node.getClass().getSimpleName().contains("PathBased");
  }

  private static boolean hasLocation(LogicalPlan statement) {
    for (Object field : scala.collection.JavaConverters.asJavaIterable(statement.productIterator().toSeq())) {
      if (field instanceof TableSpecBase spec && spec.location().isDefined()) {
        return true;
      }
    }
    return false;
  }
}
