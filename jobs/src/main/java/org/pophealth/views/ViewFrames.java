package org.pophealth.views;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * A ViewDefinition evaluated on Spark: each partition parses its resources' JSON once and runs the compiled
 * definition over them ({@link ViewDefinition#rows}), so a view costs one pass over its resources whatever its
 * columns. The frame's columns are the definition's, in order, typed by {@link ViewTypes}; when a column's
 * type is neither declared nor known from the FHIR model, one more pass over the values types it. A resource
 * whose evaluation fails (a non-collection column with several values, a value that does not fit its type,
 * JSON that does not parse) gives no row; it is counted and the first message kept, without its content.
 */
public final class ViewFrames {
  /** The name of the lineage column that follows the definition's columns when {@code withSource}. */
  public static final String SOURCE_COLUMN = "_source";

  private ViewFrames() {}


  /** Counters of one evaluation (Spark accumulators: read after the frame's action ran). */
  public record Counters(LongAccumulator evaluated, LongAccumulator deleted, LongAccumulator failed,
      CollectionAccumulator<String> errors) implements Serializable {
    public static Counters register(org.apache.spark.SparkContext sc, String view) {
      return new Counters(sc.longAccumulator("view " + view + " evaluated"),
          sc.longAccumulator("view " + view + " deleted"), sc.longAccumulator("view " + view + " failed"),
          sc.collectionAccumulator("view " + view + " errors"));
    }

    /** The first failure's message (of the first task that had one), or null. */
    public String firstError() {
      List<String> all = errors.value();
      return all.isEmpty() ? null : Collections.min(all);
    }
  }

  /**
   * The view's rows over {@code resources}: a column {@code raw} holding each resource's JSON; when
   * {@code withSource}, a column {@code source} copied to {@value #SOURCE_COLUMN}; optionally a column
   * {@code is_deleted} (a tombstone: no rows, counted as deleted).
   */
  public static Dataset<Row> evaluate(ViewDefinition def, Dataset<Row> resources, boolean withSource,
      Counters counters) {
    List<ViewColumn> columns = def.columns();
    int[] kinds = needsInference(columns) ? kinds(def, resources) : new int[columns.size()];
    List<StructField> fields = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      fields.add(DataTypes.createStructField(columns.get(i).name(), ViewTypes.columnType(columns.get(i), kinds[i]),
          true));
    }
    if (withSource) {
      fields.add(DataTypes.createStructField(SOURCE_COLUMN, DataTypes.StringType, true));
    }
    StructType schema = DataTypes.createStructType(fields);
    DataType[] types = new DataType[columns.size()];
    String[] names = new String[columns.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = schema.fields()[i].dataType();
      names[i] = columns.get(i).name();
    }
    int rawAt = resources.schema().fieldIndex("raw");
    int sourceAt = withSource ? resources.schema().fieldIndex("source") : -1;
    int deletedAt = List.of(resources.schema().fieldNames()).indexOf("is_deleted");
    return resources.mapPartitions((MapPartitionsFunction<Row, Row>) it ->
        new RowIterator(it, def, types, names, new int[] {rawAt, sourceAt, deletedAt}, counters), Encoders.row(schema));
  }

  private static boolean needsInference(List<ViewColumn> columns) {
    return columns.stream().anyMatch(c -> ViewTypes.sparkType(c.type()) == null);
  }

  /** The kinds of value seen in each column over all resources (one pass; failures count as nothing). */
  private static int[] kinds(ViewDefinition def, Dataset<Row> resources) {
    int n = def.columns().size();
    int rawAt = resources.schema().fieldIndex("raw");
    int deletedAt = List.of(resources.schema().fieldNames()).indexOf("is_deleted");
    List<int[]> perPartition = resources.javaRDD().mapPartitions(it -> {
      int[] k = new int[n];
      while (it.hasNext()) {
        Row r = it.next();
        if (deletedAt >= 0 && r.getBoolean(deletedAt)) {
          continue;
        }
        try {
          for (Object[] row : def.rows(ViewDefinition.readResource(r.getString(rawAt)))) {
            for (int i = 0; i < n; i++) {
              k[i] |= ViewTypes.kindOf(row[i]);
            }
          }
        } catch (Exception e) {
          // counted when the rows are built
        }
      }
      return List.of(k).iterator();
    }).collect();
    int[] all = new int[n];
    for (int[] k : perPartition) {
      for (int i = 0; i < n; i++) {
        all[i] |= k[i];
      }
    }
    return all;
  }

  /** One partition's rows: every resource's view rows, in order; failures counted. */
  private static final class RowIterator implements Iterator<Row> {
    private final Iterator<Row> in;
    private final ViewDefinition def;
    private final DataType[] types;
    private final String[] names;
    private final int rawAt;
    private final int sourceAt;
    private final int deletedAt;
    private final Counters counters;
    private Iterator<Row> pending = Collections.emptyIterator();
    private boolean reported;

    /** {@code at}: the input's raw, source and is_deleted columns (-1: none). */
    RowIterator(Iterator<Row> in, ViewDefinition def, DataType[] types, String[] names, int[] at, Counters counters) {
      this.in = in;
      this.def = def;
      this.types = types;
      this.names = names;
      this.rawAt = at[0];
      this.sourceAt = at[1];
      this.deletedAt = at[2];
      this.counters = counters;
    }

    @Override
    public boolean hasNext() {
      while (!pending.hasNext() && in.hasNext()) {
        pending = rowsOf(in.next()).iterator();
      }
      return pending.hasNext();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      return pending.next();
    }

    private List<Row> rowsOf(Row resource) {
      if (deletedAt >= 0 && resource.getBoolean(deletedAt)) {
        counters.deleted().add(1);
        return List.of();
      }
      counters.evaluated().add(1);
      String source = sourceAt >= 0 ? resource.getString(sourceAt) : null;
      try {
        JsonNode node = ViewDefinition.readResource(resource.getString(rawAt));
        List<Object[]> values = def.rows(node);
        List<Row> out = new ArrayList<>(values.size());
        for (Object[] v : values) {
          Object[] cells = new Object[types.length + (sourceAt >= 0 ? 1 : 0)];
          for (int i = 0; i < types.length; i++) {
            cells[i] = ViewTypes.toSpark(v[i], types[i], names[i]);
          }
          if (sourceAt >= 0) {
            cells[types.length] = source;
          }
          out.add(RowFactory.create(cells));
        }
        return out;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        fail("a resource's JSON does not parse");
      } catch (RuntimeException e) {
        fail(e.getMessage());
      }
      return List.of();
    }

    private void fail(String message) {
      counters.failed().add(1);
      if (!reported) {
        reported = true; // one message per task is enough to say what went wrong
        counters.errors().add(def.resource() + " view: " + message);
      }
    }
  }
}
