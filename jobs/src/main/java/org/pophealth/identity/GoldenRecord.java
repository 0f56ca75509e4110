package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

/**
 * The golden person record from the linked records, by the {@link SurvivorshipRules}: per rule group (a field, or
 * the fields surviving together), every candidate record gets a sort key (the rule's own key, then the source
 * priority, the most recent update, source and record_id) and the record with the smallest key supplies the
 * group's values; {@code lineage} maps each supplied field to that record's {@code source/record_id}. One shuffle
 * by person (the most_frequent counts are windows within it) and one aggregate per person: nothing is collected.
 */
final class GoldenRecord {
  private GoldenRecord() {}

  /**
   * {@code records}: one row per linked record with person_id, source, record_id, kind, updated and the golden
   * fields (text; birth_date as text or date). Returns person_id, the golden fields, record_count, sources and
   * lineage, one row per person.
   */
  static Dataset<Row> build(Dataset<Row> records, SurvivorshipRules rules) {
    Dataset<Row> r = records.repartition(col("person_id"));
    for (String f : SurvivorshipRules.FIELDS) {
      r = r.withColumn("c_" + f, candidate(f));
    }
    for (SurvivorshipRules.Rule rule : rules.all()) {
      if (rule.leads() && rule.rule().equals(SurvivorshipRules.MOST_FREQUENT)) {
        // records of the person with the same value, ignoring case, spaces and punctuation
        Column same = functions.lower(functions.regexp_replace(col("c_" + rule.field()).cast("string"),
            "[^\\p{L}\\p{N}]", ""));
        r = r.withColumn("n_" + rule.field(), functions.count(same).over(Window.partitionBy(col("person_id"), same)));
      }
    }
    List<Column> aggs = new ArrayList<>();
    for (SurvivorshipRules.Rule rule : rules.all()) {
      if (rule.leads()) {
        aggs.add(functions.min(choice(rule, rules.groupOf(rule.field()))).as("s_" + rule.field()));
      }
    }
    aggs.add(functions.array_sort(functions.collect_set("source")).as("sources"));
    Dataset<Row> chosen = r.groupBy("person_id").agg(functions.count(lit(1)).as("record_count"),
        aggs.toArray(new Column[0]));
    List<Column> out = new ArrayList<>(List.of(col("person_id")));
    List<String> lineage = new ArrayList<>();
    for (SurvivorshipRules.Rule rule : rules.all()) {
      Column s = col("s_" + rule.lead());
      out.add(s.getField("v_" + rule.field()).as(rule.field()));
      out.add(functions.when(s.getField("v_" + rule.field()).isNotNull(),
          functions.concat(s.getField("src"), lit("/"), s.getField("rid"))).as("lin_" + rule.field()));
      lineage.add("'" + rule.field() + "', lin_" + rule.field());
    }
    out.add(col("record_count"));
    out.add(col("sources"));
    List<Column> last = new ArrayList<>(List.of(col("person_id")));
    SurvivorshipRules.FIELDS.forEach(f -> last.add(col(f)));
    last.add(col("record_count"));
    last.add(col("sources"));
    last.add(functions.expr("map_filter(map(" + String.join(", ", lineage) + "), (k, v) -> v IS NOT NULL)")
        .as("lineage"));
    return chosen.select(out.toArray(new Column[0])).select(last.toArray(new Column[0]));
  }

  /** The field's value when it is a candidate: not blank; a birth date parsed and within 1850-01-01..today. */
  private static Column candidate(String f) {
    if (f.equals("birth_date")) {
      // an implausible birth date (typo: year 0941, 2190) is no candidate for the golden record
      Column d = functions.to_date(col(f));
      return functions.when(d.between(lit("1850-01-01").cast("date"), functions.current_date()), d);
    }
    return functions.when(functions.trim(col(f)).notEqual(""), col(f));
  }

  /**
   * The sort key and values of a rule group for one record, null when the record has none of the group's
   * values. Within a group, records with the leading field come first.
   */
  private static Column choice(SurvivorshipRules.Rule rule, List<String> group) {
    Column lead = col("c_" + rule.field());
    Column priority = priority(rule.sourcePriority());
    Column recency = functions.coalesce(functions.expr("-unix_micros(updated)"), lit(Long.MAX_VALUE));
    List<Column> key = new ArrayList<>();
    if (group.size() > 1) {
      key.add(functions.when(lead.isNull(), 1).otherwise(0));
    }
    switch (rule.rule()) {
      case SurvivorshipRules.MOST_RECENT -> {
        key.add(recency);
        key.add(priority);
      }
      case SurvivorshipRules.MOST_FREQUENT -> {
        key.add(functions.negate(col("n_" + rule.field())));
        key.add(priority);
        key.add(recency);
      }
      case SurvivorshipRules.LONGEST -> {
        key.add(functions.coalesce(functions.negate(functions.length(functions.trim(lead))), lit(0)));
        key.add(priority);
        key.add(recency);
      }
      default -> {
        key.add(priority);
        key.add(recency);
      }
    }
    List<Column> fields = new ArrayList<>();
    for (int i = 0; i < key.size(); i++) {
      fields.add(key.get(i).as("k" + i));
    }
    Column any = null;
    for (String f : group) {
      fields.add(col("c_" + f).as("v_" + f));
      any = any == null ? col("c_" + f).isNotNull() : any.or(col("c_" + f).isNotNull());
    }
    fields.add(col("source").as("src"));
    fields.add(col("record_id").as("rid"));
    return functions.when(any, functions.struct(fields.toArray(new Column[0])));
  }

  /** 0 for a record whose kind or source is the first entry, 1 for the second, ...; the list's size for none. */
  private static Column priority(List<String> order) {
    if (order.isEmpty()) {
      return lit(0);
    }
    Column c = null;
    for (int i = 0; i < order.size(); i++) {
      Column is = col("kind").equalTo(order.get(i)).or(col("source").equalTo(order.get(i)));
      c = c == null ? functions.when(is, i) : c.when(is, i);
    }
    return c.otherwise(order.size());
  }
}
