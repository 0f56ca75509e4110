package org.pophealth.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A minimal FHIR Bulk Data server on 127.0.0.1 for {@code bench bulk}: serves the {@code *.ndjson}
 * files of one directory through the async pattern (kick-off 202, one in-progress poll with
 * {@code X-Progress}, then the manifest with per-file counts), streaming each file from disk.
 * Only what the benchmark needs; the test suite has its own misbehaving server.
 */
public final class LocalBulkServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final HttpServer server;
  private final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
  private final AtomicInteger jobs = new AtomicInteger();
  private volatile List<Path> files;
  private volatile List<Long> counts;

  public LocalBulkServer(Path directory, int threads) throws IOException {
    this.directory = directory.toAbsolutePath().normalize();
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(Math.max(2, threads)));
    server.createContext("/", this::handle);
    server.start();
  }

  /** The FHIR base URL to export from. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/fhir";
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (path.equals("/fhir/$export")) {
        String id = "job-" + jobs.incrementAndGet();
        polls.put(id, new AtomicInteger());
        ex.getResponseHeaders().add("Content-Location", baseUrl() + "/status/" + id);
        ex.sendResponseHeaders(202, -1);
      } else if (path.startsWith("/fhir/status/")) {
        AtomicInteger n = polls.get(path.substring("/fhir/status/".length()));
        if (n == null) {
          ex.sendResponseHeaders(404, -1);
        } else if (n.getAndIncrement() == 0) {
          scan();
          ex.getResponseHeaders().add("X-Progress", "files listed");
          ex.getResponseHeaders().add("Retry-After", "0");
          ex.sendResponseHeaders(202, -1);
        } else {
          send(ex, JSON.writeValueAsBytes(manifest()));
        }
      } else if (path.startsWith("/fhir/files/")) {
        Path f = directory.resolve(path.substring("/fhir/files/".length())).normalize();
        if (!f.startsWith(directory) || !Files.isRegularFile(f)) {
          ex.sendResponseHeaders(404, -1);
          return;
        }
        ex.getResponseHeaders().add("Content-Type", "application/fhir+ndjson");
        ex.sendResponseHeaders(200, Files.size(f));
        try (InputStream in = Files.newInputStream(f); OutputStream out = ex.getResponseBody()) {
          in.transferTo(out);
        }
      } else {
        ex.sendResponseHeaders(404, -1);
      }
    }
  }

  private static void send(HttpExchange ex, byte[] body) throws IOException {
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private synchronized void scan() throws IOException {
    if (files != null) {
      return;
    }
    List<Path> fs;
    try (Stream<Path> s = Files.list(directory)) {
      fs = s.filter(p -> p.getFileName().toString().endsWith(".ndjson")).sorted().toList();
    }
    List<Long> cs = new ArrayList<>();
    for (Path f : fs) {
      long lines = 0;
      try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          if (!line.isBlank()) {
            lines++;
          }
        }
      }
      cs.add(lines);
    }
    files = fs;
    counts = cs;
  }

  private ObjectNode manifest() {
    ObjectNode m = JSON.createObjectNode();
    m.put("transactionTime", "2026-01-01T00:00:00Z");
    m.put("request", baseUrl() + "/$export");
    m.put("requiresAccessToken", false);
    ArrayNode out = m.putArray("output");
    for (int i = 0; i < files.size(); i++) {
      String name = files.get(i).getFileName().toString();
      out.addObject().put("type", name.substring(0, name.indexOf('.')))
          .put("url", baseUrl() + "/files/" + name).put("count", counts.get(i));
    }
    m.putArray("error");
    return m;
  }
}
