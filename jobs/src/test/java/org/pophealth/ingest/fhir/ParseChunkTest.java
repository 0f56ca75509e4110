package org.pophealth.ingest.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
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

  /** Each line of {@code text} as a file of {@code kind} and {@code type}: "status reason_code" per row. */
  private static List<String> parse(String kind, String type, String text) throws Exception {
    Path f = Files.createTempFile("pophealth-parse-", ".ndjson");
    Files.writeString(f, text);
    IngestContext ctx = new IngestContext("t", new Timestamp(0), "run", 1 << 20,
        new SerializableHadoopConf(new Configuration()));
    ExportFile file = new ExportFile("f.ndjson", f.toUri().toString(), kind, type, null, Files.size(f), false);
    ParseChunk parse = new ParseChunk(new Chunk(file, 0, -1, 1), ctx,
        "output".equals(kind) ? Converters.forType(type).orElse(null) : null);
    List<String> out = new ArrayList<>();
    while (parse.hasNext()) {
      Row r = parse.next();
      out.add(r.getString(0) + " " + r.getString(14)
          + (r.size() > ParsedLines.TYPED_INDEX && !r.isNullAt(ParsedLines.TYPED_INDEX) ? " typed" : ""));
    }
    return out;
  }

  @Test
  void subsettedResourcesLoadWithoutASilverRow() throws Exception {
    String tag = "{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ObservationValue\",\"code\":\"SUBSETTED\"}";
    // an Observation subset without subject would fail the converter's missing-required check: not converted
    assertEquals(List.of("loaded-subsetted null", "loaded-subsetted null", "loaded null typed",
            "loaded null typed"),
        parse("output", "Observation", String.join("\n",
            "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"meta\":{\"tag\":[" + tag + "]},\"status\":\"final\"}",
            "{\"resourceType\":\"Observation\",\"id\":\"o2\",\"meta\":{\"tag\":[{\"code\":\"SUBSETTED\"}]}}",
            "{\"resourceType\":\"Observation\",\"id\":\"o3\",\"meta\":{\"tag\":[{\"system\":\"http://x\",\"code\":\"SUBSETTED\"}]},"
                + "\"status\":\"final\",\"code\":{\"text\":\"x\"},\"subject\":{\"reference\":\"Patient/p1\"}}",
            "{\"resourceType\":\"Observation\",\"id\":\"o4\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
                + "\"subject\":{\"reference\":\"Patient/p1\"}}")));
    // a type without a silver table: the streaming header reads the tag
    assertEquals(List.of("loaded-subsetted null", "loaded null"), parse("output", "Claim",
        "{\"resourceType\":\"Claim\",\"id\":\"c1\",\"meta\":{\"versionId\":\"2\",\"tag\":[" + tag + "]}}\n"
            + "{\"resourceType\":\"Claim\",\"id\":\"c2\",\"meta\":{\"tag\":[{\"code\":\"other\"}]}}\n"));
  }

  @Test
  void errorFileOutcomesWithOnlyInformationOrWarningAreInformational() throws Exception {
    assertEquals(List.of("informational outcome-information", "informational outcome-warning",
            "quarantined operation-outcome", "quarantined operation-outcome", "quarantined operation-outcome",
            "quarantined operation-outcome"),
        parse("error", "OperationOutcome", String.join("\n",
            "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"information\",\"code\":\"informational\"}]}",
            "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"information\",\"code\":\"informational\"},"
                + "{\"severity\":\"warning\",\"code\":\"incomplete\"}]}",
            "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"warning\",\"code\":\"x\"},"
                + "{\"severity\":\"error\",\"code\":\"processing\"}]}",
            "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"code\":\"processing\"}]}",
            "{\"resourceType\":\"OperationOutcome\",\"issue\":[]}",
            "{\"resourceType\":\"Patient\",\"issue\":[{\"severity\":\"information\",\"code\":\"x\"}]}")));
  }
}
