package org.pophealth.lakehouse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes to different tables, side by side in one SparkSession: while one write's driver is busy (planning, the
 * Delta log, its commit) or its last tasks leave a core idle, another's tasks run. Each write must touch its own
 * tables only.
 */
public final class ParallelWrites {
  private ParallelWrites() {}

  /**
   * Runs {@code writes} on up to {@code threads} threads (started in list order) and returns when all are done.
   * A failure is rethrown as its write's own exception once the writes before it in the list have ended; writes
   * still running then are interrupted.
   */
  public static void run(int threads, String what, List<Runnable> writes) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, writes.size())), r -> {
      Thread t = new Thread(r, "pophealth-write-" + what);
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Runnable w : writes) {
        futures.add(pool.submit(w));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
