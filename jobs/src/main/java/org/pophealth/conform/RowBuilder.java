package org.pophealth.conform;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;
import org.pophealth.lakehouse.TableContract;

/** Fills one row of a contract's schema by column name; checks required columns when built. */
public final class RowBuilder {
  private final TableContract contract;
  private final Map<String, Integer> index = new HashMap<>();
  private final boolean[] required;
  private Object[] values;

  public RowBuilder(TableContract contract) {
    this.contract = contract;
    StructType schema = contract.schema();
    this.required = new boolean[schema.size()];
    for (int i = 0; i < schema.size(); i++) {
      index.put(schema.fields()[i].name(), i);
      required[i] = !schema.fields()[i].nullable();
    }
    this.values = new Object[schema.size()];
  }

  public RowBuilder reset() {
    values = new Object[values.length];
    return this;
  }

  public RowBuilder set(String column, Object value) {
    Integer i = index.get(column);
    if (i == null) {
      throw new IllegalArgumentException(contract.name() + " has no column " + column);
    }
    values[i] = value;
    return this;
  }

  /** The row; a required column left null is a contract violation. */
  public Row build() throws ConformException {
    for (int i = 0; i < values.length; i++) {
      if (required[i] && values[i] == null) {
        throw new ConformException(
            "missing-required", contract.name() + "." + contract.columns().get(i).name() + " is required but absent");
      }
    }
    Object[] out = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = toSpark(values[i]);
    }
    return RowFactory.create(out);
  }

  /** Java lists (also inside struct rows) become Scala sequences and Java maps Scala maps, as Spark's row encoder expects. */
  static Object toSpark(Object v) {
    if (v instanceof java.util.Map<?, ?> map) {
      return JavaConverters.mapAsScalaMap(map);
    }
    if (v instanceof List<?> list) {
      List<Object> converted = new ArrayList<>(list.size());
      for (Object e : list) {
        converted.add(toSpark(e));
      }
      return JavaConverters.asScalaBuffer(converted).toList();
    }
    if (v instanceof Row row) {
      boolean nested = false;
      for (int i = 0; i < row.size(); i++) {
        nested |= row.get(i) instanceof List<?> || row.get(i) instanceof Row;
      }
      if (!nested) {
        return row;
      }
      Object[] fields = new Object[row.size()];
      for (int i = 0; i < fields.length; i++) {
        fields[i] = toSpark(row.get(i));
      }
      return RowFactory.create(fields);
    }
    return v;
  }
}
