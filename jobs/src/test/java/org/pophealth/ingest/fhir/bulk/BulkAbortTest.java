package org.pophealth.ingest.fhir.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/** Ctrl-C / SIGTERM while an export runs: the shutdown hook DELETEs the status URL and forgets the state. */
@Tag("integration")
class BulkAbortTest {
  @Test
  void terminatedRunCancelsTheServerJob() throws Exception {
    Path dir = FakeBulkServer.tempDir();
    try (FakeBulkServer server = new FakeBulkServer()) {
      server.pollsBeforeDone = 1_000_000;
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          BulkAbortMain.class.getName(), server.base(), dir.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      try {
        for (int i = 0; i < 600 && server.requests("GET", "/fhir/status/").size() < 2; i++) {
          Thread.sleep(50);
        }
        assertTrue(server.requests("GET", "/fhir/status/").size() >= 2, "the child is polling");
        p.destroy(); // SIGTERM: shutdown hooks run, as on Ctrl-C
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      } finally {
        p.destroyForcibly();
      }
      assertEquals(1, server.deletes.get());
      assertEquals(1, server.requests("DELETE", "/fhir/status/job1").size());
      assertNull(BulkExportState.load(dir));
    }
  }
}
