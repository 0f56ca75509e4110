package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Candidate pairs by blocking, compared where they are generated. For each rule, records are
 * partitioned and sorted by the rule's key; each block (records sharing the key) is compared pairwise
 * inside the Spark task, so there is no cartesian product and no join back to the records. A pair is
 * emitted by the first rule that generates it (later rules skip pairs whose earlier keys agree), so the
 * union needs no distinct. Blocks above {@code max_block_size} are skipped and reported. When the records have a
 * boolean column {@code dirty} (an incremental run: new and changed records and the records they share a key
 * with), only pairs with at least one dirty record are compared.
 *
 * <p>Output: {@code uid_l < uid_r}, {@code rule}, {@code pattern} (the comparison vector packed 4 bits
 * per field, see {@link #pack}), {@code tf_l} (term frequencies of the term-frequency fields of the
 * left record, as an array aligned with the fields; 0 elsewhere).
 */
public final class GeneratePairs {
  public static final StructType SCHEMA = new StructType()
      .add("uid_l", DataTypes.LongType, false)
      .add("uid_r", DataTypes.LongType, false)
      .add("rule", DataTypes.IntegerType, false)
      .add("pattern", DataTypes.LongType, false)
      .add("tf", DataTypes.createArrayType(DataTypes.DoubleType));

  private final LinkageSettings settings;
  private final List<PersonField> fields;
  private final ReferenceLists lists;

  public GeneratePairs(LinkageSettings settings, List<PersonField> fields, ReferenceLists lists) {
    this.settings = settings;
    this.fields = fields;
    this.lists = lists;
  }

  /** Pairs of rule {@code rule}; with {@code dedupe}, pairs an earlier rule generates are left out. */
  public Dataset<Row> rulePairs(Dataset<Row> records, int rule, boolean dedupe, int partitions) {
    return rulePairs(records, "key_" + rule, rule, dedupe, partitions);
  }

  /** Pairs of records sharing the value of column {@code key} (a blocking key column). */
  public Dataset<Row> rulePairs(Dataset<Row> records, String key, int rule, boolean dedupe, int partitions) {
    Layout layout = new Layout(records.schema(), fields, settings.blockingRules().size());
    CompareRecords compare = new CompareRecords(fields, lists);
    int maxBlock = settings.maxBlockSize();
    boolean linkOnly = settings.linkOnly();
    int keyIndex = records.schema().fieldIndex(key);
    return records.filter(col(key).isNotNull())
        .repartition(partitions, col(key))
        .sortWithinPartitions(col(key))
        .mapPartitions((MapPartitionsFunction<Row, Row>) it ->
            new BlockIterator(it, keyIndex, rule, dedupe, maxBlock, linkOnly, layout, compare), Encoders.row(SCHEMA));
  }

  /**
   * Every rule's new pairs of a few records, on the driver (an incremental run's new and changed records and
   * their partners): the same blocks and comparisons as {@link #allPairs} without a shuffle per rule.
   */
  public List<Row> localPairs(List<Row> records, StructType schema) {
    Layout layout = new Layout(schema, fields, settings.blockingRules().size());
    CompareRecords compare = new CompareRecords(fields, lists);
    // the rules' blocks are walked on every core (each rule on its own: the pairs a rule emits depend only on the
    // records' keys), then concatenated in rule order, as one thread gives them
    List<List<Row>> perRule = java.util.stream.IntStream.range(0, settings.blockingRules().size()).parallel()
        .mapToObj(r -> {
          int keyIndex = schema.fieldIndex("key_" + r);
          List<Row> keyed = new ArrayList<>(records.stream().filter(x -> !x.isNullAt(keyIndex)).toList());
          keyed.sort(java.util.Comparator.comparing((Row x) -> x.getString(keyIndex)));
          BlockIterator it = new BlockIterator(keyed.iterator(), keyIndex, r, true, settings.maxBlockSize(),
              settings.linkOnly(), layout, compare);
          List<Row> pairs = new ArrayList<>();
          while (it.hasNext()) {
            pairs.add(it.next());
          }
          return pairs;
        }).toList();
    List<Row> out = new ArrayList<>();
    perRule.forEach(out::addAll);
    return out;
  }

  /** Every rule's new pairs, unioned. */
  public Dataset<Row> allPairs(Dataset<Row> records, int partitions) {
    Dataset<Row> all = null;
    for (int r = 0; r < settings.blockingRules().size(); r++) {
      Dataset<Row> p = rulePairs(records, r, true, partitions);
      all = all == null ? p : all.unionAll(p);
    }
    return all;
  }

  /** Packs a comparison vector: (level + 1) in 4 bits per field, field 0 lowest. */
  public static long pack(int[] g) {
    long p = 0;
    for (int i = g.length - 1; i >= 0; i--) {
      p = (p << 4) | (g[i] + 1);
    }
    return p;
  }

  public static int[] unpack(long p, int n) {
    int[] g = new int[n];
    for (int i = 0; i < n; i++) {
      g[i] = (int) (p & 0xF) - 1;
      p >>>= 4;
    }
    return g;
  }

  /** Column positions in the prepared records. */
  static final class Layout implements java.io.Serializable {
    final int uid;
    final int source;
    final int[] values;
    final int[] tf;
    final int[] keys;
    final int dirty;

    Layout(StructType s, List<PersonField> fields, int rules) {
      uid = s.fieldIndex("uid");
      dirty = List.of(s.fieldNames()).contains("dirty") ? s.fieldIndex("dirty") : -1;
      source = s.fieldIndex("source");
      values = new int[fields.size()];
      tf = new int[fields.size()];
      for (int i = 0; i < fields.size(); i++) {
        values[i] = s.fieldIndex(fields.get(i).column());
        String t = "tf_" + fields.get(i).column();
        tf[i] = List.of(s.fieldNames()).contains(t) ? s.fieldIndex(t) : -1;
      }
      keys = new int[rules];
      for (int r = 0; r < rules; r++) {
        keys[r] = s.fieldIndex("key_" + r);
      }
    }
  }

  /** A record as the comparison needs it. */
  private record Rec(long uid, String source, String[] values, double[] tf, String[] keys, boolean dirty) {}

  /** Walks sorted rows block by block and yields the compared pairs of each block. */
  private static final class BlockIterator implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final int keyIndex;
    private final int rule;
    private final boolean dedupe;
    private final int maxBlock;
    private final boolean linkOnly;
    private final Layout layout;
    private final CompareRecords compare;
    private final List<Rec> block = new ArrayList<>();
    private String blockKey;
    private Row pending;
    private List<Rec> current = List.of();
    private int i;
    private int j;
    private Row next;

    BlockIterator(Iterator<Row> rows, int keyIndex, int rule, boolean dedupe, int maxBlock, boolean linkOnly,
        Layout layout, CompareRecords compare) {
      this.rows = rows;
      this.keyIndex = keyIndex;
      this.rule = rule;
      this.dedupe = dedupe;
      this.maxBlock = maxBlock;
      this.linkOnly = linkOnly;
      this.layout = layout;
      this.compare = compare;
    }

    @Override
    public boolean hasNext() {
      while (next == null) {
        if (!advance()) {
          return false;
        }
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      Row r = next;
      next = null;
      return r;
    }

    /** Moves to the next candidate pair; sets {@code next} when it is emitted. False at the end. */
    private boolean advance() {
      if (j >= current.size()) {
        i++;
        j = i + 1;
      }
      if (i >= current.size() - 1) {
        if (!loadBlock()) {
          return false;
        }
        i = 0;
        j = 1;
        if (current.size() < 2) {
          j = current.size();
          return true;
        }
      }
      Rec a = current.get(i);
      Rec b = current.get(j);
      j++;
      boolean sameSource = a.source().equals(b.source());
      if ((linkOnly && sameSource) || !(a.dirty() || b.dirty())) {
        return true;
      }
      if (dedupe) {
        for (int r = 0; r < rule; r++) {
          String ka = a.keys()[r];
          if (ka != null && ka.equals(b.keys()[r])) {
            return true;
          }
        }
      }
      Rec l = a.uid() < b.uid() ? a : b;
      Rec r = l == a ? b : a;
      int[] g = compare.compare(l.values(), r.values(), sameSource);
      next = RowFactory.create(l.uid(), r.uid(), rule, pack(g), toList(l.tf()));
      return true;
    }

    private static scala.collection.Seq<Object> toList(double[] tf) {
      List<Object> out = new ArrayList<>(tf.length);
      for (double d : tf) {
        out.add(d);
      }
      return scala.collection.JavaConverters.asScalaBuffer(out).toSeq();
    }

    /** Reads the next block of equal keys (skipping oversized ones); false when the input is done. */
    private boolean loadBlock() {
      while (true) {
        block.clear();
        if (pending == null && !rows.hasNext()) {
          current = List.of();
          return false;
        }
        Row first = pending != null ? pending : rows.next();
        pending = null;
        blockKey = first.getString(keyIndex);
        block.add(rec(first));
        while (rows.hasNext()) {
          Row r = rows.next();
          if (!blockKey.equals(r.getString(keyIndex))) {
            pending = r;
            break;
          }
          if (block.size() <= maxBlock) {
            block.add(rec(r));
          }
        }
        if (block.size() > maxBlock) {
          continue;
        }
        current = new ArrayList<>(block);
        return true;
      }
    }

    private Rec rec(Row r) {
      String[] v = new String[layout.values.length];
      double[] tf = new double[layout.values.length];
      for (int k = 0; k < v.length; k++) {
        v[k] = r.getString(layout.values[k]);
        tf[k] = layout.tf[k] >= 0 && !r.isNullAt(layout.tf[k]) ? r.getDouble(layout.tf[k]) : 0;
      }
      String[] keys = new String[layout.keys.length];
      for (int k = 0; k < keys.length; k++) {
        keys[k] = r.getString(layout.keys[k]);
      }
      boolean dirty = layout.dirty < 0 || (!r.isNullAt(layout.dirty) && r.getBoolean(layout.dirty));
      return new Rec(r.getLong(layout.uid), r.getString(layout.source), v, tf, keys, dirty);
    }
  }
}
