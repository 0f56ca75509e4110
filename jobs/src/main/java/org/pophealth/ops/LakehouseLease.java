package org.pophealth.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.pophealth.config.PopHealthConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per lakehouse: a lease file {@code <root>/_lease} created atomically (create-if-absent) by the
 * run that writes, renewed (its modification time) while the run lasts and deleted when it ends. A second
 * run is refused with {@link BusyException} ("another run holds the lakehouse since ..."), or waits up to
 * {@code lakehouse.lease.wait_seconds}. A lease whose holder no longer runs on this host, or that has not
 * been renewed for {@code stale_seconds} (a holder on another host that died), is taken over; the taker
 * then finds the dead run's open attempt ({@link JobAttempts#recover}).
 *
 * <p>The lease is re-entrant per thread: a pipeline holds it across its jobs, and each job's own
 * {@link #acquire} nests inside. Another thread of the same JVM (a second scheduler pipeline) waits or is
 * refused like another process.
 *
 * <p>Create-if-absent is atomic on local disks and HDFS; object stores without conditional create (older
 * S3A) give a best-effort lease.
 */
public final class LakehouseLease implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LakehouseLease.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FILE = "_lease";
  private static final Map<String, LakehouseLease> HELD = new HashMap<>();
  private static final ScheduledExecutorService RENEWER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "lakehouse-lease-renewer");
    t.setDaemon(true);
    return t;
  });

  /** Refused: another run holds the lakehouse. */
  public static final class BusyException extends IllegalStateException {
    private final Holder holder;

    BusyException(String message, Holder holder) {
      super(message);
      this.holder = holder;
    }

    public Holder holder() {
      return holder;
    }
  }

  /** Who holds a lease (no patient data: a job name, an account, a host, a process). */
  public record Holder(String id, String job, String user, String host, long pid, Instant since, Instant renewed) {
    /** One line for messages and {@code tables}/{@code runs}. */
    public String describe() {
      return job + " (user " + user + ", host " + host + ", pid " + pid + ") since " + since
          + ", renewed " + renewed;
    }
  }

  private final String root;
  private final FileSystem fs;
  private final Path file;
  private final Holder holder;
  private final Thread owner;
  private final ScheduledFuture<?> renewal;
  private final Holder replaced;
  private int depth = 1;

  private LakehouseLease(String root, FileSystem fs, Path file, Holder holder, Holder replaced, long renewSeconds) {
    this.root = root;
    this.fs = fs;
    this.file = file;
    this.holder = holder;
    this.replaced = replaced;
    this.owner = Thread.currentThread();
    this.renewal = RENEWER.scheduleAtFixedRate(this::renew, renewSeconds, renewSeconds, TimeUnit.SECONDS);
  }

  /**
   * Takes the lakehouse's lease for {@code job} (or nests in this thread's lease), waiting up to the
   * configured seconds for another holder.
   *
   * @throws BusyException when another run holds it after the wait
   */
  public static LakehouseLease acquire(String rootPath, Configuration hadoop, PopHealthConfig.Lease settings, String job) {
    String root = key(rootPath, hadoop);
    synchronized (HELD) {
      LakehouseLease mine = HELD.get(root);
      if (mine != null && mine.owner == Thread.currentThread()) {
        mine.depth++;
        return mine;
      }
    }
    Path file = new Path(root, FILE);
    FileSystem fs;
    try {
      fs = file.getFileSystem(hadoop);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach the lakehouse " + root, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(0, settings.waitSeconds()));
    long renew = Math.max(1, Math.min(30, settings.staleSeconds() / 4));
    Holder replaced = null;
    while (true) {
      synchronized (HELD) {
        if (!HELD.containsKey(root)) {
          Provenance p = Provenance.current();
          Instant now = Instant.now();
          Holder h = new Holder(UUID.randomUUID().toString(), job, p.user(), p.host(), p.pid(), now, now);
          if (tryCreate(fs, file, h)) {
            LakehouseLease lease = new LakehouseLease(root, fs, file, h, replaced, renew);
            HELD.put(root, lease);
            return lease;
          }
        }
      }
      Optional<Holder> other = read(fs, file);
      if (other.isPresent() && isDead(other.get(), settings) && !heldHere(root)) {
        LOG.warn("lakehouse lease of {} is stale: taking it over", other.get().describe());
        replaced = other.get();
        delete(fs, file);
        continue;
      }
      if (System.nanoTime() >= deadline) {
        Holder h = other.orElse(null);
        throw new BusyException("another run holds the lakehouse since "
            + (h == null ? "a moment ago" : h.since() + ": " + h.job() + " (user " + h.user() + ", host " + h.host()
                + ", pid " + h.pid() + ")")
            + "; try again when it ends" + (settings.waitSeconds() > 0 ? " (waited " + settings.waitSeconds() + " s)"
                : " (or set lakehouse.lease.wait_seconds to wait)"), h);
      }
      sleep(Math.min(2000, Math.max(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
    }
  }

  /** One spelling per lakehouse: the fully qualified root without a trailing slash. */
  private static String key(String root, Configuration hadoop) {
    try {
      Path p = new Path(root);
      FileSystem fs = p.getFileSystem(hadoop);
      String q = fs.makeQualified(p).toString();
      return q.endsWith("/") && q.length() > 1 ? q.substring(0, q.length() - 1) : q;
    } catch (IOException e) {
      return root;
    }
  }

  /** The current holder of a lakehouse's lease, if any (for {@code tables} and {@code runs}). */
  public static Optional<Holder> current(String root, Configuration hadoop) {
    Path file = new Path(root, FILE);
    try {
      return read(file.getFileSystem(hadoop), file);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** This lease's holder. */
  public Holder holder() {
    return holder;
  }

  /** The dead run's lease this one took over, if any. */
  public Optional<Holder> replaced() {
    return Optional.ofNullable(replaced);
  }

  /** Whether this is the outermost acquisition (the one that created the lease file). */
  public boolean outermost() {
    synchronized (HELD) {
      return depth == 1;
    }
  }

  @Override
  public void close() {
    synchronized (HELD) {
      if (--depth > 0) {
        return;
      }
      HELD.remove(root);
    }
    renewal.cancel(false);
    delete(fs, file);
  }

  private void renew() {
    try {
      fs.setTimes(file, System.currentTimeMillis(), -1);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not renew the lakehouse lease: {}", e.getClass().getSimpleName());
    }
  }

  private static boolean heldHere(String root) {
    synchronized (HELD) {
      return HELD.containsKey(root);
    }
  }

  private static boolean tryCreate(FileSystem fs, Path file, Holder h) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", h.id()).put("job", h.job()).put("user", h.user()).put("host", h.host()).put("pid", h.pid())
        .put("since", h.since().toString());
    try {
      byte[] bytes = JSON.writeValueAsBytes(n);
      if ("file".equals(fs.getScheme())) {
        // O_EXCL: atomic on a local disk (Hadoop's local create checks, then opens)
        java.nio.file.Path local = java.nio.file.Path.of(file.toUri());
        java.nio.file.Files.createDirectories(local.getParent());
        java.nio.file.Path tmp = local.resolveSibling("._lease." + h.id());
        java.nio.file.Files.write(tmp, bytes);
        try {
          java.nio.file.Files.createLink(local, tmp);
        } catch (java.nio.file.FileAlreadyExistsException e) {
          return false;
        } finally {
          java.nio.file.Files.deleteIfExists(tmp);
        }
        return true;
      }
      try (OutputStream out = fs.create(file, false)) {
        out.write(bytes);
      }
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      try {
        if (fs.exists(file)) {
          return false;
        }
      } catch (IOException ignored) {
        // fall through to the error
      }
      throw new UncheckedIOException("cannot write into the lakehouse " + file.getParent() + " (its lease file): "
          + e.getClass().getSimpleName() + " " + e.getMessage(), e);
    }
  }

  private static Optional<Holder> read(FileSystem fs, Path file) {
    for (int attempt = 0; attempt < 5; attempt++) {
      try (InputStream in = fs.open(file)) {
        byte[] bytes = in.readAllBytes();
        long renewed = fs.getFileStatus(file).getModificationTime();
        if (bytes.length == 0) {
          sleep(100); // being written
          continue;
        }
        JsonNode n = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
        return Optional.of(new Holder(n.path("id").asText(), n.path("job").asText(), n.path("user").asText(),
            n.path("host").asText(), n.path("pid").asLong(), Instant.parse(n.path("since").asText()),
            Instant.ofEpochMilli(renewed)));
      } catch (java.io.FileNotFoundException e) {
        return Optional.empty();
      } catch (IOException | RuntimeException e) {
        sleep(100);
      }
    }
    // unreadable for half a second: treat as held by someone unknown, renewed now
    Instant now = Instant.now();
    return Optional.of(new Holder("?", "unknown", "unknown", "unknown", -1, now, now));
  }

  /** A holder that no longer runs on this host, or that stopped renewing for {@code stale_seconds}. */
  static boolean isDead(Holder h, PopHealthConfig.Lease settings) {
    if (h.pid() > 0 && h.host().equals(Provenance.current().host())) {
      return ProcessHandle.of(h.pid()).map(p -> !p.isAlive()).orElse(true);
    }
    return Duration.between(h.renewed(), Instant.now()).getSeconds() > settings.staleSeconds();
  }

  private static void delete(FileSystem fs, Path file) {
    try {
      fs.delete(file, false);
    } catch (IOException e) {
      LOG.warn("could not delete the lakehouse lease: {}", e.getClass().getSimpleName());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the lakehouse lease", e);
    }
  }
}
