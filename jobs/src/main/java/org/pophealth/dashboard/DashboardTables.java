package org.pophealth.dashboard;

import java.util.List;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;

/**
 * The lakehouse tables the dashboard's sections query, as Spark temp views. Sections collect only
 * aggregates through {@link #sql}: no person key, name or birth date leaves Spark.
 */
final class DashboardTables {
  private final Lakehouse lakehouse;

  DashboardTables(Lakehouse lakehouse) {
    this.lakehouse = lakehouse;
  }

  /** Registers {@code table} as the temp view {@code name}; false when the table does not exist (yet). */
  boolean view(String table, String name) {
    if (!lakehouse.exists(table)) {
      return false;
    }
    lakehouse.read(table).createOrReplaceTempView(name);
    return true;
  }

  /** Runs a query over the registered views and collects its rows. */
  List<Row> sql(String query) {
    return lakehouse.spark().sql(query).collectAsList();
  }
}
