package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import scala.collection.Seq;

/**
 * gold.identity_split_queue: the persons a reviewer may want to split. A person is queued when two of its
 * records have birth dates that differ by more than a typo (not equal, not one edit or transposition, not a
 * day-month swap: the {@link Comparators} of the birth-date comparison) or different sexes. Values compare
 * normalised ({@link NormalizeValue}); the row shows them masked (birth year, sex as is).
 */
public final class SplitQueue {
  public static final String BIRTH_DATE = "birth_date";
  public static final String SEX = "sex";

  private SplitQueue() {}

  /** The reasons to queue a person, from the distinct normalised values of its records (nulls ignored). */
  public static List<String> reasons(List<String> birthDates, List<String> sexes) {
    List<String> out = new ArrayList<>();
    if (anyPair(birthDates, (a, b) -> !typo(a, b))) {
      out.add(BIRTH_DATE);
    }
    if (anyPair(sexes, (a, b) -> !a.equals(b))) {
      out.add(SEX);
    }
    return out;
  }

  /** Two yyyyMMdd birth dates that are equal or one typo apart: one edit, a transposition, day and month swapped. */
  public static boolean typo(String a, String b) {
    return a.equals(b) || Comparators.damerauLevenshtein(a, b) <= 1 || Comparators.dayMonthSwapped(a, b);
  }

  private static boolean anyPair(List<String> values, java.util.function.BiPredicate<String, String> differ) {
    List<String> v = values.stream().filter(java.util.Objects::nonNull).toList();
    for (int i = 0; i < v.size(); i++) {
      for (int j = i + 1; j < v.size(); j++) {
        if (differ.test(v.get(i), v.get(j))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * @param records (person_id, source, record_id, birth_date, sex) of every record, raw values
   * @return one row per queued person, the columns of gold.identity_split_queue
   */
  public static Dataset<Row> build(Dataset<Row> records, String runId) {
    Dataset<Row> grouped = records.groupBy("person_id").agg(
        functions.sort_array(functions.collect_list(functions.concat_ws("/", col("source"), col("record_id"))))
            .as("records"),
        functions.collect_set(normalize(PersonField.BIRTH_DATE).apply(col(BIRTH_DATE).cast("string"))).as("dates"),
        functions.collect_set(normalize(PersonField.SEX).apply(col(SEX).cast("string"))).as("sexes_n"),
        functions.sort_array(functions.collect_set(mask(PersonField.BIRTH_DATE).apply(col(BIRTH_DATE).cast("string"))))
            .as("birth_years"),
        functions.sort_array(functions.collect_set(mask(PersonField.SEX).apply(col(SEX).cast("string")))).as("sexes"));
    UserDefinedFunction why = functions.udf((UDF2<Seq<String>, Seq<String>, String[]>) (d, s) ->
            reasons(javaList(d), javaList(s)).toArray(new String[0]),
        DataTypes.createArrayType(DataTypes.StringType));
    return grouped.filter(functions.size(col("records")).geq(2))
        .withColumn("reasons", why.apply(col("dates"), col("sexes_n")))
        .filter(functions.size(col("reasons")).gt(0))
        .select(col("person_id"), col("records"), col("reasons"), col("birth_years"), col("sexes"),
            lit(runId).as("resolve_run_id"));
  }

  private static UserDefinedFunction normalize(PersonField f) {
    return functions.udf((UDF1<String, String>) v -> NormalizeValue.normalize(f, v, null), DataTypes.StringType);
  }

  private static UserDefinedFunction mask(PersonField f) {
    return functions.udf((UDF1<String, String>) v -> MaskValue.mask(f, v), DataTypes.StringType);
  }

  private static List<String> javaList(Seq<String> s) {
    return s == null ? List.of() : new ArrayList<>(scala.collection.JavaConverters.seqAsJavaList(s));
  }
}
