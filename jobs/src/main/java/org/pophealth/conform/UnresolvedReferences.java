package org.pophealth.conform;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;

/**
 * Counts, for one ingest run, the references whose target silver needs (a Medication's codes for the event)
 * and could not be resolved: a local reference {@code #id} to a contained resource that is absent (or has
 * no codes), or a reference to a resource that is neither in this export, nor fetched by
 * {@code fetch-references}, nor in the source's silver table from an earlier run. Run after the silver
 * upsert, so this run's Medication rows count as resolved.
 */
public final class UnresolvedReferences {
  /** One reference column of a silver table and the silver table of its target. */
  record Check(String resourceType, String idColumn, String codesColumn, String targetType, String targetTable) {}

  static final List<Check> CHECKS = List.of(
      new Check("MedicationRequest", "medication_id", "medication_codes", "Medication", "silver.medication"));

  private UnresolvedReferences() {}

  /**
   * Per referring resource type of this run (only types that have checks and loaded output in {@code parsed}):
   * target resource type → unresolved references (types with none resolved fully map to an empty map).
   *
   * @param parsed this run's parse per resource type (rows with {@code status} and the {@code typed} struct)
   */
  public static Map<String, Map<String, Long>> count(Lakehouse lakehouse, String source,
      Map<String, Dataset<Row>> parsed) {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    for (Check c : CHECKS) {
      Dataset<Row> typed = parsed.get(c.resourceType());
      if (typed == null) {
        continue;
      }
      Dataset<Row> refs = typed.filter(col("status").equalTo(ParsedLines.LOADED))
          .select(col(ParsedLines.TYPED + "." + c.idColumn()).as("ref"),
              col(ParsedLines.TYPED + "." + c.codesColumn()).as("codes"))
          .filter(col("ref").isNotNull().and(size(col("codes")).equalTo(0)));
      lakehouse.ensure(c.targetTable());
      Dataset<Row> known = lakehouse.read(c.targetTable()).filter(col("source").equalTo(source)).select(col("id"));
      long n = refs.join(known, refs.col("ref").equalTo(known.col("id")), "left_anti").count();
      Map<String, Long> byTarget = out.computeIfAbsent(c.resourceType(), k -> new TreeMap<>());
      if (n > 0) {
        byTarget.merge(c.targetType(), n, Long::sum);
      }
    }
    return out;
  }

  /** "MedicationRequest → Medication 2, ..." for the non-zero counts; empty when every reference resolved. */
  public static String describe(Map<String, Map<String, Long>> counts) {
    StringBuilder sb = new StringBuilder();
    if (counts != null) {
      counts.forEach((type, targets) -> targets.forEach((target, n) ->
          sb.append(sb.length() == 0 ? "" : ", ").append(type).append(" → ").append(target).append(' ').append(n)));
    }
    return sb.toString();
  }
}
