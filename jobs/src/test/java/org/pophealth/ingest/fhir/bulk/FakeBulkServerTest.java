package org.pophealth.ingest.fhir.bulk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test class with a fresh {@link FakeBulkServer} and download directory per test; a bad request the server
 * saw fails the test unless {@link #badRequestsExpected()}.
 */
abstract class FakeBulkServerTest {
  protected FakeBulkServer server;
  protected Path dir;

  @BeforeEach
  void startServer() throws Exception {
    server = new FakeBulkServer();
    dir = FakeBulkServer.tempDir();
  }

  /** True in tests that send the server bad requests on purpose (a wrong key, a bad assertion). */
  protected boolean badRequestsExpected() {
    return false;
  }

  @AfterEach
  void stopServer() {
    server.close();
    if (!badRequestsExpected()) {
      assertEquals(List.of(), server.assertionErrors, "fake server saw bad requests");
    }
  }
}
