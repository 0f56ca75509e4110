package org.pophealth.ingest.fhir.bulk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A second origin on 127.0.0.1 (its own port): a file host serving the {@code /bulk} fixtures at
 * {@code .../files/<job>/<fixture>}, as a server's separate file store or a redirect target would.
 * Records the {@code Authorization} header of every request (null when absent).
 */
final class FakeFileHost implements AutoCloseable {
  /** One request as received. */
  record Seen(String path, String authorization) {}

  /** Non-null: answer 401 unless the request carries {@code Bearer <requiredToken>}. */
  volatile String requiredToken;

  final List<Seen> requests = Collections.synchronizedList(new ArrayList<>());
  private final HttpServer server;

  FakeFileHost() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext("/", this::handle);
    server.start();
  }

  /** The origin, e.g. {@code http://127.0.0.1:41234}. */
  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The Authorization headers received, in order (null for a request without one). */
  List<String> authorizations() {
    synchronized (requests) {
      return requests.stream().map(Seen::authorization).toList();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    requests.add(new Seen(path, auth));
    int files = path.indexOf("/files/");
    int job = files < 0 ? -1 : path.indexOf('/', files + "/files/".length());
    String fixture = job < 0 ? null : path.substring(job + 1);
    if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
      send(ex, 401, FakeBulkServer.outcome("login", "no valid token"));
      return;
    }
    if (fixture == null || FakeFileHost.class.getResource("/bulk/" + fixture) == null) {
      send(ex, 404, FakeBulkServer.outcome("not-found", "no such file"));
      return;
    }
    send(ex, 200, String.join("\n", FakeBulkServer.fixtureLines(fixture)) + "\n");
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", status == 200 ? "application/fhir+ndjson" : "application/fhir+json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
    ex.close();
  }
}
