package org.pophealth.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * The audit trail of job attempts ({@code ops.job_attempt}): {@link #open} records an attempt at its start
 * (a marker file {@code <root>/_audit/open/<id>.json}, no Delta commit), {@link Attempt#close} appends its
 * row and removes the marker. A marker left by a killed run is found by the next run that takes the lease
 * ({@link #recover}): the tables the dead attempt moved are restored to the versions it started from
 * (Delta RESTORE) and the attempt is appended as {@code killed}. A failed attempt is rolled back the same
 * way ({@link #rollBack}). The audit tables themselves are never rolled back.
 */
public final class JobAttempts {
  private static final Logger LOG = LoggerFactory.getLogger(JobAttempts.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String TABLE = "ops.job_attempt";
  /** Append-only logs: not versions a job "read", never restored. */
  public static final Set<String> AUDIT_TABLES = Set.of(TABLE, "ops.job_run", "ops.sql_query", "ops.alert",
      "ops.freshness_check");
  private static final String OPEN = "_audit/open";

  private JobAttempts() {}

  /** What is known when an attempt starts. */
  public record Start(String attemptId, String job, String command, String runId, Instant startedAt,
      Provenance who, String configHash, SortedMap<String, Long> versionsRead) {}

  /** How an attempt ended. */
  public record End(String status, Integer exitCode, List<InputFiles.InputFile> inputFiles,
      Map<String, Long> versionsWritten, Map<String, Long> rolledBack, String error) {}

  /** An open attempt: its marker is written; {@link #close} appends its row. */
  public static final class Attempt {
    private final Lakehouse lakehouse;
    private final Start start;

    private Attempt(Lakehouse lakehouse, Start start) {
      this.lakehouse = lakehouse;
      this.start = start;
    }

    public Start start() {
      return start;
    }

    /** Appends the attempt's row and removes its marker. */
    public void close(End end) {
      append(lakehouse, start, end, Instant.now());
      delete(lakehouse, marker(lakehouse, start.attemptId()));
    }
  }

  /** A new attempt's start (versions of every table but the audit logs). */
  public static Start start(Lakehouse lakehouse, String job, String command, String runId, String configHash) {
    return new Start(UUID.randomUUID().toString(), job, command, runId, Instant.now(), Provenance.current(),
        configHash, versions(lakehouse));
  }

  /** Writes the attempt's open marker (call while holding the lease). */
  public static Attempt open(Lakehouse lakehouse, Start start) {
    ObjectNode n = JSON.createObjectNode();
    n.put("attempt_id", start.attemptId()).put("job", start.job()).put("command", start.command())
        .put("run_id", start.runId()).put("started_at", start.startedAt().toString())
        .put("config_hash", start.configHash()).put("os_user", start.who().user()).put("host", start.who().host())
        .put("pid", start.who().pid()).put("product_version", start.who().version())
        .put("git_commit", start.who().gitCommit());
    ObjectNode v = n.putObject("versions_read");
    start.versionsRead().forEach(v::put);
    Path p = marker(lakehouse, start.attemptId());
    try (OutputStream out = fs(lakehouse, p).create(p, true)) {
      out.write(JSON.writeValueAsBytes(n));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the job's start under " + p.getParent(), e);
    }
    return new Attempt(lakehouse, start);
  }

  /** Records an attempt refused before it could start (no marker). */
  public static void refused(Lakehouse lakehouse, Start start, String reason) {
    append(lakehouse, start, new End("refused", 75, List.of(), Map.of(), Map.of(), reason), Instant.now());
  }

  /** Attempts still open: running now (with the lease), or killed. */
  public static List<Start> openAttempts(Lakehouse lakehouse) {
    Path dir = new Path(lakehouse.root(), OPEN);
    List<Start> out = new ArrayList<>();
    try {
      FileSystem fs = fs(lakehouse, dir);
      if (!fs.exists(dir)) {
        return out;
      }
      for (FileStatus st : fs.listStatus(dir)) {
        String name = st.getPath().getName();
        if (!name.endsWith(".json") || name.startsWith(".")) {
          continue;
        }
        try (InputStream in = fs.open(st.getPath())) {
          out.add(parse(JSON.readTree(in)));
        } catch (IOException | RuntimeException e) {
          LOG.warn("unreadable open-attempt marker {}: {}", name, e.getClass().getSimpleName());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    out.sort((a, b) -> a.startedAt().compareTo(b.startedAt()));
    return out;
  }

  /**
   * Closes the attempts a killed run left open: restores the tables each moved and appends it as
   * {@code killed}. Call only while holding the lakehouse's lease (so no open attempt is alive) and before
   * writing anything. Returns the attempts recovered.
   */
  public static List<Start> recover(Lakehouse lakehouse, Set<String> runningHere) {
    List<Start> recovered = new ArrayList<>();
    for (Start s : openAttempts(lakehouse)) {
      if (runningHere.contains(s.attemptId())) {
        continue;
      }
      Map<String, Long> now = versions(lakehouse);
      Map<String, Long> moved = moved(s.versionsRead(), now);
      Map<String, Long> restored = rollBack(lakehouse, s.versionsRead(), now);
      LOG.warn("job {} (attempt {}, pid {} on {}) did not finish: {} tables restored", s.job(), s.attemptId(),
          s.who().pid(), s.who().host(), restored.size());
      append(lakehouse, s, new End("killed", null, List.of(), moved, restored,
          "did not finish (process ended without closing the attempt); found by a later run"), Instant.now());
      delete(lakehouse, marker(lakehouse, s.attemptId()));
      recovered.add(s);
    }
    return recovered;
  }

  /** Every lakehouse table's version but the audit logs'. */
  public static SortedMap<String, Long> versions(Lakehouse lakehouse) {
    SortedMap<String, Long> v = lakehouse.versions();
    AUDIT_TABLES.forEach(v::remove);
    return v;
  }

  /** Tables whose version moved from {@code before} to {@code after}, with the new version. */
  public static Map<String, Long> moved(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> out = new TreeMap<>();
    after.forEach((t, v) -> {
      if (!AUDIT_TABLES.contains(t) && v > before.getOrDefault(t, -1L)) {
        out.put(t, v);
      }
    });
    return out;
  }

  /**
   * Restores every table that moved since {@code before} to its version then (a table created since: to
   * its empty first version). Returns the tables restored with the version restored to.
   */
  public static Map<String, Long> rollBack(Lakehouse lakehouse, Map<String, Long> before, Map<String, Long> now) {
    Map<String, Long> restored = new TreeMap<>();
    for (Map.Entry<String, Long> e : moved(before, now).entrySet()) {
      long to = Math.max(0, before.getOrDefault(e.getKey(), -1L));
      if (to >= e.getValue()) {
        continue; // created empty and never written: nothing to undo
      }
      try {
        lakehouse.delta(e.getKey()).restoreToVersion(to);
        restored.put(e.getKey(), to);
      } catch (RuntimeException ex) {
        LOG.error("could not restore {} to version {}: {}", e.getKey(), to, org.pophealth.io.Messages.firstLine(ex.getMessage()));
      }
    }
    return restored;
  }

  private static void append(Lakehouse lakehouse, Start s, End e, Instant ended) {
    List<Row> files = new ArrayList<>();
    for (InputFiles.InputFile f : e.inputFiles()) {
      files.add(RowFactory.create(f.path(), f.bytes(), f.sha256()));
    }
    Row row = RowFactory.create(s.attemptId(), s.job(), s.command(), s.runId(), e.status(), e.exitCode(),
        Timestamp.from(s.startedAt()), Timestamp.from(ended), s.who().user(), s.who().host(), s.who().pid(),
        s.who().version(), s.who().gitCommit(), s.configHash(), JavaConverters.asScalaBuffer(files).toList(),
        JavaConverters.mapAsScalaMap(new TreeMap<>(s.versionsRead())),
        JavaConverters.mapAsScalaMap(new TreeMap<>(e.versionsWritten())),
        JavaConverters.mapAsScalaMap(new TreeMap<>(e.rolledBack())), e.error());
    lakehouse.append(TABLE, lakehouse.spark().createDataFrame(List.of(row), lakehouse.contract(TABLE).schema()));
  }

  private static Start parse(JsonNode n) {
    SortedMap<String, Long> v = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("versions_read").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      v.put(e.getKey(), e.getValue().asLong());
    }
    return new Start(n.path("attempt_id").asText(), n.path("job").asText(), n.path("command").asText(),
        n.path("run_id").isNull() || n.path("run_id").isMissingNode() ? null : n.path("run_id").asText(),
        Instant.parse(n.path("started_at").asText()),
        new Provenance(n.path("os_user").asText(), n.path("host").asText(), n.path("pid").asLong(),
            n.path("product_version").asText(), n.path("git_commit").asText()),
        n.path("config_hash").asText(), v);
  }

  private static Path marker(Lakehouse lakehouse, String id) {
    return new Path(new Path(lakehouse.root(), OPEN), id + ".json");
  }

  private static FileSystem fs(Lakehouse lakehouse, Path p) throws IOException {
    return p.getFileSystem(lakehouse.spark().sparkContext().hadoopConfiguration());
  }

  private static void delete(Lakehouse lakehouse, Path p) {
    try {
      fs(lakehouse, p).delete(p, false);
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}", p.getName(), e.getClass().getSimpleName());
    }
  }
}
