package org.pophealth.ingest.fhir.bulk;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.pophealth.lakehouse.Lakehouse;

/** Reads and writes {@code ops.bulk_watermark}: the last exported transactionTime per source. */
public final class BulkWatermarks {
  static final String TABLE = "ops.bulk_watermark";

  private final Lakehouse lakehouse;

  public BulkWatermarks(Lakehouse lakehouse) {
    this.lakehouse = lakehouse;
  }

  /** The source's last transactionTime, null when it was never exported. */
  public Instant read(String source) {
    List<Row> rows = lakehouse.read(TABLE).filter(org.apache.spark.sql.functions.col("source").equalTo(source))
        .select("transaction_time").collectAsList();
    return rows.stream().map(r -> r.getTimestamp(0).toInstant()).max(Instant::compareTo).orElse(null);
  }

  /** Replaces the source's watermark. */
  public void write(String source, String baseUrl, String level, Instant transactionTime, Instant since, String runId,
      int files, long lines) {
    Row row = RowFactory.create(source, baseUrl, level, Timestamp.from(transactionTime),
        since == null ? null : Timestamp.from(since), runId, files, lines, Timestamp.from(Instant.now()));
    lakehouse.replaceWhere(TABLE,
        lakehouse.spark().createDataFrame(List.of(row), lakehouse.contract(TABLE).schema()),
        "source = '" + source.replace("'", "") + "'");
  }
}
