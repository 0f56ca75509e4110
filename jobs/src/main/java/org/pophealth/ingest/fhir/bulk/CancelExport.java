package org.pophealth.ingest.fhir.bulk;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Job step: asks the server to cancel an export (DELETE on its status URL). */
public final class CancelExport {
  private static final Logger LOG = LoggerFactory.getLogger(CancelExport.class);

  private final BulkHttp http;
  private final String statusUrl;

  public CancelExport(BulkHttp http, String statusUrl) {
    this.http = http;
    this.statusUrl = statusUrl;
  }

  /** {@code cancelled}: the server accepted (202/200/204); {@code status}: its answer. */
  public record Result(boolean cancelled, int status) {}

  public Result execute() {
    try {
      HttpResponse<byte[]> r = http.send("bulk cancel", () -> HttpRequest.newBuilder(URI.create(statusUrl)).DELETE()
          .header("Accept", "application/fhir+json"), HttpResponse.BodyHandlers.ofByteArray(), true);
      boolean ok = r.statusCode() / 100 == 2;
      LOG.info("bulk export cancel: HTTP {}", r.statusCode());
      return new Result(ok, r.statusCode());
    } catch (IOException e) {
      LOG.warn("bulk export cancel failed: {}", e.getClass().getSimpleName());
      return new Result(false, -1);
    } catch (BulkExportException e) {
      LOG.warn("bulk export cancel failed: {}", e.getMessage());
      return new Result(false, -1);
    }
  }
}
