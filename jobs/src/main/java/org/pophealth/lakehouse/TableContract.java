package org.pophealth.lakehouse;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A table's contract as written in {@code schemas/<zone>/<table>.yaml}: columns, types, nullability,
 * grain, business key and meaning. Tables are created from it and every write is checked against it.
 * {@code deletion_vectors: true} (tables a few rows of which are merged at a time, e.g. by incremental identity
 * runs) creates the table with Delta deletion vectors, so such a MERGE writes the changed rows instead of
 * rewriting every file that holds one.
 */
public record TableContract(
    String zone,
    String table,
    String description,
    String grain,
    List<String> key,
    List<String> partitionBy,
    String resourceType,
    List<String> statsColumns,
    List<ColumnSpec> columns,
    boolean deletionVectors)
    implements Serializable {

  /** {@code zone.table}, as addressed in SQL. */
  public String name() {
    return zone + "." + table;
  }

  public StructType schema() {
    StructField[] fields = new StructField[columns.size()];
    for (int i = 0; i < fields.length; i++) {
      ColumnSpec c = columns.get(i);
      fields[i] = new StructField(c.name(), c.type(), c.nullable(), Metadata.empty());
    }
    return new StructType(fields);
  }

  public Optional<ColumnSpec> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  public List<String> columnNames() {
    return columns.stream().map(ColumnSpec::name).toList();
  }
}
