package org.pophealth.lakehouse;

import static org.apache.spark.sql.functions.col;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Keeps {@code person_id} of rows written below identity (silver.event) in step with the identity
 * crosswalk: a re-ingested or newly arrived record of a patient identity already knows gets its person at
 * once, instead of a null that would make it a second person until resolve-identity runs again.
 */
public final class PersonIds {
  private PersonIds() {}

  /**
   * {@code rows} with {@code person_id} looked up in gold.identity_crosswalk on ({@code source},
   * {@code patientColumn}); unchanged (null person ids) when identity has not run. Column order is kept.
   */
  public static Dataset<Row> fill(Lakehouse lakehouse, Dataset<Row> rows, String patientColumn) {
    if (!lakehouse.exists("gold.identity_crosswalk")) {
      return rows;
    }
    Dataset<Row> xw = lakehouse.read("gold.identity_crosswalk")
        .select(col("source").as("xw_source"), col("record_id").as("xw_record"), col("person_id").as("xw_person"));
    Dataset<Row> joined = rows.join(xw,
        col("source").equalTo(col("xw_source")).and(col(patientColumn).equalTo(col("xw_record"))), "left");
    org.apache.spark.sql.Column[] cols = new org.apache.spark.sql.Column[rows.columns().length];
    for (int i = 0; i < cols.length; i++) {
      String c = rows.columns()[i];
      cols[i] = c.equals("person_id") ? col("xw_person").as("person_id") : col(c);
    }
    return joined.select(cols);
  }
}
