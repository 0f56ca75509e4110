package org.pophealth.testing;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.lakehouse.TableContract;

/** The content of lakehouse tables as sorted JSON rows, to compare two runs table by table. */
public final class TableSnapshot {
  private TableSnapshot() {}

  /**
   * @param tables which existing tables to take
   * @param dropColumn columns to leave out (values that differ by run, such as run ids and load times)
   */
  public static Map<String, List<String>> of(Lakehouse lh, Predicate<TableContract> tables, Predicate<String> dropColumn) {
    Map<String, List<String>> out = new TreeMap<>();
    for (TableContract c : lh.contracts().all()) {
      if (tables.test(c) && lh.exists(c.name())) {
        Dataset<Row> rows = lh.read(c.name());
        for (StructField f : rows.schema().fields()) {
          if (dropColumn.test(f.name())) {
            rows = rows.drop(f.name());
          }
        }
        out.put(c.name(), rows.toJSON().collectAsList().stream().sorted().toList());
      }
    }
    return out;
  }
}
