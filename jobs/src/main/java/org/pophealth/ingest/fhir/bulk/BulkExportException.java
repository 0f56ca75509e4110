package org.pophealth.ingest.fhir.bulk;

/** A bulk export that cannot go on: the message is the server's diagnostics (never a token or patient data). */
public final class BulkExportException extends RuntimeException {
  private final int status;

  public BulkExportException(String message, int status) {
    super(message);
    this.status = status;
  }

  public BulkExportException(String message, Throwable cause) {
    super(message, cause);
    this.status = -1;
  }

  /** HTTP status that ended the export, -1 when it was not an HTTP answer. */
  public int status() {
    return status;
  }
}
