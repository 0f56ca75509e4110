package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.graphx.Edge;
import org.apache.spark.graphx.Graph;
import org.apache.spark.graphx.lib.ConnectedComponents;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Clusters records: connected components (Spark GraphX) over accepted links (match probability at
 * or above the auto-match threshold, plus reviewers' must-links), then, inside each component, an
 * over-link guard rebuilds the cluster greedily — must-links first, then links by decreasing
 * weight — refusing any link that would put two different SSNs (more than {@code ssn_max_edits}
 * apart), two sexes, or a reviewer's cannot-link pair in one cluster. Refused links go to review.
 *
 * <p>Output {@code clusters}: (uid, cluster_uid = smallest uid of the final cluster) for every record
 * in a component of two or more; {@code refused}: (uid_l, uid_r, reason).
 */
public final class ClusterRecords {
  public static final StructType CLUSTER_SCHEMA = new StructType()
      .add("uid", DataTypes.LongType, false).add("cluster_uid", DataTypes.LongType, false);
  public static final StructType REFUSED_SCHEMA = new StructType()
      .add("uid_l", DataTypes.LongType, false).add("uid_r", DataTypes.LongType, false)
      .add("reason", DataTypes.StringType, false);

  private final LinkageSettings settings;

  public ClusterRecords(LinkageSettings settings) {
    this.settings = settings;
  }

  public record Result(Dataset<Row> clusters, Dataset<Row> refused, long components) {}

  /** Up to this many records, clustering runs on the driver ({@link #executeLocal}); GraphX above. */
  static final long LOCAL_RECORDS = 500_000;

  /**
   * Clusters {@code records} records' links where it is cheaper: on the driver up to {@link #LOCAL_RECORDS}
   * (GraphX's rounds of jobs cost seconds that a few links do not need), with GraphX above. Same guard, same result.
   */
  public Result execute(SparkSession spark, Dataset<Row> links, Dataset<Row> guard, Dataset<Row> cannot,
      long records) {
    return records <= LOCAL_RECORDS ? executeLocal(spark, links, guard, cannot) : execute(spark, links, guard, cannot);
  }

  /**
   * @param links (uid_l, uid_r, match_weight, must boolean)
   * @param guard (uid, ssn, sex) of every record
   * @param cannot (uid_l, uid_r) cannot-link pairs
   */
  public Result execute(SparkSession spark, Dataset<Row> links, Dataset<Row> guard, Dataset<Row> cannot) {
    ClassTag<Object> tag = ClassTag$.MODULE$.apply(Object.class);
    JavaRDD<Edge<Object>> edges = links.select("uid_l", "uid_r").javaRDD()
        .map(r -> new Edge<Object>(r.getLong(0), r.getLong(1), Boolean.TRUE));
    Graph<Object, Object> graph = Graph.fromEdges(edges.rdd(), (Object) 0L, StorageLevel.MEMORY_AND_DISK(),
        StorageLevel.MEMORY_AND_DISK(), tag, tag);
    Graph<Object, Object> cc = ConnectedComponents.run(graph, tag, tag);
    JavaRDD<Row> vertices = cc.vertices().toJavaRDD()
        .map(t -> RowFactory.create((Long) ((Tuple2<Object, Object>) t)._1(), (Long) ((Tuple2<Object, Object>) t)._2()));
    Dataset<Row> comp = spark.createDataFrame(vertices, new StructType()
        .add("uid", DataTypes.LongType).add("component", DataTypes.LongType))
        .localCheckpoint();
    long components = comp.select("component").distinct().count();

    Dataset<Row> members = comp.join(guard, "uid").groupBy("component")
        .agg(functions.collect_list(functions.struct(col("uid"), col("ssn"), col("sex"))).as("members"));
    Dataset<Row> compEdges = links.join(comp.withColumnRenamed("uid", "uid_l"), "uid_l").groupBy("component")
        .agg(functions.collect_list(functions.struct(col("uid_l"), col("uid_r"), col("match_weight"), col("must")))
            .as("edges"));
    Dataset<Row> compCannot = cannot.join(comp.withColumnRenamed("uid", "uid_l"), "uid_l").groupBy("component")
        .agg(functions.collect_list(functions.struct(col("uid_l"), col("uid_r"))).as("cannot"));
    Dataset<Row> work = members.join(compEdges, "component").join(compCannot, new String[] {"component"}, "left")
        .localCheckpoint();

    int ssnEdits = settings.ssnMaxEdits();
    boolean sexGuard = settings.sexGuard();
    Dataset<Row> clusters = work.flatMap(
        (org.apache.spark.api.java.function.FlatMapFunction<Row, Row>) r ->
            guardComponent(r, ssnEdits, sexGuard).clusters.iterator(), Encoders.row(CLUSTER_SCHEMA));
    Dataset<Row> refused = work.flatMap(
        (org.apache.spark.api.java.function.FlatMapFunction<Row, Row>) r ->
            guardComponent(r, ssnEdits, sexGuard).refused.iterator(), Encoders.row(REFUSED_SCHEMA));
    return new Result(clusters, refused, components);
  }

  /**
   * The same clustering on the driver, for the few records an incremental run re-clusters: components by
   * union-find over the links, then each component through the same guard. Spark's GraphX costs seconds of
   * fixed overhead per run that a few thousand links do not need.
   */
  public Result executeLocal(SparkSession spark, Dataset<Row> links, Dataset<Row> guard, Dataset<Row> cannot) {
    List<Row> linkRows = links.select("uid_l", "uid_r", "match_weight", "must").collectAsList();
    Map<Long, Long> parent = new HashMap<>();
    for (Row l : linkRows) {
      union(parent, l.getLong(0), l.getLong(1));
    }
    Map<Long, List<Row>> members = new HashMap<>();
    for (Row g : guard.select("uid", "ssn", "sex").collectAsList()) {
      if (parent.containsKey(g.getLong(0))) {
        members.computeIfAbsent(root(parent, g.getLong(0)), k -> new ArrayList<>()).add(g);
      }
    }
    Map<Long, List<Row>> edges = new HashMap<>();
    for (Row l : linkRows) {
      edges.computeIfAbsent(root(parent, l.getLong(0)), k -> new ArrayList<>()).add(l);
    }
    Map<Long, List<Row>> cannots = new HashMap<>();
    for (Row c : cannot.select("uid_l", "uid_r").collectAsList()) {
      if (parent.containsKey(c.getLong(0))) {
        cannots.computeIfAbsent(root(parent, c.getLong(0)), k -> new ArrayList<>()).add(c);
      }
    }
    StructType work = new StructType()
        .add("members", DataTypes.createArrayType(new StructType().add("uid", DataTypes.LongType)
            .add("ssn", DataTypes.StringType).add("sex", DataTypes.StringType)))
        .add("edges", DataTypes.createArrayType(new StructType().add("uid_l", DataTypes.LongType)
            .add("uid_r", DataTypes.LongType).add("match_weight", DataTypes.DoubleType).add("must", DataTypes.BooleanType)))
        .add("cannot", DataTypes.createArrayType(new StructType().add("uid_l", DataTypes.LongType)
            .add("uid_r", DataTypes.LongType)));
    List<Row> clusters = new ArrayList<>();
    List<Row> refused = new ArrayList<>();
    for (Map.Entry<Long, List<Row>> e : members.entrySet()) {
      List<Row> c = cannots.get(e.getKey());
      Row component = new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(new Object[] {
          seq(e.getValue()), seq(edges.getOrDefault(e.getKey(), List.of())), c == null ? null : seq(c)}, work);
      Guarded g = guardComponent(component, settings.ssnMaxEdits(), settings.sexGuard());
      clusters.addAll(g.clusters());
      refused.addAll(g.refused());
    }
    return new Result(spark.createDataFrame(clusters, CLUSTER_SCHEMA), spark.createDataFrame(refused, REFUSED_SCHEMA),
        members.size());
  }

  private static scala.collection.Seq<Row> seq(List<Row> rows) {
    return scala.collection.JavaConverters.asScalaBuffer(rows).toSeq();
  }

  private static void union(Map<Long, Long> parent, long a, long b) {
    parent.putIfAbsent(a, a);
    parent.putIfAbsent(b, b);
    long ra = root(parent, a);
    long rb = root(parent, b);
    if (ra != rb) {
      parent.put(Math.max(ra, rb), Math.min(ra, rb));
    }
  }

  private static long root(Map<Long, Long> parent, long x) {
    long r = x;
    while (parent.get(r) != r) {
      r = parent.get(r);
    }
    while (parent.get(x) != r) {
      long next = parent.get(x);
      parent.put(x, r);
      x = next;
    }
    return r;
  }

  private record Guarded(List<Row> clusters, List<Row> refused) {}

  private record Link(long l, long r, double weight, boolean must) {}

  private static Guarded guardComponent(Row row, int ssnEdits, boolean sexGuard) {
    List<Row> members = row.getList(row.fieldIndex("members"));
    List<Row> edgeRows = row.getList(row.fieldIndex("edges"));
    int ci = row.fieldIndex("cannot");
    List<Row> cannotRows = row.isNullAt(ci) ? List.of() : row.getList(ci);
    UnionFind uf = new UnionFind();
    for (Row m : members) {
      uf.add(m.getLong(0), m.isNullAt(1) ? null : m.getString(1), m.isNullAt(2) ? null : m.getString(2));
    }
    Map<Long, Set<Long>> cannot = new HashMap<>();
    for (Row c : cannotRows) {
      cannot.computeIfAbsent(c.getLong(0), k -> new HashSet<>()).add(c.getLong(1));
      cannot.computeIfAbsent(c.getLong(1), k -> new HashSet<>()).add(c.getLong(0));
    }
    List<Link> links = new ArrayList<>();
    for (Row e : edgeRows) {
      links.add(new Link(e.getLong(0), e.getLong(1), e.isNullAt(2) ? 0 : e.getDouble(2), !e.isNullAt(3) && e.getBoolean(3)));
    }
    Set<String> direct = new HashSet<>();
    for (Link l : links) {
      if (!l.must()) {
        direct.add(pairKey(l.l(), l.r()));
      }
    }
    links.sort(Comparator.comparing((Link l) -> !l.must()).thenComparing(Link::weight, Comparator.reverseOrder())
        .thenComparingLong(Link::l).thenComparingLong(Link::r));
    List<Row> refused = new ArrayList<>();
    for (Link l : links) {
      if (!uf.known(l.l()) || !uf.known(l.r())) {
        continue;
      }
      long a = uf.find(l.l());
      long b = uf.find(l.r());
      if (a == b) {
        continue;
      }
      String conflict = l.must() ? null : uf.conflict(a, b, ssnEdits, sexGuard, cannot, direct);
      if (conflict != null) {
        refused.add(RowFactory.create(l.l(), l.r(), conflict));
      } else {
        uf.union(a, b);
      }
    }
    List<Row> clusters = new ArrayList<>();
    for (Row m : members) {
      long uid = m.getLong(0);
      clusters.add(RowFactory.create(uid, uf.min(uf.find(uid))));
    }
    return new Guarded(clusters, refused);
  }

  static String pairKey(long x, long y) {
    return Math.min(x, y) + ":" + Math.max(x, y);
  }

  /** Union–find whose sets remember their members, SSNs and sexes. */
  static final class UnionFind implements Serializable {
    private final Map<Long, Long> parent = new HashMap<>();
    private final Map<Long, List<Long>> members = new HashMap<>();
    private final Map<Long, String> ssn = new HashMap<>();
    private final Map<Long, String> sex = new HashMap<>();

    void add(long uid, String ssnValue, String sexValue) {
      parent.put(uid, uid);
      members.put(uid, new ArrayList<>(List.of(uid)));
      ssn.put(uid, ssnValue);
      sex.put(uid, sexValue);
    }

    boolean known(long uid) {
      return parent.containsKey(uid);
    }

    long find(long x) {
      long p = parent.get(x);
      if (p != x) {
        p = find(p);
        parent.put(x, p);
      }
      return p;
    }

    long min(long root) {
      return members.get(root).stream().mapToLong(Long::longValue).min().orElse(root);
    }

    /**
     * Why sets a and b must not merge, or null. Two members with different SSNs (or sexes) may share a
     * cluster only when they are linked directly: the model has then weighed that disagreement itself;
     * the guard stops clusters chaining people together through third records.
     */
    String conflict(long a, long b, int ssnEdits, boolean sexGuard, Map<Long, Set<Long>> cannot, Set<String> direct) {
      List<Long> ma = members.get(a);
      List<Long> mb = members.get(b);
      for (long x : ma) {
        for (long y : mb) {
          if (direct.contains(pairKey(x, y))) {
            continue;
          }
          String sx = ssn.get(x);
          String sy = ssn.get(y);
          if (sx != null && sy != null && !sx.equals(sy) && !Comparators.partialIdentifier(sx, sy)
              && Comparators.damerauLevenshtein(sx, sy) > ssnEdits) {
            return "guard: different ssn";
          }
          String gx = sex.get(x);
          String gy = sex.get(y);
          if (sexGuard && gx != null && gy != null && !gx.equals(gy)) {
            return "guard: different sex";
          }
        }
      }
      if (!cannot.isEmpty()) {
        List<Long> small = ma.size() <= mb.size() ? ma : mb;
        long other = small == ma ? b : a;
        for (long m : small) {
          for (long c : cannot.getOrDefault(m, Set.of())) {
            if (known(c) && find(c) == other) {
              return "reviewer: cannot-link";
            }
          }
        }
      }
      return null;
    }

    void union(long a, long b) {
      long keep = members.get(a).size() >= members.get(b).size() ? a : b;
      long gone = keep == a ? b : a;
      parent.put(gone, keep);
      members.get(keep).addAll(members.remove(gone));
    }
  }
}
