package org.pophealth.views;

import java.io.PrintWriter;
import org.pophealth.io.TextTable;

/** The console summary of a views run: one line per view with its counts, then any failures' first message. */
public final class ViewSummary {
  private ViewSummary() {}

  public static void print(BuildViews.Result r, PrintWriter out) {
    out.printf("views: %d materialised from bronze.fhir_resource version %d (run %s)%n", r.views().size(),
        r.bronzeVersion(), r.runId());
    TextTable t = new TextTable("view", "resource", "resources", "deleted", "failed", "rows", "columns", "seconds");
    for (BuildViews.ViewResult v : r.views()) {
      t.row(v.table(), v.resourceType(), Long.toString(v.resourcesRead()), Long.toString(v.resourcesDeleted()),
          Long.toString(v.resourcesFailed()), Long.toString(v.rowsWritten()), Integer.toString(v.columns().size()),
          String.format("%.1f", v.seconds()));
    }
    t.print(out);
    for (BuildViews.ViewResult v : r.views()) {
      if (v.resourcesFailed() > 0) {
        out.printf("%s: %d resources gave no row: %s%n", v.table(), v.resourcesFailed(), v.firstError());
      }
    }
    if (r.views().isEmpty()) {
      out.println("no ViewDefinitions found (views.dir, or the packaged measures/views/)");
    }
  }
}
