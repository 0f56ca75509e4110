package org.pophealth.ingest.claims;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;

/**
 * The claims data-quality tests of {@code measures/claims-quality/} (tests as data: table, columns, kind,
 * severity; code sets with provenance and a {@code complete} flag). Row tests (not_null, accepted_values,
 * plausible_range) run inside {@link ValidateClaimRow}; delivery tests (unique_combination, header_consistency)
 * run on a delivery's validated rows ({@link #deliveryTests}). A failing error test quarantines the row with the
 * test's name as reason code; a warn test is counted; a code outside an incomplete code set is counted as
 * {@code unverified}, whatever the severity. Findings are {@code error:<test>}, {@code warning:<test>},
 * {@code unverified:<test>}.
 */
public final class ClaimQualityTests implements Serializable {
  public static final String FOLDER = "claims-quality";
  public static final String UNVERIFIED = "unverified";
  public static final List<String> KINDS = List.of("not_null", "accepted_values", "unique_combination",
      "header_consistency", "plausible_range");
  private static volatile ClaimQualityTests packaged;

  /** One test; {@code codes} null unless accepted_values; {@code complete} false for an incomplete code set. */
  public record Test(String name, ClaimTable table, List<String> columns, String kind, String severity,
      Set<String> codes, boolean complete, Comparable<?> min, Comparable<?> max, String description)
      implements Serializable {
    /** The finding severity of a failure: {@code error} or {@code warning}. */
    public String findingSeverity() {
      return severity.equals("error") ? ValidationRules.ERROR : ValidationRules.WARNING;
    }

    boolean rowTest() {
      return !kind.equals("unique_combination") && !kind.equals("header_consistency");
    }
  }

  private final List<Test> tests;
  private final String location;

  private ClaimQualityTests(List<Test> tests, String location) {
    this.tests = List.copyOf(tests);
    this.location = location;
  }

  /** The packaged tests (read once). */
  public static ClaimQualityTests packaged() {
    ClaimQualityTests p = packaged;
    if (p == null) {
      p = load(null);
      packaged = p;
    }
    return p;
  }

  /** No tests at all. */
  public static ClaimQualityTests none() {
    return new ClaimQualityTests(List.of(), "none");
  }

  /**
   * The tests of {@code measures/claims-quality/}, each file from {@code dir} when it has it ({@code dir} null:
   * the packaged folder; config key {@code claims.quality_dir}). A test or code set that does not make sense
   * is an IllegalArgumentException naming its file and line.
   */
  public static ClaimQualityTests load(String dir) {
    ReferenceData data = ReferenceData.packaged(FOLDER).overriddenBy(dir, "claims.quality_dir");
    Map<String, Set<String>> sets = new LinkedHashMap<>();
    Map<String, Boolean> complete = new HashMap<>();
    Map<String, ReferenceRow> listed = new HashMap<>();
    for (ReferenceRow r : data.table("code_sets.csv").rows()) {
      String set = r.text("code_set");
      if (complete.put(set, r.bool("complete")) != null) {
        throw r.error("code set " + set + " is declared twice");
      }
      Set<String> codes = new HashSet<>();
      sets.put(set, codes);
      String from = r.text("from_file");
      if (!from.isEmpty()) {
        int slash = from.lastIndexOf('/');
        if (slash <= 0 || r.text("from_column").isEmpty()) {
          throw r.error("from_file is folder/file.csv of measures/ and needs from_column");
        }
        for (ReferenceRow c : ReferenceData.packaged(from.substring(0, slash)).table(from.substring(slash + 1))
            .rows()) {
          String code = c.text(r.text("from_column"));
          if (!code.isEmpty()) {
            codes.add(normalize(code));
          }
        }
        if (codes.isEmpty()) {
          throw r.error(from + " has no values in column " + r.text("from_column"));
        }
      } else {
        listed.put(set, r);
      }
    }
    for (ReferenceRow r : data.table("codes.csv").rows()) {
      String set = r.text("code_set");
      if (!listed.containsKey(set)) {
        throw r.error("code set " + set + " is not declared in code_sets.csv (or takes its codes from_file)");
      }
      sets.get(set).add(normalize(r.text("code")));
    }
    for (Map.Entry<String, ReferenceRow> e : listed.entrySet()) {
      if (sets.get(e.getKey()).isEmpty()) {
        throw e.getValue().error("code set " + e.getKey() + " has no codes in codes.csv");
      }
    }
    List<Test> tests = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ReferenceRow r : data.table("tests.csv").rows()) {
      tests.add(test(r, sets, complete, names));
    }
    return new ClaimQualityTests(tests, data.location());
  }

  private static Test test(ReferenceRow r, Map<String, Set<String>> sets, Map<String, Boolean> complete,
      Set<String> names) {
    String name = r.text("test");
    if (!name.matches("[a-z][a-z0-9\\-]*")) {
      throw r.error("test name must be lower-case letters, digits and '-': " + name);
    }
    if (!names.add(name) || ValidationRules.DEFAULTS.containsKey(name) || ValidationRules.BUILT_IN.contains(name)) {
      throw r.error("test name " + name + " is used twice or is the name of a built-in rule");
    }
    ClaimTable table;
    try {
      table = ClaimTable.of(r.text("table"));
    } catch (IllegalArgumentException e) {
      throw r.error(e.getMessage());
    }
    StructType schema = ValidatedRows.contract(table).schema();
    List<String> columns = new ArrayList<>();
    for (String c : r.list("columns", ";")) {
      if (c.endsWith("_*")) {
        String prefix = c.substring(0, c.length() - 1);
        List<String> numbered = java.util.Arrays.stream(schema.fieldNames())
            .filter(f -> f.startsWith(prefix) && f.substring(prefix.length()).matches("\\d+")).toList();
        if (numbered.isEmpty()) {
          throw r.error(table.tableName() + " has no columns " + c);
        }
        columns.addAll(numbered);
      } else if (!schema.getFieldIndex(c).isDefined()) {
        throw r.error(table.tableName() + " has no column " + c);
      } else {
        columns.add(c);
      }
    }
    if (columns.isEmpty()) {
      throw r.error("no columns");
    }
    String kind = r.text("kind");
    if (!KINDS.contains(kind)) {
      throw r.error("kind must be one of " + KINDS + ": " + kind);
    }
    String severity = r.text("severity").toLowerCase(Locale.ROOT);
    if (!severity.equals("error") && !severity.equals("warn")) {
      throw r.error("severity must be error or warn: " + severity);
    }
    Set<String> codes = null;
    boolean isComplete = true;
    if (kind.equals("accepted_values")) {
      String set = r.text("code_set");
      List<String> inline = r.list("values", ";");
      if (set.isEmpty() == inline.isEmpty()) {
        throw r.error("accepted_values takes either code_set or values");
      }
      if (!set.isEmpty()) {
        if (!sets.containsKey(set)) {
          throw r.error("code set " + set + " is not in code_sets.csv");
        }
        codes = Set.copyOf(sets.get(set));
        isComplete = complete.get(set);
      } else {
        codes = Set.copyOf(inline.stream().map(ClaimQualityTests::normalize).toList());
      }
    }
    if (kind.equals("header_consistency") && table == ClaimTable.ELIGIBILITY) {
      throw r.error("header_consistency is for medical_claim and pharmacy_claim (lines of a claim)");
    }
    Comparable<?> min = null;
    Comparable<?> max = null;
    if (kind.equals("plausible_range")) {
      DataType type = schema.apply(columns.get(0)).dataType();
      for (String c : columns) {
        DataType t = schema.apply(c).dataType();
        if (!sameKind(t, type) || !(t == DataTypes.DateType || isNumber(t))) {
          throw r.error("plausible_range columns are all dates or all numbers: " + c);
        }
      }
      min = bound(r, "min", type);
      max = bound(r, "max", type);
      if (min == null && max == null) {
        throw r.error("plausible_range needs min or max");
      }
    }
    return new Test(name, table, List.copyOf(columns), kind, severity, codes, isComplete, min, max,
        r.text("description"));
  }

  private static boolean isNumber(DataType t) {
    return t == DataTypes.IntegerType || t == DataTypes.LongType || t == DataTypes.DoubleType
        || t instanceof DecimalType;
  }

  private static boolean sameKind(DataType a, DataType b) {
    return a == DataTypes.DateType ? b == DataTypes.DateType : isNumber(a) && isNumber(b);
  }

  private static Comparable<?> bound(ReferenceRow r, String column, DataType type) {
    String s = r.text(column);
    if (s.isEmpty()) {
      return null;
    }
    try {
      return type == DataTypes.DateType ? LocalDate.parse(s) : new BigDecimal(s);
    } catch (RuntimeException e) {
      throw r.error(column + " is not a " + (type == DataTypes.DateType ? "date (yyyy-MM-dd)" : "number") + ": " + s);
    }
  }

  /** Codes compare upper case, trimmed, without dots. */
  static String normalize(String code) {
    return code.trim().toUpperCase(Locale.ROOT).replace(".", "");
  }

  public List<Test> tests() {
    return tests;
  }

  /** Where the tests were read from, for messages. */
  public String location() {
    return location;
  }

  /** What a row test reports: severity (error, warning, unverified), test name, reason (no values). */
  interface Failure {
    void fail(String severity, String test, String reason);
  }

  /** The row tests of {@code table} on one row's typed values ({@code value}: column → silver value or null). */
  void rowTests(ClaimTable table, java.util.function.Function<String, Object> value, Failure out) {
    for (Test t : tests) {
      if (t.table() != table || !t.rowTest()) {
        continue;
      }
      for (String c : t.columns()) {
        Object v = value.apply(c);
        String where = table.tableName() + "." + c;
        switch (t.kind()) {
          case "not_null" -> {
            if (v == null) {
              out.fail(t.findingSeverity(), t.name(), where + " is empty (" + t.name() + ")");
            }
          }
          case "accepted_values" -> {
            if (v != null && !t.codes().contains(normalize(v.toString()))) {
              if (t.complete()) {
                out.fail(t.findingSeverity(), t.name(), where + " is not in the code set (" + t.name() + ")");
              } else {
                out.fail(UNVERIFIED, t.name(), where + " is not in the (incomplete) code set (" + t.name() + ")");
              }
            }
          }
          case "plausible_range" -> {
            if (v != null && outside(v, t.min(), t.max())) {
              out.fail(t.findingSeverity(), t.name(), where + " is outside " + (t.min() == null ? "" : t.min())
                  + ".." + (t.max() == null ? "" : t.max()) + " (" + t.name() + ")");
            }
          }
          default -> throw new IllegalStateException(t.kind());
        }
      }
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static boolean outside(Object v, Comparable min, Comparable max) {
    Comparable x = v instanceof java.sql.Date d ? d.toLocalDate()
        : v instanceof Number n ? new BigDecimal(n.toString()) : null;
    if (x == null) {
      return false;
    }
    return (min != null && x.compareTo(min) < 0) || (max != null && x.compareTo(max) > 0);
  }

  /** True when {@code table} has delivery tests (unique_combination, header_consistency). */
  public boolean hasDeliveryTests(ClaimTable table) {
    return tests.stream().anyMatch(t -> t.table() == table && !t.rowTest());
  }

  /**
   * The delivery tests of {@code table} on one delivery's validated rows (schema {@link ValidatedRows}), among
   * its loaded rows: header_consistency fails every line of a claim version (claim_id, adjustment_type) whose
   * non-empty values of a column differ; unique_combination fails the later rows (file, line order) whose
   * columns (all non-empty) repeat an earlier row's. Every failure is added to the row's findings; an error
   * quarantines a loaded row (stage contract, reason code the test's name; the first failing test in file order
   * names it).
   */
  public Dataset<Row> deliveryTests(ClaimTable table, Dataset<Row> rows) {
    List<Test> mine = tests.stream().filter(t -> t.table() == table && !t.rowTest()).toList();
    if (mine.isEmpty()) {
      return rows;
    }
    // the tests run on a narrow projection (the row key and the columns they read); only the failing rows'
    // flags, few in a normal delivery, are joined back (broadcast) to the wide rows, which are never shuffled
    java.util.LinkedHashSet<String> needed = new java.util.LinkedHashSet<>(
        List.of("row_key", "status", "claim_id", "adjustment_type", "file", "line"));
    mine.forEach(t -> needed.addAll(t.columns()));
    Column loaded = col("status").equalTo(ValidatedRows.LOADED);
    Dataset<Row> d = rows.select(needed.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
    for (int i = 0; i < mine.size(); i++) {
      Test t = mine.get(i);
      Column failed;
      if (t.kind().equals("header_consistency")) {
        WindowSpec w = Window.partitionBy(col("claim_id"), col("adjustment_type"), loaded);
        failed = lit(false);
        for (String c : t.columns()) {
          failed = failed.or(size(collect_set(col(c)).over(w)).gt(1));
        }
        failed = loaded.and(col("claim_id").isNotNull()).and(failed);
      } else {
        Column[] key = new Column[t.columns().size() + 1];
        Column allPresent = loaded;
        for (int k = 0; k < t.columns().size(); k++) {
          key[k] = col(t.columns().get(k));
          allPresent = allPresent.and(key[k].isNotNull());
        }
        key[t.columns().size()] = allPresent;
        WindowSpec w = Window.partitionBy(key).orderBy(col("file"), col("line"));
        failed = allPresent.and(row_number().over(w).gt(1));
      }
      d = d.withColumn("_dq" + i, failed);
    }
    Column any = lit(false);
    List<Column> flagCols = new ArrayList<>(List.of(col("row_key").as("_dq_key")));
    for (int i = 0; i < mine.size(); i++) {
      any = any.or(col("_dq" + i));
      flagCols.add(col("_dq" + i));
    }
    Dataset<Row> flags = d.filter(any).select(flagCols.toArray(Column[]::new)).localCheckpoint(true);
    d = rows.join(org.apache.spark.sql.functions.broadcast(flags), rows.col("row_key").equalTo(flags.col("_dq_key")),
        "left").drop("_dq_key");
    for (int i = 0; i < mine.size(); i++) {
      Test t = mine.get(i);
      Column f = org.apache.spark.sql.functions.coalesce(col("_dq" + i), lit(false));
      d = d.withColumn("findings", when(f, concat(col("findings"), array(lit(t.findingSeverity() + ":" + t.name()))))
          .otherwise(col("findings")));
      if (t.severity().equals("error")) {
        Column q = f.and(col("status").equalTo(ValidatedRows.LOADED));
        String reason = t.kind().equals("header_consistency")
            ? table.tableName() + "." + String.join(", ", t.columns()) + " differs between the lines of the claim ("
                + t.name() + ")"
            : table.tableName() + " repeats " + String.join(", ", t.columns()) + " of an earlier row (" + t.name() + ")";
        d = d.withColumn("stage", when(q, lit("contract")).otherwise(col("stage")))
            .withColumn("reason_code", when(q, lit(t.name())).otherwise(col("reason_code")))
            .withColumn("reason", when(q, lit(reason)).otherwise(col("reason")))
            .withColumn("status", when(q, lit(ValidatedRows.QUARANTINED)).otherwise(col("status")));
      }
    }
    for (int i = 0; i < mine.size(); i++) {
      d = d.drop("_dq" + i);
    }
    return d.select(rows.columns()[0], java.util.Arrays.copyOfRange(rows.columns(), 1, rows.columns().length));
  }
}
