package org.pophealth.ingest.fhir.bulk;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step: DELETE on an export's status URL: cancels an export in flight, or, after a successful run,
 * tells the server its files may go ({@link #release}). Never throws: a failure is logged and returned.
 */
public final class CancelExport {
  private static final Logger LOG = LoggerFactory.getLogger(CancelExport.class);

  private final BulkHttp http;
  private final String statusUrl;
  private final String what;

  public CancelExport(BulkHttp http, String statusUrl) {
    this(http, statusUrl, "bulk cancel");
  }

  private CancelExport(BulkHttp http, String statusUrl, String what) {
    this.http = http;
    this.statusUrl = statusUrl;
    this.what = what;
  }

  /** The DELETE after a completed, ingested export (the server may drop the job and its files). */
  public static CancelExport release(BulkHttp http, String statusUrl) {
    return new CancelExport(http, statusUrl, "bulk export release");
  }

  /** {@code cancelled}: the server accepted (202/200/204); {@code status}: its answer. */
  public record Result(boolean cancelled, int status) {}

  public Result execute() {
    try {
      HttpResponse<byte[]> r = http.send(what, () -> HttpRequest.newBuilder(URI.create(statusUrl)).DELETE()
          .header("Accept", "application/fhir+json"), HttpResponse.BodyHandlers.ofByteArray(), true);
      boolean ok = r.statusCode() / 100 == 2;
      if (ok) {
        LOG.info("{}: HTTP {}", what, r.statusCode());
      } else {
        LOG.warn("{}: HTTP {} (the server keeps the job until it expires)", what, r.statusCode());
      }
      return new Result(ok, r.statusCode());
    } catch (IOException e) {
      LOG.warn("{} failed: {}", what, e.getClass().getSimpleName());
      return new Result(false, -1);
    } catch (BulkExportException e) {
      LOG.warn("{} failed: {}", what, e.getMessage());
      return new Result(false, -1);
    }
  }
}
