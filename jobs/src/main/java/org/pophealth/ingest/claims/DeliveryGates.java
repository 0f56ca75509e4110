package org.pophealth.ingest.claims;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.lakehouse.Lakehouse;

/**
 * Delivery gates of ingest-claims: what one delivery sent (every row read of its flat files, loaded or
 * quarantined: lines per table and service month, member months, paid per member month, share of undetermined
 * claim types, distinct providers), compared with the median of the source's last accepted deliveries in
 * ops.claim_delivery. A failing gate holds the delivery out of silver until {@code --accept-gate} releases it.
 */
public record DeliveryGates(Lakehouse lakehouse, String source, PopHealthConfig.Gates gates) {
  public static final String TABLE = "ops.claim_delivery";
  public static final List<String> GATES = List.of("volume", "pmpm", "undetermined", "providers", "missing_month");
  public static final String FIRST = "first";
  public static final String PASSED = "passed";
  public static final String HELD = "held";
  public static final String RELEASED = "released";
  private static final List<String> CLAIM_TYPES = List.of("professional", "institutional", "dme");
  private static final String NO_MONTH = "none";

  public DeliveryGates {
    gates = gates == null ? PopHealthConfig.Gates.defaults() : gates;
  }

  /**
   * What one delivery sent; {@code undeterminedShare} and {@code pmpm} are null when undefined. PMPM is that of
   * the delivery's latest service month ({@code latestPaid} over {@code latestMemberMonths}, the members enrolled
   * in it), so a monthly incremental delivery (the newest month and runout of earlier ones) compares with the
   * same month of the previous deliveries, not with a total spread over however many runout months it carries.
   */
  public record Measures(SortedMap<String, Long> lines, long claimLines, long memberMonths, BigDecimal paid,
      Double undeterminedShare, long medicalLines, long undeterminedLines, long providers, String latestMonth,
      BigDecimal latestPaid, long latestMemberMonths) {
    BigDecimal pmpm() {
      return latestMemberMonths == 0 ? null
          : latestPaid.divide(BigDecimal.valueOf(latestMemberMonths), 2, RoundingMode.HALF_UP);
    }
  }

  /** A delivery accepted earlier (its run and what it sent). */
  record Accepted(String runId, Measures measures) {}

  /** The gate decision of one delivery: the gates that failed, one message each (or why none was compared). */
  public record Decision(String runId, String decision, List<String> failed, List<String> messages,
      List<String> baselineRuns) {
    public boolean held() {
      return HELD.equals(decision);
    }
  }

  /** A held delivery whose failing gates an analyst accepted. */
  public record Release(String runId, List<String> failed) {}

  /** The measures of one delivery's validated rows (all statuses) per table. */
  public static Measures measure(Map<ClaimTable, Dataset<Row>> rows) {
    SortedMap<String, Long> lines = new TreeMap<>();
    Map<String, BigDecimal> paidByMonth = new HashMap<>();
    Set<String> months = new TreeSet<>();
    long claimLines = 0;
    long medicalLines = 0;
    long undetermined = 0;
    long providers = 0;
    BigDecimal paid = BigDecimal.ZERO;
    for (ClaimTable t : List.of(ClaimTable.MEDICAL, ClaimTable.PHARMACY)) {
      Dataset<Row> d = rows.get(t);
      if (d == null) {
        continue;
      }
      Column month = coalesce(date_format(value(t == ClaimTable.MEDICAL ? "claim_start_date" : "dispensing_date",
          "date"), "yyyy-MM"), lit(NO_MONTH));
      for (Row r : d.groupBy(month.as("month")).agg(count(lit(1)), sum(value("paid_amount", "decimal(18,2)")))
          .collectAsList()) {
        lines.put(t.tableName().replace("_claim", "") + " " + r.getString(0), r.getLong(1));
        claimLines += r.getLong(1);
        BigDecimal p = r.isNullAt(2) ? BigDecimal.ZERO : r.getDecimal(2);
        paid = paid.add(p);
        paidByMonth.merge(r.getString(0), p, BigDecimal::add);
        if (!NO_MONTH.equals(r.getString(0))) {
          months.add(r.getString(0));
        }
      }
      if (t == ClaimTable.MEDICAL) {
        Column type = coalesce(col("claim_type"), lower(trim(expr("fields['claim_type']"))));
        Row u = d.agg(count(lit(1)), sum(when(type.isNull().or(type.isin(CLAIM_TYPES.toArray()).equalTo(false)), 1)
            .otherwise(0))).first();
        medicalLines = u.getLong(0);
        undetermined = u.isNullAt(1) ? 0 : u.getLong(1);
        providers = d.select(explode(array(value("billing_npi", "string"), value("rendering_npi", "string")))
            .as("npi")).filter(col("npi").isNotNull().and(trim(col("npi")).notEqual(""))).agg(countDistinct("npi"))
            .first().getLong(0);
      }
    }
    long memberMonths = 0;
    long latestMemberMonths = 0;
    String latest = months.isEmpty() ? null : months.stream().reduce((a, b) -> b).orElseThrow();
    Dataset<Row> elig = rows.get(ClaimTable.ELIGIBILITY);
    if (elig != null && !months.isEmpty()) {
      String last = months.stream().reduce((a, b) -> b).orElseThrow() + "-01";
      Column start = expr("trunc(" + valueSql("enrollment_start_date", "date") + ", 'MM')");
      Column stop = expr("trunc(coalesce(" + valueSql("enrollment_end_date", "date") + ", DATE'" + last + "'), 'MM')");
      memberMonths = elig.select(value("member_id", "string").as("member_id"), start.as("s"), stop.as("e"))
          .filter(col("member_id").isNotNull().and(col("s").isNotNull()).and(col("e").geq(col("s"))))
          .select(col("member_id"), explode(expr("sequence(s, e, interval 1 month)")).as("m"))
          .filter(date_format(col("m"), "yyyy-MM").isin(months.toArray()))
          .agg(countDistinct("member_id", "m")).first().getLong(0);
      latestMemberMonths = elig.select(value("member_id", "string").as("member_id"), start.as("s"), stop.as("e"))
          .filter(col("member_id").isNotNull().and(col("s").leq(lit(latest + "-01").cast("date")))
              .and(col("e").geq(lit(latest + "-01").cast("date"))))
          .agg(countDistinct("member_id")).first().getLong(0);
    }
    return new Measures(lines, claimLines, memberMonths, paid,
        medicalLines == 0 ? null : (double) undetermined / medicalLines, medicalLines, undetermined, providers, latest,
        latest == null ? BigDecimal.ZERO : paidByMonth.getOrDefault(latest, BigDecimal.ZERO), latestMemberMonths);
  }

  /** A typed column, else (a quarantined row has none) its delivered text cast to the type, else null. */
  private static Column value(String name, String sqlType) {
    return expr(valueSql(name, sqlType));
  }

  private static String valueSql(String name, String sqlType) {
    return "coalesce(" + name + ", try_cast(trim(fields['" + name + "']) AS " + sqlType + "))";
  }

  /** The source's held deliveries that no release has accepted yet: their run ids and payer FHIR export times. */
  public record Held(Set<String> runs, Set<Timestamp> fhirExports) {}

  /** {@link #heldRuns} and {@link #heldFhirExports} from one read of the decisions. */
  public Held held() {
    List<Row> all = decisions();
    return new Held(heldRuns(all), heldFhirExports(all));
  }

  /** Run ids of the source's held deliveries that no release has accepted yet. */
  public Set<String> heldRuns() {
    return heldRuns(decisions());
  }

  private static Set<String> heldRuns(List<Row> all) {
    Set<String> held = new TreeSet<>();
    for (Row r : all) {
      if (HELD.equals(r.getAs("decision"))) {
        held.add(r.getAs("run_id"));
      }
    }
    for (Row r : all) {
      if (RELEASED.equals(r.getAs("decision"))) {
        held.remove((String) r.getAs("run_id"));
      }
    }
    return held;
  }

  /** The payer FHIR export times of the source's held deliveries that no release has accepted yet. */
  private static Set<Timestamp> heldFhirExports(List<Row> all) {
    Set<String> held = heldRuns(all);
    Set<Timestamp> out = new TreeSet<>();
    for (Row r : all) {
      Timestamp fhir = r.getAs("fhir_export_time");
      if (HELD.equals(r.getAs("decision")) && fhir != null && held.contains((String) r.getAs("run_id"))) {
        out.add(fhir);
      }
    }
    return out;
  }

  private List<Row> decisions() {
    if (!lakehouse.exists(TABLE)) {
      return List.of();
    }
    return lakehouse.read(TABLE).filter(col("source").equalTo(source)).orderBy(col("decided_at").desc(),
        col("run_id").desc()).collectAsList();
  }

  /** The source's last accepted deliveries (first, passed, or held then released), latest first. */
  List<Accepted> baseline() {
    List<Row> all = decisions();
    Set<String> released = new TreeSet<>();
    all.stream().filter(r -> RELEASED.equals(r.getAs("decision"))).forEach(r -> released.add(r.getAs("run_id")));
    List<Accepted> out = new ArrayList<>();
    for (Row r : all) {
      String d = r.getAs("decision");
      if (out.size() < Math.max(1, gates.baselineDeliveries())
          && (FIRST.equals(d) || PASSED.equals(d) || HELD.equals(d) && released.contains((String) r.getAs("run_id")))) {
        out.add(new Accepted(r.getAs("run_id"), measuresOf(r)));
      }
    }
    return out;
  }

  private static Measures measuresOf(Row r) {
    Map<String, Long> lines = r.getJavaMap(r.fieldIndex("lines"));
    Double share = r.isNullAt(r.fieldIndex("undetermined_share")) ? null : r.getAs("undetermined_share");
    BigDecimal latestPaid = r.getAs("latest_month_paid");
    Long latestMm = r.getAs("latest_month_member_months");
    return new Measures(new TreeMap<>(lines), r.getAs("claim_lines"), r.getAs("member_months"),
        r.getAs("paid_amount"), share, 0, 0, r.getAs("providers"), r.getAs("latest_month"),
        latestPaid == null ? BigDecimal.ZERO : latestPaid, latestMm == null ? 0 : latestMm);
  }

  /** The gates applied to one delivery against the baseline (not recorded: see {@link #record}). */
  public Decision decide(String runId, Measures now) {
    List<Accepted> base = baseline();
    List<String> baseRuns = base.stream().map(Accepted::runId).toList();
    if (base.isEmpty()) {
      return new Decision(runId, FIRST, List.of(), List.of("first delivery of source " + source
          + ": nothing to compare, passed"), baseRuns);
    }
    List<Measures> b = base.stream().map(Accepted::measures).toList();
    double baseLines = median(b, m -> m.claimLines());
    if (baseLines < gates.minLines()) {
      return new Decision(runId, PASSED, List.of(), List.of(String.format(Locale.ROOT,
          "the previous %s sent %s claim lines (median), fewer than claims.gates.min_lines %d: not compared",
          previous(b.size()), num(baseLines), gates.minLines())), baseRuns);
    }
    Map<String, String> failed = new LinkedHashMap<>();
    String against = b.size() == 1 ? " against the previous delivery"
        : " against the median of the previous " + previous(b.size());
    Map<String, java.util.function.BiFunction<Measures, List<Measures>, String>> checks = new LinkedHashMap<>();
    checks.put("volume", this::volume);
    checks.put("pmpm", this::pmpm);
    checks.put("undetermined", this::undetermined);
    checks.put("providers", this::providers);
    checks.put("missing_month", this::missingMonth);
    checks.forEach((gate, check) -> {
      String what = check.apply(now, b);
      if (what != null) {
        failed.put(gate, what + (gate.equals("missing_month") ? "" : against));
      }
    });
    List<String> messages = new ArrayList<>();
    failed.forEach((gate, what) -> messages.add("gate " + gate + ": " + what + "; release with ingest-claims"
        + " --accept-gate " + gate + " --source " + source));
    return new Decision(runId, failed.isEmpty() ? PASSED : HELD, List.copyOf(failed.keySet()), messages, baseRuns);
  }

  private static String previous(int n) {
    return n == 1 ? "delivery" : n + " deliveries";
  }

  /** Lines per table and service month, and per table in all, that fell by volume_drop_percent or more. */
  private String volume(Measures now, List<Measures> base) {
    if (gates.volumeDropPercent() <= 0) {
      return null;
    }
    Map<String, double[]> cells = new TreeMap<>();
    for (String table : List.of("medical", "pharmacy")) {
      // months are compared by lag from each delivery's latest service month (lag 0 with lag 0), so a monthly
      // incremental delivery (the newest month and runout lines of earlier ones) meets the same lags of the
      // previous deliveries, and a full refresh of the same months meets its calendar months
      String latest = latestMonth(now, table);
      for (Map.Entry<String, Long> e : now.lines().entrySet()) {
        String k = e.getKey();
        if (latest == null || !k.startsWith(table + " ") || k.endsWith(" " + NO_MONTH) || e.getValue() == 0) {
          continue; // a month not sent at all is missing_month's
        }
        int lag = lag(latest, k.substring(table.length() + 1));
        cells.put(table + " lines " + k.substring(table.length() + 1),
            new double[] {median(base, m -> atLag(m, table, lag)), e.getValue()});
      }
      cells.put(table + " lines (all months)", new double[] {median(base, m -> tableLines(m, table)),
          tableLines(now, table)});
    }
    List<String> fell = new ArrayList<>();
    cells.entrySet().stream()
        .filter(e -> e.getValue()[0] >= gates.minLines() && drop(e.getValue()) >= gates.volumeDropPercent())
        .sorted(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> -drop(e.getValue()))
            .thenComparing(Map.Entry::getKey))
        .forEach(e -> fell.add(String.format(Locale.ROOT, "%s fell %d%% (%s → %s)", e.getKey(),
            Math.round(drop(e.getValue())), num(e.getValue()[0]), num(e.getValue()[1]))));
    if (fell.isEmpty()) {
      return null;
    }
    return String.join(", ", fell.subList(0, Math.min(3, fell.size())))
        + (fell.size() > 3 ? " and " + (fell.size() - 3) + " more" : "");
  }

  /** The latest service month (yyyy-MM) of a table's lines in {@code m}; null when it has none. */
  static String latestMonth(Measures m, String table) {
    return m.lines().entrySet().stream().filter(e -> e.getKey().startsWith(table + " ")
            && !e.getKey().endsWith(" " + NO_MONTH) && e.getValue() > 0)
        .map(e -> e.getKey().substring(table.length() + 1)).max(String::compareTo).orElse(null);
  }

  /** Months from {@code month} to {@code latest} (both yyyy-MM). */
  static int lag(String latest, String month) {
    return (int) java.time.temporal.ChronoUnit.MONTHS.between(java.time.YearMonth.parse(month),
        java.time.YearMonth.parse(latest));
  }

  /** Lines of a table in the month {@code lag} months before the latest month of {@code m} (0 without one). */
  static long atLag(Measures m, String table, int lag) {
    String latest = latestMonth(m, table);
    return latest == null ? 0
        : m.lines().getOrDefault(table + " " + java.time.YearMonth.parse(latest).minusMonths(lag), 0L);
  }

  private static long tableLines(Measures m, String table) {
    return m.lines().entrySet().stream().filter(e -> e.getKey().startsWith(table + " "))
        .mapToLong(Map.Entry::getValue).sum();
  }

  private static double drop(double[] baseAndNow) {
    return baseAndNow[0] == 0 ? 0 : (baseAndNow[0] - baseAndNow[1]) * 100 / baseAndNow[0];
  }

  private String pmpm(Measures now, List<Measures> base) {
    List<Measures> with = base.stream().filter(m -> m.pmpm() != null).toList();
    if (gates.pmpmChangePercent() <= 0 || now.pmpm() == null || with.isEmpty()) {
      return null;
    }
    double b = median(with, m -> m.pmpm().doubleValue());
    double n = now.pmpm().doubleValue();
    double factor = 1 + gates.pmpmChangePercent() / 100;
    if (b <= 0 || n < b * factor && n > b / factor) {
      return null;
    }
    return String.format(Locale.ROOT, "paid per member month of the latest service month %s %d%% (%,.2f → %,.2f;"
        + " %s: paid %,.2f over %,d members)", n >= b ? "rose" : "fell", Math.round(Math.abs(n - b) * 100 / b), b, n,
        now.latestMonth(), now.latestPaid(), now.latestMemberMonths());
  }

  private String undetermined(Measures now, List<Measures> base) {
    double max = gates.undeterminedShareMax();
    if (max <= 0 || now.undeterminedShare() == null || now.undeterminedShare() <= max) {
      return null;
    }
    List<Measures> with = base.stream().filter(m -> m.undeterminedShare() != null).toList();
    double b = with.isEmpty() ? 0 : median(with, Measures::undeterminedShare);
    if (b > max) {
      return null;
    }
    return String.format(Locale.ROOT, "%d%% of medical lines have no claim type or one that is not professional,"
        + " institutional or dme (%,d of %,d; claims.gates.undetermined_share_max %s), up from %d%%",
        Math.round(now.undeterminedShare() * 100), now.undeterminedLines(), now.medicalLines(), num(max * 100) + "%",
        Math.round(b * 100));
  }

  private String providers(Measures now, List<Measures> base) {
    if (gates.providerDropPercent() <= 0) {
      return null;
    }
    double[] bn = {median(base, Measures::providers), now.providers()};
    if (bn[0] == 0 || drop(bn) < gates.providerDropPercent()) {
      return null;
    }
    return String.format(Locale.ROOT, "distinct billing and rendering NPIs of medical lines fell %d%% (%s → %s)",
        Math.round(drop(bn)), num(bn[0]), num(bn[1]));
  }

  /** A service month inside the delivery's own range per table with no line now that a baseline delivery had. */
  private String missingMonth(Measures now, List<Measures> base) {
    if (!gates.missingMonth()) {
      return null;
    }
    List<String> missing = new ArrayList<>();
    String prev = (base.size() == 1 ? "" : "up to ") + "%s in the previous " + previous(base.size());
    for (String table : List.of("medical", "pharmacy")) {
      List<String> sent = now.lines().keySet().stream().filter(k -> k.startsWith(table + " ")
          && !k.endsWith(" " + NO_MONTH)).sorted().toList();
      if (sent.isEmpty()) {
        continue;
      }
      String from = sent.get(0);
      String to = sent.get(sent.size() - 1);
      String latest = to.substring(table.length() + 1);
      // a month strictly inside the range the delivery sends, with no line now, whose lag from the latest month
      // had at least min_lines lines (median) in the previous deliveries (sparse runout months are no gap)
      for (int lag = 1; lag < lag(latest, from.substring(table.length() + 1)); lag++) {
        int j = lag;
        String k = table + " " + java.time.YearMonth.parse(latest).minusMonths(j);
        if (now.lines().getOrDefault(k, 0L) > 0 || median(base, m -> atLag(m, table, j)) < Math.max(1, gates.minLines())) {
          continue;
        }
        missing.add(String.format(Locale.ROOT, "%s has no lines in %s (" + prev + "), between %s and %s that it sends",
            table, k.substring(table.length() + 1), num(base.stream().mapToLong(m -> atLag(m, table, j)).max().orElse(0)),
            from.substring(table.length() + 1), latest));
      }
    }
    return missing.isEmpty() ? null : String.join("; ", missing);
  }

  private static <T> double median(Collection<T> values, ToDoubleFunction<T> f) {
    double[] v = values.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return 0;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String num(double d) {
    return d == Math.rint(d) ? String.format(Locale.ROOT, "%,d", (long) d) : String.format(Locale.ROOT, "%,.1f", d);
  }

  /**
   * Appends the decision of one delivery, with its measures, to ops.claim_delivery; {@code fhirExport}: the
   * export time of the delivery's payer FHIR (null without payer FHIR), whose resources are held with it.
   */
  public void record(Decision d, Measures m, Timestamp fhirExport) {
    append(List.of(row(d.runId(), d.decision(), null, m, d.baselineRuns(), d.failed(), null, d.messages(),
        fhirExport)));
  }

  /**
   * Releases every held delivery of the source whose failing gates {@code accepted} covers ({@code all}: any),
   * recorded with the OS user; an IllegalArgumentException when none is held or none is covered.
   */
  public List<Release> release(Set<String> accepted) {
    Set<String> unknown = new TreeSet<>(accepted);
    unknown.removeAll(GATES);
    unknown.remove("all");
    if (!unknown.isEmpty() || accepted.isEmpty()) {
      throw new IllegalArgumentException("--accept-gate takes gates " + GATES + " or all, not " + accepted);
    }
    Set<String> held = heldRuns();
    if (held.isEmpty()) {
      throw new IllegalArgumentException("source " + source + " has no held delivery to release");
    }
    List<Row> rows = new ArrayList<>();
    List<Release> released = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    String user = System.getProperty("user.name", "unknown");
    List<String> acceptedList = accepted.contains("all") ? GATES : GATES.stream().filter(accepted::contains).toList();
    for (Row r : decisions()) {
      String run = r.getAs("run_id");
      if (!HELD.equals(r.getAs("decision")) || !held.contains(run)) {
        continue;
      }
      List<String> failed = r.getList(r.fieldIndex("gates_failed"));
      if (acceptedList.containsAll(failed)) {
        released.add(new Release(run, failed));
        rows.add(row(run, RELEASED, user, measuresOf(r), r.getList(r.fieldIndex("baseline_runs")), failed,
            acceptedList, r.getList(r.fieldIndex("messages")), r.getAs("fhir_export_time")));
      } else {
        refused.add(run + " (failed " + failed + ")");
      }
    }
    if (released.isEmpty()) {
      throw new IllegalArgumentException("--accept-gate " + String.join(",", new TreeSet<>(accepted))
          + " does not cover the failing gates of the held deliveries of source " + source + ": "
          + String.join("; ", refused));
    }
    append(rows);
    return released;
  }

  private Row row(String runId, String decision, String user, Measures m, List<String> baselineRuns,
      List<String> failed, List<String> accepted, List<String> messages, Timestamp fhirExport) {
    return RowFactory.create(runId, source, decision, Timestamp.from(Instant.now()), user, m.lines(),
        m.claimLines(), m.memberMonths(), m.paid(), m.pmpm(), m.undeterminedShare(), m.providers(), baselineRuns,
        failed, accepted, messages, fhirExport, m.latestMonth(), m.latestPaid(), m.latestMemberMonths());
  }

  private void append(List<Row> rows) {
    lakehouse.append(TABLE, lakehouse.spark().createDataFrame(rows, lakehouse.contract(TABLE).schema()));
  }
}
