package org.pophealth.lakehouse;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.analysis.NoSuchDatabaseException;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Delta tables under one root, one directory per zone ({@code bronze}, {@code silver},
 * {@code gold}, {@code ops}, {@code published}). Tables are created from their contracts and every
 * write goes through {@link #conform} so what lands matches {@code schemas/}.
 */
public final class Lakehouse {
  private static final com.fasterxml.jackson.databind.ObjectMapper COMMIT_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private final SparkSession spark;
  private final String root;
  private final ContractRegistry contracts;
  private final java.util.Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.Set<String> upgraded = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public Lakehouse(SparkSession spark, String root) {
    this.spark = spark;
    this.root = stripSlash(org.pophealth.config.Locations.absolute(root));
    this.contracts = ContractRegistry.get();
  }

  public SparkSession spark() {
    return spark;
  }

  public String root() {
    return root;
  }

  public ContractRegistry contracts() {
    return contracts;
  }

  public TableContract contract(String name) {
    return contracts.contract(name);
  }

  public String path(TableContract c) {
    return root + "/" + c.zone() + "/" + c.table();
  }

  public String path(String name) {
    return path(contract(name));
  }

  public boolean exists(String name) {
    if (known.contains(name)) {
      return true;
    }
    if (DeltaTable.isDeltaTable(spark, path(name))) {
      known.add(name); // a table, once there, stays (a roll-back restores versions, it never deletes one)
      return true;
    }
    return false;
  }

  /** Creates the table from its contract when it does not exist yet (one Delta commit, no Spark job). */
  public TableContract ensure(String name) {
    TableContract c = contract(name);
    if (known.contains(name)) {
      return c;
    }
    if (!DeltaTable.isDeltaTable(spark, path(c))) {
      var builder = DeltaTable.createIfNotExists(spark).location(path(c)).addColumns(c.schema());
      if (!c.partitionBy().isEmpty()) {
        builder = builder.partitionedBy(c.partitionBy().toArray(new String[0]));
      }
      if (!c.statsColumns().isEmpty()) {
        // file statistics only where queries filter; skipping them on large text (raw JSON) speeds writes
        builder = builder.property("delta.dataSkippingStatsColumns", String.join(",", c.statsColumns()));
      }
      if (c.deletionVectors()) {
        builder = builder.property("delta.enableDeletionVectors", "true");
      }
      builder.execute();
      upgraded.add(name);
    }
    known.add(name);
    return c;
  }

  /** {@link #ensure}, and upgrade the table to its contract before this JVM's first write to it. */
  private TableContract ensureWritable(String name) {
    TableContract c = ensure(name);
    if (upgraded.add(name)) {
      addMissingColumns(c);
    }
    return c;
  }

  /**
   * A table created before its contract gained nullable columns gets them ({@code ALTER TABLE ADD COLUMNS},
   * one metadata commit, null in the existing rows), so a lakehouse written by an earlier version keeps
   * working without a migration step; a missing required column is an error naming the table.
   */
  private void addMissingColumns(TableContract c) {
    java.util.Set<String> have = new java.util.HashSet<>();
    for (String f : spark.read().format("delta").load(path(c)).schema().fieldNames()) {
      have.add(f.toLowerCase(java.util.Locale.ROOT));
    }
    List<String> add = new ArrayList<>();
    for (StructField f : c.schema().fields()) {
      if (have.contains(f.name().toLowerCase(java.util.Locale.ROOT))) {
        continue;
      }
      if (!f.nullable()) {
        throw new IllegalStateException(c.name() + " at " + path(c) + " lacks the required column " + f.name()
            + " of its contract (schemas/); it was written by an incompatible version");
      }
      add.add("`" + f.name() + "` " + f.dataType().sql());
    }
    if (!add.isEmpty()) {
      spark.sql("ALTER TABLE delta.`" + path(c).replace("`", "``") + "` ADD COLUMNS (" + String.join(", ", add) + ")");
    }
  }

  /**
   * Reads a table; a table that does not exist yet reads as no rows of its contract's columns ({@link #empty}),
   * and nothing is created: creating it would cost a commit and, on first read, Delta's reconstruction of
   * the new version's state (a Spark job of several stages), for rows that are known to be none.
   */
  public Dataset<Row> read(String name) {
    if (!exists(name)) {
      return empty(name);
    }
    return spark.read().format("delta").load(path(name));
  }

  /** No rows, with the contract's columns: what an absent table holds. */
  public Dataset<Row> empty(String name) {
    return spark.createDataFrame(List.of(), contract(name).schema());
  }

  /** Reads a table as of a Delta version (time travel). */
  public Dataset<Row> readVersion(String name, long version) {
    if (version <= 0 && !exists(name)) {
      return empty(name); // version 0 is the empty first version, which an absent table reads as too
    }
    return spark.read().format("delta").option("versionAsOf", version).load(path(name));
  }

  public DeltaTable delta(String name) {
    ensure(name);
    return DeltaTable.forPath(spark, path(name));
  }

  /** Current Delta version of every contract table that exists (by name, sorted). */
  public java.util.SortedMap<String, Long> versions() {
    java.util.SortedMap<String, Long> out = new java.util.TreeMap<>();
    for (TableContract c : contracts().all()) {
      long v = version(c.name());
      if (v >= 0) {
        out.put(c.name(), v);
      }
    }
    return out;
  }

  /**
   * Current Delta version of a table, -1 when it does not exist: the newest commit (or checkpoint) file in
   * its {@code _delta_log}, by one directory listing rather than a Spark job over the history (the pipeline
   * runner asks this of every table before and after each job).
   */
  public long version(String name) {
    return versionAt(path(name), name);
  }

  /** {@link #version(String)} of the Delta table at {@code tablePath} ({@code name} labels errors). */
  private long versionAt(String tablePath, String name) {
    org.apache.hadoop.fs.Path log = new org.apache.hadoop.fs.Path(tablePath + "/_delta_log");
    try {
      org.apache.hadoop.fs.FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(log)) {
        return -1;
      }
      long max = -1;
      for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(log)) {
        String n = st.getPath().getName();
        if (n.length() > 20 && n.charAt(20) == '.' && (n.endsWith(".json") || n.contains(".checkpoint"))
            && n.substring(0, 20).chars().allMatch(Character::isDigit)) {
          max = Math.max(max, Long.parseLong(n.substring(0, 20)));
        }
      }
      return max;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot list the Delta log of " + name, e);
    }
  }

  /**
   * When a table's version was committed: the modification time of its commit file, as Delta's own history
   * reports it (no Spark job). Null when that commit file is gone (cleaned up after a checkpoint).
   */
  public java.time.Instant commitTime(String name, long version) {
    return commitTimeAt(path(name), name, version);
  }

  /** {@link #commitTime} of the view table {@code view.<name>}. */
  public java.time.Instant viewCommitTime(String name, long version) {
    return commitTimeAt(viewPath(name), VIEW_ZONE + "." + name, version);
  }

  private java.time.Instant commitTimeAt(String tablePath, String name, long version) {
    org.apache.hadoop.fs.Path f = new org.apache.hadoop.fs.Path(tablePath + "/_delta_log/"
        + String.format("%020d.json", version));
    try {
      org.apache.hadoop.fs.FileSystem fs = f.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.exists(f) ? java.time.Instant.ofEpochMilli(fs.getFileStatus(f).getModificationTime()) : null;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read the Delta log of " + name, e);
    }
  }

  /**
   * Shapes a DataFrame to a contract: every contract column in order, cast to its type; columns the
   * frame lacks are an error (a contract is not met by accident).
   */
  public Dataset<Row> conform(Dataset<Row> df, String name) {
    TableContract c = contract(name);
    StructType have = df.schema();
    List<String> missing = new ArrayList<>();
    List<Column> cols = new ArrayList<>();
    for (ColumnSpec spec : c.columns()) {
      if (!List.of(have.fieldNames()).contains(spec.name())) {
        missing.add(spec.name());
        continue;
      }
      StructField f = have.apply(spec.name());
      Column column = col(spec.name());
      if (!f.dataType().equals(spec.type())) {
        column = column.cast(spec.type());
      }
      cols.add(column.as(spec.name()));
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("write to " + name + " lacks contract columns " + missing);
    }
    return df.select(cols.toArray(new Column[0]));
  }

  /**
   * Appends rows whose key is not in the table yet; returns rows added, counted by the commit this call
   * made ({@link #appendCounted}, {@link #merge}). {@code scope} is a predicate on target rows
   * ({@code t.}-qualified) that covers every row that could share a key with {@code rows}: when no target
   * row is in scope, this is a plain append, otherwise an insert-only MERGE.
   */
  public long insertNew(String name, Dataset<Row> rows, String scope) {
    boolean existed = exists(name);
    TableContract c = ensureWritable(name);
    // a table created just now holds no row to match: no scope query, no MERGE
    if (!existed || scope != null && read(name).as("t").filter(scope).limit(1).count() == 0) {
      return appendCounted(name, rows);
    }
    String condition = scope;
    String on =
        c.key().stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND "));
    if (condition != null) {
      on = on + " AND " + condition;
    }
    return merge(name, conform(rows, name), on, "WHEN NOT MATCHED THEN INSERT *").inserted();
  }

  /** Appends rows (ops logs). */
  public void append(String name, Dataset<Row> rows) {
    ensureWritable(name);
    conform(rows, name).write().format("delta").mode("append").save(path(name));
  }

  /**
   * Appends rows and returns how many were written, from the operation metrics ({@code numOutputRows}) of
   * the commit this append made, found by a tag in its commit info: never another writer's commit, and 0
   * when there was nothing to write (Delta then records no commit, and the table's last commit belongs to
   * an earlier write).
   */
  public long appendCounted(String name, Dataset<Row> rows) {
    ensureWritable(name);
    long before = version(name);
    String tag = commitTag();
    conform(rows, name).write().format("delta").mode("append").option("userMetadata", tag).save(path(name));
    return commitMetric(name, before, tag, "numOutputRows");
  }

  /** As {@link #replaceWhere}, returning the rows written by its own commit ({@code numOutputRows}; see {@link #appendCounted}). */
  public long replaceWhereCounted(String name, Dataset<Row> rows, String predicate) {
    ensureWritable(name);
    long before = version(name);
    if (before == 0) {
      return appendCounted(name, rows); // nothing to replace in the empty first version (see replaceWhere)
    }
    String tag = commitTag();
    conform(rows, name)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", predicate)
        .option("userMetadata", tag)
        .save(path(name));
    return commitMetric(name, before, tag, "numOutputRows");
  }

  /** Rows one MERGE inserted, updated and deleted, as the MERGE command itself reported them. */
  public record MergeCounts(long inserted, long updated, long deleted) {}

  /**
   * One MERGE by {@code key}: {@code rows} replace the rows with their key (or are inserted), and the rows with a
   * key in {@code deletes} (key columns only) are deleted, atomically.
   */
  public MergeCounts upsert(String name, Dataset<Row> rows, Dataset<Row> deletes, List<String> key) {
    return upsert(name, rows, deletes, key, null);
  }

  /**
   * {@link #upsert(String, Dataset, Dataset, List)} reading only the target rows {@code targetScope} holds (a
   * condition on alias {@code t}, e.g. one partition; null: all).
   */
  public MergeCounts upsert(String name, Dataset<Row> rows, Dataset<Row> deletes, List<String> key,
      String targetScope) {
    StructType schema = contract(name).schema();
    List<Column> deleteColumns = new ArrayList<>();
    for (StructField f : schema.fields()) {
      deleteColumns.add(key.contains(f.name()) ? org.apache.spark.sql.functions.col(f.name()).cast(f.dataType()).as(f.name())
          : org.apache.spark.sql.functions.lit(null).cast(f.dataType()).as(f.name()));
    }
    deleteColumns.add(org.apache.spark.sql.functions.lit(true).as("_delete"));
    Dataset<Row> source = conform(rows, name).withColumn("_delete", org.apache.spark.sql.functions.lit(false))
        .unionByName(deletes.select(deleteColumns.toArray(new Column[0])));
    List<String> names = List.of(schema.fieldNames());
    String on = (targetScope == null ? "" : targetScope + " AND ")
        + String.join(" AND ", key.stream().map(k -> "t.`" + k + "` = s.`" + k + "`").toList());
    String set = String.join(", ", names.stream().map(c -> "`" + c + "` = s.`" + c + "`").toList());
    String cols = String.join(", ", names.stream().map(c -> "`" + c + "`").toList());
    String vals = String.join(", ", names.stream().map(c -> "s.`" + c + "`").toList());
    return merge(name, source, on, "WHEN MATCHED AND s._delete THEN DELETE WHEN MATCHED THEN UPDATE SET " + set
        + " WHEN NOT MATCHED AND NOT s._delete THEN INSERT (" + cols + ") VALUES (" + vals + ")");
  }

  /**
   * {@code MERGE INTO} the table (alias {@code t}) {@code USING} {@code source} (alias {@code s}) {@code ON on}
   * followed by {@code clauses} ({@code WHEN MATCHED ... THEN ...}), run as SQL so that the counts come from the
   * command's own result (num_inserted_rows, num_updated_rows, num_deleted_rows) rather than from the table's
   * history, where a MERGE that changed nothing leaves no commit and another writer's commit may be the last.
   */
  public MergeCounts merge(String name, Dataset<Row> source, String on, String clauses) {
    ensureWritable(name);
    String view = "pophealth_merge_" + java.util.UUID.randomUUID().toString().replace("-", "");
    source.createOrReplaceTempView(view);
    try {
      Row r = spark.sql("MERGE INTO delta.`" + path(name).replace("`", "``") + "` AS t USING " + view + " AS s ON "
          + on + " " + clauses).head();
      return new MergeCounts(metric(r, "num_inserted_rows"), metric(r, "num_updated_rows"),
          metric(r, "num_deleted_rows"));
    } finally {
      // the name only: Catalog.dropTempView would also uncache the source when the caller persisted it
      spark.sessionState().catalog().dropTempView(view);
    }
  }

  private static long metric(Row r, String column) {
    int i = r.fieldIndex(column);
    return r.isNullAt(i) ? 0 : ((Number) r.get(i)).longValue();
  }

  private static String commitTag() {
    return "pophealth-write:" + java.util.UUID.randomUUID();
  }

  /**
   * A metric of the commit tagged {@code tag} among those made since {@code before}; 0 when the write made no
   * commit (nothing to write).
   */
  private long commitMetric(String name, long before, String tag, String metric) {
    return commitMetricAt(path(name), name, before, tag, metric);
  }

  private long commitMetricAt(String tablePath, String name, long before, String tag, String metric) {
    long now = versionAt(tablePath, name);
    if (now <= before) {
      return 0;
    }
    // the commit files themselves (one small JSON each), not DeltaTable.history(): that is a Spark job per call
    Path log = new Path(tablePath + "/_delta_log");
    try {
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (long v = now; v > before; v--) {
        com.fasterxml.jackson.databind.JsonNode info = commitInfo(fs, log, v);
        if (info != null && tag.equals(info.path("userMetadata").asText(null))) {
          return metricOf(info, metric);
        }
      }
      return 0;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read the Delta log of " + name, e);
    }
  }

  /**
   * The sum of an operation metric ({@code numOutputRows}) over the table's commits after {@code afterVersion} up
   * to its current version, as DeltaTable.history() reports them (a commit without the metric counts 0), read from
   * the commit files themselves: the pipeline runner asks it after every job, and history() would load the table's
   * snapshot and build a DataFrame per table.
   */
  public long commitMetricSince(String name, long afterVersion, String metric) {
    String tablePath = path(name);
    long now = versionAt(tablePath, name);
    Path log = new Path(tablePath + "/_delta_log");
    long sum = 0;
    try {
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (long v = Math.max(afterVersion + 1, 0); v <= now; v++) {
        com.fasterxml.jackson.databind.JsonNode info = commitInfo(fs, log, v);
        if (info != null) {
          sum += metricOf(info, metric);
        }
      }
      return sum;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read the Delta log of " + name, e);
    }
  }

  /** The commitInfo of commit {@code version}; null when its file is gone (cleaned up after a checkpoint) or has none. */
  private static com.fasterxml.jackson.databind.JsonNode commitInfo(FileSystem fs, Path log, long version)
      throws java.io.IOException {
    Path commit = new Path(log, String.format("%020d.json", version));
    if (!fs.exists(commit)) {
      return null;
    }
    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(fs.open(commit),
        java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("{\"commitInfo\"")) {
          return COMMIT_JSON.readTree(line).path("commitInfo");
        }
      }
    }
    return null;
  }

  private static long metricOf(com.fasterxml.jackson.databind.JsonNode info, String metric) {
    com.fasterxml.jackson.databind.JsonNode m = info.path("operationMetrics").path(metric);
    return m.isMissingNode() || m.isNull() ? 0 : Long.parseLong(m.asText());
  }

  /**
   * Replaces every row of the table with {@code rows}, atomically; into a table that does not exist yet this
   * is a plain append (no snapshot of the just-created empty table to scan).
   */
  public void replaceAll(String name, Dataset<Row> rows) {
    if (exists(name)) {
      replaceWhere(name, rows, "true");
    } else {
      append(name, rows);
    }
  }

  /** Replaces the rows matching {@code predicate} with {@code rows}, atomically. */
  public void replaceWhere(String name, Dataset<Row> rows, String predicate) {
    ensureWritable(name);
    // version 0 of every table is the empty one ensure() created (all writes go through it): no row can
    // match the predicate, and an append spares Delta's scan of that version for files to remove. (One
    // writer at a time: the lakehouse lease.)
    if (version(name) == 0) {
      append(name, rows);
      return;
    }
    conform(rows, name)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", predicate)
        .save(path(name));
  }

  /** The zone of analyst-defined tables (SQL on FHIR ViewDefinitions): {@code <root>/view/<name>}, no contract. */
  public static final String VIEW_ZONE = "view";

  /** Where the view table {@code view.<name>} lives. */
  public String viewPath(String name) {
    return root + "/" + VIEW_ZONE + "/" + name;
  }

  /** The view tables that exist (names without the zone), sorted. */
  public List<String> viewTables() {
    Path dir = new Path(root + "/" + VIEW_ZONE);
    List<String> out = new ArrayList<>();
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(dir)) {
        return out;
      }
      for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(dir)) {
        if (st.isDirectory() && fs.exists(new Path(st.getPath(), "_delta_log"))) {
          out.add(st.getPath().getName());
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot list " + dir, e);
    }
    java.util.Collections.sort(out);
    return out;
  }

  /** The view table's current Delta version, -1 when it does not exist. */
  public long viewVersion(String name) {
    return versionAt(viewPath(name), VIEW_ZONE + "." + name);
  }

  /**
   * Replaces the view table {@code view.<name>} with {@code rows}, schema included (a view's columns are its
   * definition's, which may change), in one atomic commit that keeps the earlier versions for time travel;
   * returns the rows written ({@code numOutputRows} of that commit).
   */
  public long replaceView(String name, Dataset<Row> rows) {
    String p = viewPath(name);
    long before = versionAt(p, name);
    String tag = commitTag();
    rows.write().format("delta").mode("overwrite").option("overwriteSchema", "true").option("userMetadata", tag)
        .save(p);
    return commitMetricAt(p, VIEW_ZONE + "." + name, before, tag, "numOutputRows");
  }

  /**
   * Makes every existing table addressable as {@code zone.table} in Spark SQL. The catalog is shared by the
   * JVM's sessions: an entry an earlier lakehouse of this JVM left under a zone (another location, or a table
   * this lakehouse lacks) is unregistered first (external entries only: the catalog entry, never files), so the
   * names resolve to this lakehouse's tables only.
   */
  public void registerCatalog() {
    SessionCatalog catalog = spark.sessionState().catalog();
    Map<String, Boolean> zones = new LinkedHashMap<>();
    java.util.Set<String> here = new java.util.HashSet<>();
    for (TableContract c : contracts.all()) {
      if (!exists(c.name())) {
        continue;
      }
      here.add(c.name());
      if (zones.putIfAbsent(c.zone(), true) == null) {
        spark.sql("CREATE DATABASE IF NOT EXISTS " + c.zone());
      }
      CatalogTable registered = registered(catalog, new TableIdentifier(c.table(), scala.Option.apply(c.zone())));
      if (registered != null && !qualified(registered.location().toString()).equals(qualified(path(c)))) {
        unregister(catalog, registered);
      }
      spark.sql(
          "CREATE TABLE IF NOT EXISTS " + c.name() + " USING delta LOCATION '" + path(c).replace("'", "\\'") + "'");
    }
    List<String> views = viewTables();
    if (!views.isEmpty()) {
      spark.sql("CREATE DATABASE IF NOT EXISTS " + VIEW_ZONE);
    }
    for (String v : views) {
      CatalogTable registered = registered(catalog, new TableIdentifier(v, scala.Option.apply(VIEW_ZONE)));
      if (registered != null && !qualified(registered.location().toString()).equals(qualified(viewPath(v)))) {
        unregister(catalog, registered);
      }
      here.add(VIEW_ZONE + "." + v);
      spark.sql("CREATE TABLE IF NOT EXISTS " + VIEW_ZONE + ".`" + v + "` USING delta LOCATION '"
          + viewPath(v).replace("'", "\\'") + "'");
    }
    List<String> zonesToClean = new ArrayList<>(contracts.all().stream().map(TableContract::zone).distinct().toList());
    zonesToClean.add(VIEW_ZONE);
    for (String zone : zonesToClean) {
      for (TableIdentifier id : listTables(catalog, zone)) {
        CatalogTable registered = registered(catalog, id);
        if (id.database().isDefined() && !here.contains(zone + "." + id.table()) && registered != null) {
          unregister(catalog, registered);
        }
      }
    }
  }

  private static CatalogTable registered(SessionCatalog catalog, TableIdentifier id) {
    try {
      return catalog.tableExists(id) ? catalog.getTableMetadata(id) : null;
    } catch (NoSuchDatabaseException | NoSuchTableException e) {
      return null;
    }
  }

  private static List<TableIdentifier> listTables(SessionCatalog catalog, String zone) {
    return catalog.databaseExists(zone) ? scala.collection.JavaConverters.seqAsJavaList(catalog.listTables(zone))
        : List.of();
  }

  private static void unregister(SessionCatalog catalog, CatalogTable table) {
    if (table.tableType() == CatalogTableType.EXTERNAL()) {
      catalog.dropTable(table.identifier(), true, false);
    }
  }

  /** A location as its fully qualified path ({@code /x} becomes {@code file:/x} locally), without a trailing slash. */
  String qualified(String location) {
    try {
      Path p = new Path(location);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return stripSlash(fs.makeQualified(p).toString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot resolve " + location, e);
    }
  }

  /** True when the root directory exists. */
  public boolean rootExists() {
    try {
      Path p = new Path(root);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.exists(p);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
  }
}
