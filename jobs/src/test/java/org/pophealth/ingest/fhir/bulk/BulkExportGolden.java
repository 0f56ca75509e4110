package org.pophealth.ingest.fhir.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pophealth.ingest.IngestFhirGolden;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.testing.GoldenCase;
import org.pophealth.testing.GoldenJob;

/**
 * {@code bulk-export} cases: each phase is one bulk run of source {@code golden} against a
 * {@link FakeBulkServer} serving the phase's {@code input/server/} folder ({@code <Type>.ndjson}, filtered by
 * {@code meta.lastUpdated} against {@code _since}/{@code _until} and by the members of a group or patient
 * export). {@code input/run.yaml} sets the run: {@code types} (the source's types at this run),
 * {@code transaction_time} (the server's), {@code members} (the Group's, at group level). Case options:
 * {@code level}, {@code manifest_page_size}, {@code post_unsupported}, {@code outcome_key}. Every ingest
 * reconciles; the phase writes {@code run.txt}: the per-type decisions, the member line and per export its
 * files, lines, manifest pages and error outcomes (compare it as {@code expected/files/run.txt}).
 */
public final class BulkExportGolden implements GoldenJob {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Path work;

  public BulkExportGolden() {
    try {
      work = Files.createTempDirectory("pophealth-bulk-golden-");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public Set<String> options() {
    return Set.of("level", "manifest_page_size", "post_unsupported", "outcome_key");
  }

  @Override
  public Outcome run(GoldenCase c, Path phase, Lakehouse lh) throws Exception {
    JsonNode run = YAML.readTree(phase.resolve("input/run.yaml").toFile());
    List<String> types = strings(run.path("types"));
    try (FakeBulkServer server = new FakeBulkServer()) {
      server.pollsBeforeDone = 0;
      server.dataDir = phase.resolve("input/server");
      server.transactionTime = run.path("transaction_time").asText();
      server.groupMembers = strings(run.path("members"));
      server.manifestPageSize = Integer.parseInt(c.option("manifest_page_size", "0"));
      server.postUnsupported = c.flag("post_unsupported");
      server.outcomeKey = c.flag("outcome_key");
      BulkSettings s = new BulkSettings(server.base(), c.option("level", "system"), types, List.of(), List.of(),
          List.of(), null, false, null, work.resolve("download"), Duration.ofMillis(50), Duration.ofMillis(10), 3, 2,
          true, true, null);
      IngestBulkExport.Result r = new IngestBulkExport(lh, "golden", s, null).execute();
      for (IngestBulkExport.ExportRun e : r.exports()) {
        if (e.ingest() != null) {
          assertTrue(e.ingest().reconciled(), c.label(phase) + ": read = loaded + quarantined");
        }
      }
      assertEquals(r.exports().size(), server.deletes.get(), c.label(phase) + ": each export's status URL released");
      assertEquals(c.flag("post_unsupported") ? r.exports().size() : 0, server.requests("GET", "/fhir").stream()
          .filter(x -> x.path().endsWith("/$export")).count(), c.label(phase) + ": GET kick-offs (the POST fallback)");
      List<String> lines = new ArrayList<>();
      r.decisions().forEach(d -> lines.add(d.describe()));
      if (r.members() != null) {
        lines.add("members " + r.members().current().size() + ", new " + r.members().added().size() + ", backfilled "
            + r.backfilled() + ", removed " + r.members().removed().size());
      }
      for (IngestBulkExport.ExportRun e : r.exports()) {
        RunBulkExport.Result x = e.export();
        lines.add("export " + (x.since() == null ? "full" : "since " + x.since())
            + (e.backfill() ? " for " + e.patients() + " members" : "") + ": " + x.download().files().size()
            + " files, " + x.download().lines() + " lines, " + x.manifestPages() + " manifest pages, error outcomes "
            + x.outcomes().errors() + ", informational " + x.outcomes().informational());
      }
      Path out = work.resolve(phase.getFileName().toString() + "-run.txt");
      Files.writeString(out, String.join("\n", lines) + "\n");
      Outcome tables = IngestFhirGolden.sourceAndRun(null, List.of());
      return new Outcome() {
        @Override
        public org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> table(Lakehouse lakehouse, String name) {
          return tables.table(lakehouse, name);
        }

        @Override
        public Path file(Path relative) {
          assertEquals(Path.of("run.txt"), relative, "bulk-export phases write run.txt only");
          return out;
        }
      };
    }
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asText()));
    return out;
  }
}
