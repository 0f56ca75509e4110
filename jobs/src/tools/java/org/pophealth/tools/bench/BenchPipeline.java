package org.pophealth.tools.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.tools.demo.DemoPipeline;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.schedule.RunPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench pipeline}: every job of the demo's pipeline ({@code demo.jobs}: ingest-fhir, ingest-claims,
 * resolve-identity, score-risk, detect-duplicate-tests, evaluate-measures, build-cohorts, publish) on one
 * population, in a scratch lakehouse (a local folder), run by the pipeline runner like the demo, timing each job, sampling the JVM's peak heap and resident memory during it, and
 * counting the rows of every table the stage committed to (counted after the stage's clock stops). The
 * demo payer's claims files are generated before the clock starts (test data, like the population).
 * The stages' own summaries go to {@code <scratch>/bench-pipeline.log}.
 */
public final class BenchPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(BenchPipeline.class);

  private final Lakehouse scratch;
  private final PopHealthConfig config;
  private final Path export;
  private final RunPipeline.Launcher launcher;

  /** @param launcher runs one pophealth command line against {@code scratch} */
  public BenchPipeline(Lakehouse scratch, PopHealthConfig config, Path export, RunPipeline.Launcher launcher) {
    this.scratch = scratch;
    this.config = config;
    this.export = export;
    this.launcher = launcher;
  }

  /** One stage: wall seconds, peak heap and resident set sampled every 200 ms, rows of each table it wrote. */
  public record Stage(String name, double seconds, long peakHeapMb, long peakRssMb, Map<String, Long> rows) {}

  public record Result(Path export, long inputResources, long inputBytes, List<Stage> stages, Path log) {
    public double seconds() {
      return stages.stream().mapToDouble(Stage::seconds).sum();
    }
  }

  public Result execute() throws Exception {
    long[] input = inputSize(export);
    Path log = Path.of(scratch.root()).getParent().resolve("bench-pipeline.log");
    List<Stage> stages = new ArrayList<>();
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
      // test data, not pipeline work: the demo payer's claims files are generated (or reused) before the clock
      Map<String, String> variables = DemoPipeline.prepare(config, export, out);
      MemorySampler[] sampler = new MemorySampler[1];
      long[] t0 = new long[1];
      RunPipeline runner = new RunPipeline(scratch, config.scheduler(), launcher).output(out)
          .listener(new RunPipeline.Listener() {
            @Override
            public void started(String job) {
              sampler[0] = new MemorySampler();
              sampler[0].start();
              t0[0] = System.nanoTime();
            }

            @Override
            public void finished(String job, RunPipeline.JobResult result, Map<String, Long> written) {
              double seconds = (System.nanoTime() - t0[0]) / 1e9;
              try {
                sampler[0].finish();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Map<String, Long> rows = new TreeMap<>();
              for (String table : written.keySet()) {
                rows.put(table, scratch.read(table).count());
              }
              LOG.info("bench pipeline: job {} took {} s, {} tables written", job, String.format("%.1f", seconds),
                  rows.size());
              stages.add(new Stage(job, seconds, sampler[0].heapPeak.get() >> 20, sampler[0].rssPeak.get() >> 10,
                  rows));
            }
          });
      RunPipeline.Result run = DemoPipeline.run(runner, config, variables);
      if (!run.succeeded()) {
        throw new IllegalStateException("bench pipeline: " + run.jobs().stream()
            .filter(j -> !j.status().equals(RunPipeline.SUCCEEDED)).findFirst().map(j -> j.job() + " " + j.status()
                + (j.error() == null ? "" : ": " + j.error())).orElse("failed") + " (log: " + log + ")");
      }
    }
    return new Result(export, input[0], input[1], List.copyOf(stages), log);
  }

  /** Lines and bytes of the export's NDJSON files. */
  static long[] inputSize(Path dir) throws IOException {
    long lines = 0;
    long bytes = 0;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".ndjson")).toList()) {
        bytes += Files.size(f);
        try (Stream<String> l = Files.lines(f, StandardCharsets.UTF_8)) {
          lines += l.count();
        }
      }
    }
    return new long[] {lines, bytes};
  }

  /** Samples heap used (bytes) and the process's resident set (kB, /proc/self/status) until finished. */
  private static final class MemorySampler extends Thread {
    final AtomicLong heapPeak = new AtomicLong();
    final AtomicLong rssPeak = new AtomicLong();
    private volatile boolean done;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    MemorySampler() {
      super("bench-memory-sampler");
      setDaemon(true);
    }

    @Override
    public void run() {
      while (!done) {
        sample();
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void finish() throws InterruptedException {
      done = true;
      interrupt();
      join();
      sample();
    }

    private void sample() {
      heapPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
      rssPeak.accumulateAndGet(rssKb(), Math::max);
    }

    private static long rssKb() {
      try {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (l.startsWith("VmRSS:")) {
            return Long.parseLong(l.replaceAll("\\D+", ""));
          }
        }
      } catch (IOException | NumberFormatException e) {
        return 0;
      }
      return 0;
    }
  }
}
