package org.pophealth.ingest.claims;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.pophealth.lakehouse.ContractRegistry;
import org.pophealth.lakehouse.TableContract;

/** Schema of validated rows: what happened to the row (meta columns), then the typed silver columns. */
public final class ValidatedRows {
  public static final String LOADED = "loaded";
  public static final String QUARANTINED = "quarantined";

  public static final List<String> META = List.of("row_key", "table_name", "file_format", "file", "line", "raw",
      "fields", "status", "stage", "reason_code", "reason", "findings");

  private ValidatedRows() {}

  public static TableContract contract(ClaimTable t) {
    return ContractRegistry.get().contract(t.silverTable());
  }

  public static StructType schema(ClaimTable t) {
    List<StructField> f = new ArrayList<>();
    f.add(DataTypes.createStructField("row_key", DataTypes.StringType, false));
    f.add(DataTypes.createStructField("table_name", DataTypes.StringType, false));
    f.add(DataTypes.createStructField("file_format", DataTypes.StringType, false));
    f.add(DataTypes.createStructField("file", DataTypes.StringType, false));
    f.add(DataTypes.createStructField("line", DataTypes.LongType, false));
    f.add(DataTypes.createStructField("raw", DataTypes.StringType, true));
    f.add(DataTypes.createStructField("fields",
        DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), true));
    f.add(DataTypes.createStructField("status", DataTypes.StringType, false));
    f.add(DataTypes.createStructField("stage", DataTypes.StringType, true));
    f.add(DataTypes.createStructField("reason_code", DataTypes.StringType, true));
    f.add(DataTypes.createStructField("reason", DataTypes.StringType, true));
    f.add(DataTypes.createStructField("findings", DataTypes.createArrayType(DataTypes.StringType), false));
    for (StructField s : contract(t).schema().fields()) {
      f.add(DataTypes.createStructField(s.name(), s.dataType(), true));
    }
    return DataTypes.createStructType(f);
  }
}
