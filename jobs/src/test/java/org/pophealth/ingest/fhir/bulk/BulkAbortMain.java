package org.pophealth.ingest.fhir.bulk;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Child JVM for {@link BulkAbortTest}: runs an export that never completes until it is killed. */
public final class BulkAbortMain {
  private BulkAbortMain() {}

  public static void main(String[] args) throws Exception {
    BulkSettings s = new BulkSettings(args[0], "system", List.of(), List.of(), List.of(), List.of(), null, false,
        null, Path.of(args[1]), Duration.ofMillis(20), Duration.ofMillis(10), 0, 1, true, true, null);
    new RunBulkExport(new BulkHttp(s, null)).execute();
  }
}
