package org.pophealth.lakehouse;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts the small files every run leaves (each MERGE, append and replace writes its own files) with
 * Delta's OPTIMIZE (bin-packing into large files, one commit per table, data unchanged). Tables with
 * fewer than {@code minFiles} active files are left alone. Old files stay readable for time travel
 * until a VACUUM, which this step does not run (retention is the operator's decision).
 */
public final class OptimizeTables {
  private static final Logger LOG = LoggerFactory.getLogger(OptimizeTables.class);

  private final Lakehouse lakehouse;
  private List<String> tables;
  private int minFiles = 8;

  public OptimizeTables(Lakehouse lakehouse) {
    this.lakehouse = lakehouse;
  }

  /** Only these tables (zone.table); default every table of the contracts that exists. */
  public OptimizeTables tables(List<String> names) {
    for (String n : names) {
      lakehouse.contract(n);
    }
    this.tables = names;
    return this;
  }

  /** Leave tables with fewer active files than this alone (default 8). */
  public OptimizeTables minFiles(int n) {
    if (n < 2) {
      throw new IllegalArgumentException("min files must be at least 2, not " + n);
    }
    this.minFiles = n;
    return this;
  }

  /** One table: active files before and after, rows (unchanged by construction), seconds; skipped when small. */
  public record Table(String name, long filesBefore, long filesAfter, long bytes, boolean compacted, double seconds) {}

  public record Result(List<Table> tables, double seconds) {
    public long filesBefore() {
      return tables.stream().mapToLong(Table::filesBefore).sum();
    }

    public long filesAfter() {
      return tables.stream().mapToLong(Table::filesAfter).sum();
    }
  }

  public Result execute() {
    long t0 = System.nanoTime();
    List<String> names = tables != null ? tables : lakehouse.contracts().all().stream().map(TableContract::name).toList();
    List<Table> out = new ArrayList<>();
    for (String name : names) {
      if (!lakehouse.exists(name)) {
        continue;
      }
      long ts = System.nanoTime();
      long[] before = detail(name);
      boolean compact = before[0] >= minFiles;
      long[] after = before;
      if (compact) {
        lakehouse.delta(name).optimize().executeCompaction();
        after = detail(name);
      }
      Table t = new Table(name, before[0], after[0], after[1], compact, (System.nanoTime() - ts) / 1e9);
      if (compact) {
        LOG.info("optimize {}: {} files -> {} in {} s", name, t.filesBefore(), t.filesAfter(),
            String.format("%.1f", t.seconds()));
      }
      out.add(t);
    }
    return new Result(out, (System.nanoTime() - t0) / 1e9);
  }

  /** Active files and bytes of a table (Delta's DESCRIBE DETAIL). */
  private long[] detail(String name) {
    Row r = lakehouse.delta(name).detail().select("numFiles", "sizeInBytes").first();
    return new long[] {r.isNullAt(0) ? 0 : r.getLong(0), r.isNullAt(1) ? 0 : r.getLong(1)};
  }
}
