package org.pophealth.dashboard;

import java.io.PrintWriter;

/** Prints a dashboard publication (CLI and demo). */
public final class DashboardSummary {
  private DashboardSummary() {}

  public static void print(PublishDashboard.Result r, PrintWriter out) {
    out.printf("dashboard: %s (%d charts, %d tables, %d KiB; collected in %.1f s, rendered in %.2f s)%n",
        r.location(), r.charts(), r.tables(), r.bytes() / 1024, r.collectSeconds(), r.renderSeconds());
    out.flush();
  }
}
