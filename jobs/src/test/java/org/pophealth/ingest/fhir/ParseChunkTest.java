package org.pophealth.ingest.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.pophealth.conform.Converters;
import org.pophealth.conform.ParsedLines;
import org.pophealth.testing.TestResources;

/**
 * The strict reading (UTF-8, typed elements, R4 resource types) quarantines nothing of a well-formed
 * export: every line of the committed Synthea fixture still loads (no SparkSession; ParseChunk directly).
 */
class ParseChunkTest {
  @Test
  void wellFormedSyntheaLinesAllLoad() throws Exception {
    Path dir = TestResources.dir("synthea-tiny");
    IngestContext ctx = new IngestContext("t", new Timestamp(0), "run", 1 << 20,
        new SerializableHadoopConf(new Configuration()));
    Map<String, Long> quarantined = new TreeMap<>();
    long loaded = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".ndjson")).sorted().toList()) {
        String type = f.getFileName().toString().replace(".ndjson", "");
        ExportFile file = new ExportFile(f.getFileName().toString(), f.toUri().toString(), "output", type, null,
            Files.size(f), false);
        ParseChunk parse = new ParseChunk(new Chunk(file, 0, -1, 1), ctx, Converters.forType(type).orElse(null));
        while (parse.hasNext()) {
          Row r = parse.next();
          if (ParsedLines.LOADED.equals(r.getString(0))) {
            loaded++;
          } else {
            quarantined.merge(type + " " + r.getString(14) + ": " + r.getString(15), 1L, Long::sum);
          }
        }
      }
    }
    assertEquals(Map.of(), quarantined, "quarantined lines of the Synthea fixture");
    assertEquals(true, loaded > 500, "lines loaded: " + loaded);
  }
}
