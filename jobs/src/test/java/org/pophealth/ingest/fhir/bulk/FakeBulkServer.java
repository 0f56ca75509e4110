package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.Signature;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/**
 * A FHIR Bulk Data server on 127.0.0.1 serving the NDJSON fixtures under {@code /bulk} through the
 * async pattern, misbehaving on demand (flags below). Records every request.
 */
final class FakeBulkServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as received. */
  record Seen(String method, String path, Map<String, List<String>> query, String accept, String prefer,
      String authorization, String body) {}

  // ---- misbehaviour switches
  volatile int pollsBeforeDone = 2;
  volatile String retryAfter = "0";
  volatile boolean retryAfterHttpDate;
  volatile int throttlePolls;          // this many 429s before the first 202
  volatile int transient500Polls;      // this many 500s (transient OperationOutcome) on status
  volatile int transientKickOffs;      // this many 503s with a transient OperationOutcome on kick-off
  volatile String kickOffError;        // non-null: kick-off answers 400 with this diagnostics
  volatile boolean expired;            // status answers 404 "job expired"
  volatile boolean truncatePatients;   // Patient file has one line fewer than its count
  volatile boolean errorFile;
  volatile boolean gzip;
  volatile boolean hapi;               // Prefer required, Retry-After 120, ISO-8859-1 manifest, Binary files
  volatile boolean requiresAccessToken;
  volatile boolean requireToken;       // everything but discovery/token needs a valid bearer token
  volatile int unauthorizedFileOnce;   // this many 401s on the first file download (token expiry)
  volatile String failFileOnce;        // file name (fixture path) answering 404 once
  volatile String transactionTime = "2025-03-01T10:00:00Z";
  volatile String fileHost;            // non-null: manifest file urls point at this base (another origin)
  volatile String redirectFilesTo;     // non-null: file requests answer 302 to this base + the same path
  volatile boolean redirectFilesToSelf; // file requests answer 302 to themselves (a redirect loop)
  volatile String statusHost;          // non-null: kick-off's Content-Location points at this base
  volatile String emptyUrlType;        // this type's manifest entry has an empty url
  volatile Long patientCount;          // non-null: the manifest's count for the Patient file
  volatile boolean postUnsupported;    // POST kick-off answers 405 (GET only)
  volatile boolean postUnsupported400; // POST kick-off answers 400 not-supported
  volatile List<String> groupMembers = List.of(); // GET Group/<id>: these Patient ids (group exports: theirs only)
  volatile List<String> inactiveMembers = List.of(); // listed in the Group with inactive: true
  volatile int manifestPageSize;       // > 0: the manifest is paged (link next), this many files per page
  volatile boolean pageNotReadyOnce = true; // each further page answers 202 once before it is ready
  volatile boolean outcomeKey;         // STU4: error files listed under `outcome`
  volatile boolean mixedOutcomes;      // the error file is outcomes.ndjson (2 informational, 1 error)
  volatile boolean deleteFails;        // DELETE on a status URL answers 500
  volatile boolean noChanges;          // exports with _since list no file at all
  /**
   * Non-null: serve this folder instead of the fixtures: {@code <Type>.ndjson} per type (all of them without
   * {@code _type}), each line kept when its {@code meta.lastUpdated} is after {@code _since} and not after
   * {@code _until}, and for group and patient exports when it belongs to a member; {@code OperationOutcome.ndjson}
   * is the error file.
   */
  volatile Path dataDir;
  volatile PublicKey clientKey;
  volatile String clientAlg;
  volatile String clientId = "test-client";
  volatile int searchPageSize;         // > 0: search Bundles hold at most this many entries, then a next link

  final List<Seen> requests = Collections.synchronizedList(new ArrayList<>());
  /** The parameters of every accepted kick-off, from the query or the Parameters body, in order. */
  final List<Map<String, List<String>>> kickOffParams = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger kickOffs = new AtomicInteger();
  final AtomicInteger deletes = new AtomicInteger();
  final AtomicInteger tokensIssued = new AtomicInteger();
  final Map<String, AtomicInteger> fileDownloads = new ConcurrentHashMap<>();
  final List<String> assertionErrors = Collections.synchronizedList(new ArrayList<>());

  private final HttpServer server;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final Map<String, String> binaries = new ConcurrentHashMap<>();
  private final Map<String, List<String>> generated = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile String currentToken;

  private static final class Job {
    final Map<String, List<String>> params;
    final boolean patientLevel;
    final List<String> members; // null: every patient
    final AtomicInteger polls = new AtomicInteger();
    final Map<Integer, AtomicInteger> pagePolls = new ConcurrentHashMap<>();

    Job(Map<String, List<String>> params, boolean patientLevel, List<String> members) {
      this.params = params;
      this.patientLevel = patientLevel;
      this.members = members;
    }
  }

  FakeBulkServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", this::handle);
    server.start();
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/fhir";
  }

  @Override
  public void close() {
    server.stop(0);
  }

  List<Seen> requests(String method, String pathPrefix) {
    synchronized (requests) {
      return requests.stream().filter(s -> s.method().equals(method) && s.path().startsWith(pathPrefix)).toList();
    }
  }

  static List<String> fixtureLines(String name) throws IOException {
    try (var in = FakeBulkServer.class.getResourceAsStream("/bulk/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getPath();
      Map<String, List<String>> query = parseQuery(ex.getRequestURI().getRawQuery());
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(new Seen(ex.getRequestMethod(), path, query, ex.getRequestHeaders().getFirst("Accept"),
          ex.getRequestHeaders().getFirst("Prefer"), ex.getRequestHeaders().getFirst("Authorization"), body));
      if (path.equals("/fhir/.well-known/smart-configuration")) {
        send(ex, 200, "application/json", "{\"token_endpoint\":\"" + base() + "/auth/token\"}");
        return;
      }
      if (path.equals("/fhir/auth/token")) {
        token(ex, body);
        return;
      }
      if (requireToken && !path.startsWith("/fhir/files/") && !path.startsWith("/fhir/Binary/")
          || requireToken && requiresAccessToken) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || currentToken == null || !auth.equals("Bearer " + currentToken)) {
          send(ex, 401, "application/fhir+json", outcome("login", "invalid or expired token"));
          return;
        }
      }
      if (path.endsWith("/$export")) {
        kickOff(ex, path, query, body);
      } else if (path.startsWith("/fhir/Group/")) {
        group(ex, path.substring("/fhir/Group/".length()));
      } else if (path.startsWith("/fhir/status/")) {
        status(ex, path.substring("/fhir/status/".length()), query);
      } else if (path.startsWith("/fhir/files/") || path.startsWith("/fhir/Binary/")) {
        file(ex, path);
      } else if (path.matches("/fhir/[A-Z][A-Za-z]+") && query.containsKey("_id")) {
        search(ex, path.substring("/fhir/".length()), query);
      } else {
        send(ex, 404, "application/fhir+json", outcome("not-found", "no such endpoint"));
      }
    } catch (Exception e) {
      if (clientHungUp(e)) {
        // the client closed the connection mid-response (a run that failed or was killed stops its other
        // downloads): what a real server sees too, not a fault of the server or a bad request
        return;
      }
      assertionErrors.add("server error: " + e);
      send(ex, 500, "text/plain", "fake server failed");
    }
  }

  private static boolean clientHungUp(Exception e) {
    String m = e.getMessage();
    return e instanceof IOException && m != null
        && (m.contains("Broken pipe") || m.contains("Connection reset") || m.contains("stream is closed"));
  }

  private void kickOff(HttpExchange ex, String path, Map<String, List<String>> query, String body) throws IOException {
    kickOffs.incrementAndGet();
    if (hapi && !"respond-async".equals(ex.getRequestHeaders().getFirst("Prefer"))) {
      send(ex, 400, "application/fhir+json", outcome("processing", "Must request async processing for $export"));
      return;
    }
    if (transientKickOffs > 0) {
      transientKickOffs--;
      send(ex, 503, "application/fhir+json", outcome("transient", "server busy, try again"));
      return;
    }
    if (kickOffError != null) {
      send(ex, 400, "application/fhir+json", outcome("invalid", kickOffError));
      return;
    }
    if (ex.getRequestMethod().equals("POST") && (postUnsupported || postUnsupported400)) {
      if (postUnsupported) {
        send(ex, 405, "application/fhir+json", outcome("not-supported", "HTTP method POST is not allowed here"));
      } else {
        send(ex, 400, "application/fhir+json", outcome("not-supported", "$export by POST is not supported"));
      }
      return;
    }
    Map<String, List<String>> params = new HashMap<>(query);
    if (ex.getRequestMethod().equals("POST")) {
      JsonNode p = JSON.readTree(body);
      for (JsonNode param : p.path("parameter")) {
        String v = param.has("valueReference") ? param.get("valueReference").path("reference").asText()
            : param.has("valueString") ? param.get("valueString").asText()
            : param.has("valueInstant") ? param.get("valueInstant").asText()
            : param.has("valueBoolean") ? param.get("valueBoolean").asText() : param.path("valueCode").asText();
        params.computeIfAbsent(param.path("name").asText(), k -> new ArrayList<>()).add(v);
      }
    }
    kickOffParams.add(params);
    List<String> members = null;
    if (path.startsWith("/fhir/Group/")) {
      members = groupMembers;
    }
    if (params.containsKey("patient")) {
      members = params.get("patient").stream().map(r -> r.substring(r.lastIndexOf('/') + 1)).toList();
    }
    String id = "job" + ids.incrementAndGet();
    jobs.put(id, new Job(params, path.endsWith("/Patient/$export"), members));
    ex.getResponseHeaders().add("Content-Location", (statusHost != null ? statusHost : base()) + "/status/" + id);
    send(ex, 202, "application/fhir+json", outcome("informational", "accepted"));
  }

  private void group(HttpExchange ex, String id) throws IOException {
    ObjectNode g = JSON.createObjectNode().put("resourceType", "Group").put("id", id).put("type", "person")
        .put("actual", true);
    ArrayNode member = g.putArray("member");
    for (String p : groupMembers) {
      // one absolute reference among relative ones, as servers mix them
      member.addObject().putObject("entity").put("reference", p.equals(groupMembers.get(0))
          ? base() + "/Patient/" + p : "Patient/" + p);
    }
    for (String p : inactiveMembers) {
      ObjectNode m = member.addObject();
      m.putObject("entity").put("reference", "Patient/" + p);
      m.put("inactive", true);
    }
    send(ex, 200, "application/fhir+json", g.toString());
  }

  private void status(HttpExchange ex, String id, Map<String, List<String>> query) throws IOException {
    Job job = jobs.get(id);
    if (ex.getRequestMethod().equals("DELETE")) {
      deletes.incrementAndGet();
      if (deleteFails) {
        send(ex, 500, "application/fhir+json", outcome("exception", "cannot delete now"));
        return;
      }
      jobs.remove(id);
      send(ex, job == null ? 404 : 202, "application/fhir+json", outcome("informational", "deleted"));
      return;
    }
    if (expired || job == null) {
      send(ex, 404, "application/fhir+json", outcome("not-found", "Export job " + id + " has expired"));
      return;
    }
    if (throttlePolls > 0) {
      throttlePolls--;
      ex.getResponseHeaders().add("Retry-After", "0");
      send(ex, 429, "application/fhir+json", outcome("throttled", "slow down"));
      return;
    }
    if (transient500Polls > 0) {
      transient500Polls--;
      send(ex, 500, "application/fhir+json", outcome("transient", "database hiccup"));
      return;
    }
    int n = job.polls.incrementAndGet();
    if (n <= pollsBeforeDone) {
      String ra = hapi ? "120" : retryAfterHttpDate
          ? DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(1))
          : retryAfter;
      if (ra != null) {
        ex.getResponseHeaders().add("Retry-After", ra);
      }
      ex.getResponseHeaders().add("X-Progress", "in progress " + n + "/" + pollsBeforeDone);
      send(ex, 202, "application/fhir+json", null);
      return;
    }
    int page = query.containsKey("page") ? Integer.parseInt(query.get("page").get(0)) : 1;
    if (page > 1 && pageNotReadyOnce && job.pagePolls.computeIfAbsent(page, k -> new AtomicInteger())
        .getAndIncrement() == 0) {
      // a partial manifest: the next page is not ready yet
      ex.getResponseHeaders().add("Retry-After", "0");
      send(ex, 202, "application/fhir+json", null);
      return;
    }
    send(ex, 200, hapi ? "application/json;charset=ISO-8859-1" : "application/json", page(id, manifest(id, job), page));
  }

  /** Page {@code page} of a manifest of at most {@link #manifestPageSize} files, with a link to the next. */
  private String page(String id, String manifest, int page) throws IOException {
    if (manifestPageSize <= 0) {
      return manifest;
    }
    ObjectNode m = (ObjectNode) JSON.readTree(manifest);
    List<String[]> all = new ArrayList<>(); // kind, index
    for (String kind : List.of("output", "deleted", "error", "outcome")) {
      for (int i = 0; i < m.path(kind).size(); i++) {
        all.add(new String[] {kind, String.valueOf(i)});
      }
    }
    ObjectNode out = m.deepCopy();
    for (String kind : List.of("output", "deleted", "error", "outcome")) {
      if (out.has(kind)) {
        out.putArray(kind);
      }
    }
    int from = (page - 1) * manifestPageSize;
    for (String[] e : all.subList(Math.min(from, all.size()), Math.min(from + manifestPageSize, all.size()))) {
      ((ArrayNode) out.get(e[0])).add(m.get(e[0]).get(Integer.parseInt(e[1])));
    }
    if (from + manifestPageSize < all.size()) {
      out.putArray("link").addObject().put("relation", "next").put("url", base() + "/status/" + id + "?page=" + (page + 1));
    }
    return out.toString();
  }

  private String manifest(String id, Job job) throws IOException {
    boolean since = job.params.containsKey("_since") && !(hapi && job.patientLevel);
    boolean organized = job.params.containsKey("organizeOutputBy");
    List<String> types = job.params.containsKey("_type")
        ? List.of(String.join(",", job.params.get("_type")).split(",")) : List.of("Patient", "Observation");
    if (dataDir != null) {
      return dataManifest(id, job);
    }
    ObjectNode m = JSON.createObjectNode();
    m.put("transactionTime", transactionTime);
    m.put("request", base() + "/$export");
    m.put("requiresAccessToken", hapi || requiresAccessToken);
    ArrayNode output = m.putArray("output");
    ArrayNode deleted = JSON.createArrayNode();
    for (String t : since && noChanges || organized ? List.<String>of() : types) {
      String fixture = (since ? "since/" : "full/") + t + ".ndjson";
      if (FakeBulkServer.class.getResource("/bulk/" + fixture) == null) {
        continue;
      }
      long count = patientCount != null && t.equals("Patient") ? patientCount : lines(fixture, job.members).size();
      output.addObject().put("type", t).put("url", t.equals(emptyUrlType) ? "" : fileUrl(id, fixture, job.members))
          .put("count", count);
    }
    if (organized) {
      // organizeOutputBy: one file of blocks, each a header then the resources of one patient; no `type`
      output.addObject().put("url", fileUrl(id, "organized/by-patient.ndjson", null))
          .put("count", fixtureLines("organized/by-patient.ndjson").size());
    }
    if (since && !noChanges && !lines("since/deleted.ndjson", job.members).isEmpty()) {
      deleted.addObject().put("type", "Bundle").put("url", fileUrl(id, "since/deleted.ndjson", job.members));
    }
    if (!hapi) {
      m.set("deleted", deleted);
    }
    ArrayNode error = m.putArray(outcomeKey ? "outcome" : "error");
    if (errorFile || mixedOutcomes) {
      error.addObject().put("type", "OperationOutcome")
          .put("url", fileUrl(id, mixedOutcomes ? "outcomes.ndjson" : "error.ndjson", null));
    }
    return m.toString();
  }

  /** The manifest of an export of {@link #dataDir}: a file per type with lines left after the filters. */
  private String dataManifest(String id, Job job) throws IOException {
    ObjectNode m = JSON.createObjectNode();
    m.put("transactionTime", transactionTime);
    m.put("request", base() + "/$export");
    m.put("requiresAccessToken", false);
    ArrayNode output = m.putArray("output");
    List<String> types = new ArrayList<>();
    if (job.params.containsKey("_type")) {
      types.addAll(List.of(String.join(",", job.params.get("_type")).split(",")));
    } else {
      try (var files = Files.list(dataDir)) {
        files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".ndjson") && !n.startsWith("Operation"))
            .sorted().forEach(n -> types.add(n.substring(0, n.length() - ".ndjson".length())));
      }
    }
    String since = job.params.containsKey("_since") ? job.params.get("_since").get(0) : null;
    String until = job.params.containsKey("_until") ? job.params.get("_until").get(0) : null;
    for (String t : types) {
      Path f = dataDir.resolve(t + ".ndjson");
      if (!Files.isRegularFile(f)) {
        continue;
      }
      List<String> kept = new ArrayList<>();
      for (String l : Files.readAllLines(f)) {
        if (l.isBlank()) {
          continue;
        }
        JsonNode n = JSON.readTree(l);
        String at = n.path("meta").path("lastUpdated").asText("");
        boolean inWindow = (since == null || at.compareTo(since) > 0) && (until == null || at.compareTo(until) <= 0);
        if (inWindow && (job.members == null || belongsTo(n, job.members))) {
          kept.add(l);
        }
      }
      if (!kept.isEmpty()) {
        String gid = "gen" + ids.incrementAndGet();
        generated.put(gid, kept);
        output.addObject().put("type", t).put("url", base() + "/files/" + id + "/" + gid).put("count", kept.size());
      }
    }
    ArrayNode error = m.putArray(outcomeKey ? "outcome" : "error");
    Path errors = dataDir.resolve("OperationOutcome.ndjson");
    if (Files.isRegularFile(errors)) {
      String gid = "gen" + ids.incrementAndGet();
      generated.put(gid, Files.readAllLines(errors).stream().filter(l -> !l.isBlank()).toList());
      error.addObject().put("type", "OperationOutcome").put("url", base() + "/files/" + id + "/" + gid);
    }
    return m.toString();
  }

  /** True when the resource is a member's: the Patient, its subject or patient, a Bundle deleting it. */
  private static boolean belongsTo(JsonNode n, List<String> members) {
    String patient = n.path("resourceType").asText().equals("Patient") ? n.path("id").asText()
        : n.has("subject") ? n.path("subject").path("reference").asText().replace("Patient/", "")
        : n.has("patient") ? n.path("patient").path("reference").asText().replace("Patient/", "")
        : n.path("entry").path(0).path("request").path("url").asText().replace("Patient/", "");
    return members.contains(patient);
  }

  private String fileUrl(String job, String fixture, List<String> members) {
    if (hapi) {
      String bid = "b" + ids.incrementAndGet();
      binaries.put(bid, fixture);
      return base() + "/Binary/" + bid;
    }
    String only = members == null ? "" : "?members=" + String.join(",", members);
    return (fileHost != null ? fileHost : base()) + "/files/" + job + "/" + fixture + only;
  }

  /**
   * The fixture's lines, only those of {@code members} when given (a Patient by id, another resource by its
   * subject or patient reference, a deleted-file Bundle by the Patient it deletes).
   */
  static List<String> lines(String fixture, List<String> members) throws IOException {
    List<String> all = fixtureLines(fixture);
    if (members == null) {
      return all;
    }
    List<String> out = new ArrayList<>();
    for (String l : all) {
      if (belongsTo(JSON.readTree(l), members)) {
        out.add(l);
      }
    }
    return out;
  }

  private void file(HttpExchange ex, String path) throws IOException {
    if (redirectFilesTo != null || redirectFilesToSelf) {
      String target = redirectFilesToSelf ? base() + path.substring("/fhir".length()) : redirectFilesTo + path;
      ex.getResponseHeaders().add("Location", target);
      send(ex, 302, "text/plain", null);
      return;
    }
    String gen = path.substring(path.lastIndexOf('/') + 1);
    if (path.startsWith("/fhir/files/") && generated.containsKey(gen)) {
      send(ex, 200, "application/fhir+ndjson", String.join("\n", generated.get(gen)) + "\n");
      return;
    }
    String fixture = path.startsWith("/fhir/Binary/")
        ? binaries.get(path.substring("/fhir/Binary/".length()))
        : path.substring(path.indexOf('/', "/fhir/files/".length()) + 1);
    if (fixture == null) {
      send(ex, 404, "application/fhir+json", outcome("not-found", "no such file"));
      return;
    }
    if (unauthorizedFileOnce > 0) {
      unauthorizedFileOnce--;
      currentToken = null; // the token expired: only a new one works
      send(ex, 401, "application/fhir+json", outcome("login", "token expired"));
      return;
    }
    if (fixture.equals(failFileOnce)) {
      failFileOnce = null;
      send(ex, 404, "application/fhir+json", outcome("not-found", "file temporarily missing"));
      return;
    }
    fileDownloads.computeIfAbsent(fixture, k -> new AtomicInteger()).incrementAndGet();
    String only = ex.getRequestURI().getQuery();
    List<String> lines = lines(fixture, only != null && only.startsWith("members=")
        ? List.of(only.substring("members=".length()).split(",")) : null);
    if (truncatePatients && fixture.endsWith("Patient.ndjson")) {
      lines = lines.subList(0, lines.size() - 1);
    }
    String ndjson = String.join("\n", lines) + "\n";
    String accept = ex.getRequestHeaders().getFirst("Accept");
    if (hapi && (accept == null || !accept.contains("application/fhir+ndjson"))) {
      String b64 = Base64.getEncoder().encodeToString(ndjson.getBytes(StandardCharsets.UTF_8));
      send(ex, 200, "application/fhir+json",
          "{\"resourceType\":\"Binary\",\"contentType\":\"application/fhir+ndjson\",\"data\":\"" + b64 + "\"}");
      return;
    }
    if (gzip) {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
        gz.write(ndjson.getBytes(StandardCharsets.UTF_8));
      }
      ex.getResponseHeaders().add("Content-Encoding", "gzip");
      sendBytes(ex, 200, "application/fhir+ndjson", bos.toByteArray());
      return;
    }
    send(ex, 200, "application/fhir+ndjson", ndjson);
  }

  /**
   * {@code GET [base]/<Type>?_id=a,b[&_count=n][&_offset=k]}: the resources of fixture {@code search/<Type>.ndjson}
   * with those ids, as a searchset Bundle of at most {@code _count} (and {@link #searchPageSize}) entries, with a
   * {@code next} link while more remain; 404 for a type without a fixture.
   */
  private void search(HttpExchange ex, String type, Map<String, List<String>> query) throws IOException {
    if (FakeBulkServer.class.getResource("/bulk/search/" + type + ".ndjson") == null) {
      send(ex, 404, "application/fhir+json", outcome("not-supported", "no search for " + type));
      return;
    }
    List<String> ids = List.of(String.join(",", query.get("_id")).split(","));
    List<JsonNode> found = new ArrayList<>();
    for (String line : fixtureLines("search/" + type + ".ndjson")) {
      JsonNode r = JSON.readTree(line);
      if (ids.contains(r.path("id").asText())) {
        found.add(r);
      }
    }
    int count = query.containsKey("_count") ? Integer.parseInt(query.get("_count").get(0)) : found.size();
    int page = Math.max(1, searchPageSize > 0 ? Math.min(count, searchPageSize) : count);
    int offset = query.containsKey("_offset") ? Integer.parseInt(query.get("_offset").get(0)) : 0;
    ObjectNode b = JSON.createObjectNode().put("resourceType", "Bundle").put("type", "searchset")
        .put("total", found.size());
    ArrayNode links = b.putArray("link");
    String self = base() + "/" + type + "?_id=" + String.join(",", ids) + "&_count=" + count;
    links.addObject().put("relation", "self").put("url", self + "&_offset=" + offset);
    if (offset + page < found.size()) {
      links.addObject().put("relation", "next").put("url", self + "&_offset=" + (offset + page));
    }
    ArrayNode entries = b.putArray("entry");
    for (JsonNode r : found.subList(Math.min(offset, found.size()), Math.min(offset + page, found.size()))) {
      ObjectNode e = entries.addObject().put("fullUrl", base() + "/" + type + "/" + r.path("id").asText());
      e.set("resource", r);
      e.putObject("search").put("mode", "match");
    }
    send(ex, 200, "application/fhir+json", b.toString());
  }

  private void token(HttpExchange ex, String body) throws IOException {
    Map<String, List<String>> form = parseQuery(body);
    String assertion = form.getOrDefault("client_assertion", List.of("")).get(0);
    String problem = checkAssertion(assertion);
    if (!form.getOrDefault("grant_type", List.of("")).get(0).equals("client_credentials")) {
      problem = "grant_type";
    }
    if (problem != null) {
      assertionErrors.add(problem);
      send(ex, 400, "application/json", "{\"error\":\"invalid_client\",\"error_description\":\"" + problem + "\"}");
      return;
    }
    currentToken = "tok-" + tokensIssued.incrementAndGet();
    send(ex, 200, "application/json",
        "{\"access_token\":\"" + currentToken + "\",\"token_type\":\"bearer\",\"expires_in\":300}");
  }

  /** Verifies the client assertion independently of the client's code: JOSE signature, claims. */
  private String checkAssertion(String jwt) {
    try {
      String[] parts = jwt.split("\\.");
      if (parts.length != 3) {
        return "not a JWT";
      }
      Base64.Decoder d = Base64.getUrlDecoder();
      JsonNode header = JSON.readTree(d.decode(parts[0]));
      JsonNode claims = JSON.readTree(d.decode(parts[1]));
      if (!header.path("alg").asText().equals(clientAlg)) {
        return "alg " + header.path("alg").asText();
      }
      Signature s = Signature.getInstance(clientAlg.equals("RS384") ? "SHA384withRSA" : "SHA384withECDSAinP1363Format");
      s.initVerify(clientKey);
      s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!s.verify(d.decode(parts[2]))) {
        return "bad signature";
      }
      if (!claims.path("iss").asText().equals(clientId) || !claims.path("sub").asText().equals(clientId)) {
        return "iss/sub";
      }
      if (!claims.path("aud").asText().equals(base() + "/auth/token")) {
        return "aud";
      }
      if (claims.path("exp").asLong() <= System.currentTimeMillis() / 1000 || !claims.hasNonNull("jti")) {
        return "exp/jti";
      }
      return null;
    } catch (Exception e) {
      return "unreadable assertion: " + e;
    }
  }

  static String outcome(String code, String diagnostics) {
    return "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"" + code
        + "\",\"diagnostics\":\"" + diagnostics + "\"}]}";
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    sendBytes(ex, status, type, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
  }

  private static void sendBytes(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().add("Content-Type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
    ex.close();
  }

  private static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String kv : raw.split("&")) {
      int i = kv.indexOf('=');
      String k = URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8);
      String v = i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8);
      q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return q;
  }

  static Path tempDir() throws IOException {
    return Files.createTempDirectory("pophealth-bulk-test-");
  }
}
