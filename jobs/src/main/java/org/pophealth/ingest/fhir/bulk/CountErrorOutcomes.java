package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Job step: counts the OperationOutcomes of an export's error files ({@code error}, STU4 {@code outcome}):
 * those with an issue of severity {@code fatal} or {@code error} (or unreadable lines) as errors, those
 * whose issues are all {@code information} or {@code warning} as informational (servers report "no
 * resources of type X" or "export complete" that way: nothing failed). Counts only, no content.
 */
public final class CountErrorOutcomes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path exportDir;
  private final DownloadExportFiles.Result download;

  public CountErrorOutcomes(Path exportDir, DownloadExportFiles.Result download) {
    this.exportDir = exportDir;
    this.download = download;
  }

  /** Outcomes in the error files: {@code errors} failed something, {@code informational} did not. */
  public record Result(long errors, long informational) {
    public static final Result NONE = new Result(0, 0);
  }

  public Result execute() throws IOException {
    long errors = 0;
    long info = 0;
    for (DownloadExportFiles.FileResult f : download.files()) {
      if (!"error".equals(f.kind())) {
        continue;
      }
      try (BufferedReader in = Files.newBufferedReader(exportDir.resolve(f.localName()), StandardCharsets.UTF_8)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (line.isBlank()) {
            continue;
          }
          if (informational(line)) {
            info++;
          } else {
            errors++;
          }
        }
      }
    }
    return new Result(errors, info);
  }

  private static boolean informational(String line) {
    try {
      JsonNode n = JSON.readTree(line);
      return n != null && "OperationOutcome".equals(n.path("resourceType").asText())
          && OperationOutcomes.informational(n);
    } catch (IOException e) {
      return false;
    }
  }
}
