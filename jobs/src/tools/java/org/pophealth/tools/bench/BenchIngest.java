package org.pophealth.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.pophealth.ingest.fhir.IngestFhirExport;
import org.pophealth.ingest.fhir.IngestResult;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench ingest}: NDJSON → bronze + silver + events throughput on a population, and the same
 * files through Pathling's encoders into Delta in a separate JVM (its HAPI and ours do not mix).
 */
public final class BenchIngest {
  private static final Logger LOG = LoggerFactory.getLogger(BenchIngest.class);

  private final Lakehouse scratch;
  private final Path input;
  private final Path peerScript;
  private final String master;

  public BenchIngest(Lakehouse scratch, Path input, Path peerScript, String master) {
    this.scratch = scratch;
    this.input = input;
    this.peerScript = peerScript;
    this.master = master;
  }

  /** One engine's figures. */
  public record Figures(String engine, long resources, long bytes, double seconds) {
    public double resourcesPerSecond() {
      return resources / seconds;
    }

    public double mbPerSecond() {
      return bytes / 1e6 / seconds;
    }
  }

  public record Result(Figures ours, Figures peer, IngestResult ingest) {}

  public Result execute() throws IOException, InterruptedException {
    IngestResult r = new IngestFhirExport(scratch, "bench", input.toString()).execute();
    Figures ours = new Figures("pophealth ingest-fhir (bronze+silver+event)", r.linesLoaded(), r.bytes(), r.seconds());
    Figures peer = null;
    if (peerScript != null) {
      peer = runPeer();
    }
    return new Result(ours, peer, r);
  }

  private Figures runPeer() throws IOException, InterruptedException {
    Path out = Files.createTempDirectory("pathling-peer-");
    ProcessBuilder pb = new ProcessBuilder(List.of("bash", peerScript.toString(), input.toString(), out.toString(), master))
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    LOG.info("running the Pathling peer on the same files (its own JVM)");
    Process p = pb.start();
    String last = null;
    try (BufferedReader br = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = br.readLine()) != null) {
        if (line.startsWith("{")) {
          last = line;
        }
      }
    }
    int code = p.waitFor();
    if (code != 0 || last == null) {
      throw new IllegalStateException("Pathling peer failed (exit " + code + ")");
    }
    JsonNode j = new ObjectMapper().readTree(last);
    return new Figures(j.path("engine").asText("pathling"), j.path("resources").asLong(), j.path("bytes").asLong(),
        j.path("seconds").asDouble());
  }
}
