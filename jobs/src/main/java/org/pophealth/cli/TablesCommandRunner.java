package org.pophealth.cli;

import java.io.PrintWriter;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.lakehouse.TableContract;
import org.pophealth.io.TextTable;

/** Lists the lakehouse's tables with rows, Delta version and last update. */
public final class TablesCommandRunner {
  private final Lakehouse lh;

  public TablesCommandRunner(Lakehouse lh) {
    this.lh = lh;
  }

  public void print(PrintWriter out) {
    TextTable t = new TextTable("zone", "table", "rows", "version", "last_update");
    int n = 0;
    for (TableContract c : lh.contracts().all()) {
      long version = lh.version(c.name());
      if (version < 0) {
        continue;
      }
      // version and time from the Delta log's files; the count is answered from the table's file statistics
      long rows = lh.read(c.name()).count();
      java.time.Instant committed = lh.commitTime(c.name(), version);
      t.row(c.zone(), c.name(), rows, version, committed == null ? "" : committed);
      n++;
    }
    for (String v : lh.viewTables()) {
      // analysts' SQL on FHIR views (build-views, view run): no contract, their columns are their definition's
      long version = lh.viewVersion(v);
      long rows = lh.spark().read().format("delta").load(lh.viewPath(v)).count();
      java.time.Instant committed = lh.viewCommitTime(v, version);
      t.row(Lakehouse.VIEW_ZONE, Lakehouse.VIEW_ZONE + "." + v, rows, version, committed == null ? "" : committed);
      n++;
    }
    t.print(out);
    out.println("(" + n + " tables under " + lh.root() + ")");
    out.println(org.pophealth.ops.LakehouseLease.current(lh.root(), lh.spark().sparkContext().hadoopConfiguration())
        .map(h -> "lease: held by " + h.describe()).orElse("lease: free (no run is writing)"));
    out.flush();
  }
}
