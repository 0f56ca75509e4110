package org.pophealth.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone master and workers on 127.0.0.1, child JVMs started from the Spark jars on this
 * JVM's classpath (no Spark distribution). Workers launch executors through Spark's launcher, which
 * needs a SPARK_HOME with a {@code jars/} folder (left empty: the driver ships the classpath).
 */
final class LocalStandaloneCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private int port;
  private int webUi;

  LocalStandaloneCluster(Path dir) {
    this.dir = dir;
  }

  /** The JVM flags Spark needs on Java 17, as this (surefire) JVM was given them. */
  static List<String> javaOpens() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("-XX:+IgnoreUnrecognized")
            || a.startsWith("-Djdk.reflect"))
        .toList();
  }

  /** {@code java <opens> <jvmArgs> -cp <this classpath> mainClass args}, output to {@code log}. */
  Process startJava(String name, List<String> jvmArgs, String mainClass, List<String> args, Path workDir)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(javaOpens());
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(args);
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", dir.resolve("spark-home").toString());
    env.put("SPARK_SCALA_VERSION", "2.12");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    processes.add(p);
    logs.add(log);
    return p;
  }

  /** Starts the master and {@code workers} workers (1 core, 1536m each); returns when all are ALIVE. */
  String start(int workers, Duration timeout) throws Exception {
    Files.createDirectories(dir.resolve("spark-home/jars"));
    port = freePort();
    webUi = freePort();
    startJava("master", List.of("-Xmx512m"), "org.apache.spark.deploy.master.Master",
        List.of("--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", Integer.toString(webUi)), dir);
    for (int i = 1; i <= workers; i++) {
      Path work = Files.createDirectories(dir.resolve("work-" + i));
      startJava("worker-" + i, List.of("-Xmx512m"), "org.apache.spark.deploy.worker.Worker",
          List.of(masterUrl(), "--host", "127.0.0.1", "--cores", "1", "--memory", "1536m",
              "--webui-port", Integer.toString(freePort()), "--work-dir", work.toString()), dir);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    int alive = 0;
    while (System.nanoTime() < deadline) {
      alive = aliveWorkers(http);
      if (alive >= workers) {
        return masterUrl();
      }
      if (processes.stream().anyMatch(p -> !p.isAlive())) {
        break;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("standalone cluster not ready: " + alive + " of " + workers
        + " workers ALIVE after " + timeout.toSeconds() + " s (or a daemon exited)\n" + logTails(30));
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + port;
  }

  private int aliveWorkers(HttpClient http) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webUi + "/json/"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      int n = 0;
      for (JsonNode w : JSON.readTree(r.body()).path("workers")) {
        if ("ALIVE".equals(w.path("state").asText())) {
          n++;
        }
      }
      return n;
    } catch (IOException e) {
      return 0; // master UI not up yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** The last lines of every child's log, for failure messages. */
  String logTails(int lines) {
    StringBuilder sb = new StringBuilder();
    for (Path log : logs) {
      sb.append("---- ").append(log).append('\n');
      try {
        List<String> all = Files.readAllLines(log);
        all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> sb.append(l).append('\n'));
      } catch (IOException e) {
        sb.append("(unreadable: ").append(e.getMessage()).append(")\n");
      }
    }
    // executors log under the workers' work dirs
    try (var files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
        List<String> all = Files.readAllLines(f);
        sb.append("---- ").append(f).append('\n');
        all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> sb.append(l).append('\n'));
      }
    } catch (IOException e) {
      sb.append("(executor logs unreadable: ").append(e.getMessage()).append(")\n");
    }
    return sb.toString();
  }

  @Override
  public void close() throws InterruptedException {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.descendants().forEach(ProcessHandle::destroyForcibly); // executors the workers launched
      p.destroyForcibly();
    }
    for (Process p : processes) {
      p.waitFor(30, TimeUnit.SECONDS);
    }
    processes.clear();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
