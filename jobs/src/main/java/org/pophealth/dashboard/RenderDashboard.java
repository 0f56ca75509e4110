package org.pophealth.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pophealth.dashboard.DashboardModel.Chart;
import org.pophealth.dashboard.DashboardModel.Page;
import org.pophealth.dashboard.DashboardModel.Panel;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DashboardModel.Table;

/**
 * Renders a {@link Page} to one self-contained HTML file: inline CSS, the Chart.js UMD bundle (npm
 * chart.js, vendored under resources/dashboard/) and a small script that draws every chart on a canvas
 * with its title and axis titles. Each chart's figures are also an HTML table, inside the canvas (its
 * accessible fallback) and under it in a "Data table" disclosure. No external fonts, scripts or
 * stylesheets: the file works offline. After drawing, the script marks each canvas
 * {@code data-rendered="true"} when pixels were painted and lists script errors in
 * {@code #dashboard-errors}, so a headless browser can check the page.
 */
public final class RenderDashboard {
  private static final String CHART_JS = "dashboard/chart.umd.js";

  private final Page page;

  public RenderDashboard(Page page) {
    this.page = page;
  }

  public record Result(String html, int charts, int tables, int bytes) {}

  public Result execute() {
    StringBuilder h = new StringBuilder(300_000);
    List<Map<String, Object>> specs = new ArrayList<>();
    int tables = 0;
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(esc(page.title())).append("</title>\n<style>").append(CSS).append("</style>\n")
        .append("</head>\n<body>\n<header><h1>").append(esc(page.title())).append("</h1>\n<p class=\"sub\">")
        .append(esc(page.subtitle())).append("</p>\n<p class=\"sub\">Aggregates only. Cells with fewer than ")
        .append(page.minCellSize()).append(" persons are shown as <strong>").append(esc(SmallCells.mask(page.minCellSize())))
        .append("</strong> and cannot be derived from totals.</p>\n<nav><ul>");
    for (Section s : page.sections()) {
      h.append("<li><a href=\"#").append(esc(s.id())).append("\">").append(esc(s.title())).append("</a></li>");
    }
    h.append("</ul></nav></header>\n");
    if (!page.banner().isEmpty()) {
      h.append("<div id=\"stale-banner\" class=\"banner\" role=\"status\"><strong>Data out of date</strong><ul>");
      for (String line : page.banner()) {
        h.append("<li>").append(esc(line)).append("</li>");
      }
      h.append("</ul></div>\n");
    }
    h.append("<div id=\"dashboard-errors\" role=\"alert\" hidden></div>\n<main>\n");
    for (Section s : page.sections()) {
      h.append("<section id=\"").append(esc(s.id())).append("\">\n<h2>").append(esc(s.title())).append("</h2>\n<p class=\"note\">")
          .append(esc(s.note())).append("</p>\n<div class=\"panels\">\n");
      for (Panel p : s.panels()) {
        h.append("<figure class=\"panel\">\n");
        Chart c = p.chart();
        if (c != null) {
          specs.add(spec(c));
          h.append("<figcaption>").append(esc(c.title())).append("</figcaption>\n")
              .append("<canvas id=\"").append(esc(c.id())).append("\" width=\"1280\" height=\"440\" role=\"img\" ")
              .append("aria-label=\"").append(esc(c.title() + ". " + c.yLabel() + " by " + c.xLabel()))
              .append(". The data table follows.\">\n");
          if (p.table() != null) {
            table(h, p.table(), c.id() + "-fallback");
          }
          h.append("</canvas>\n");
        } else if (p.table() != null) {
          h.append("<figcaption>").append(esc(p.table().caption())).append("</figcaption>\n");
        }
        if (p.table() != null) {
          tables++;
          if (c != null) {
            h.append("<details><summary>Data table</summary>\n");
            table(h, p.table(), c.id() + "-table");
            h.append("</details>\n");
          } else {
            table(h, p.table(), null);
          }
        }
        h.append("</figure>\n");
      }
      h.append("</div>\n</section>\n");
    }
    h.append("</main>\n<footer>Charts: Chart.js (MIT licence), bundled in this file.</footer>\n")
        .append("<script type=\"application/json\" id=\"dashboard-data\">").append(json(specs)).append("</script>\n")
        .append("<script>").append(chartJs()).append("</script>\n<script>").append(SCRIPT).append("</script>\n")
        .append("</body>\n</html>\n");
    String html = h.toString();
    return new Result(html, specs.size(), tables, html.getBytes(StandardCharsets.UTF_8).length);
  }

  private static Map<String, Object> spec(Chart c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.id());
    m.put("type", c.type());
    m.put("title", c.title());
    m.put("xLabel", c.xLabel());
    m.put("yLabel", c.yLabel());
    m.put("labels", c.labels());
    m.put("series", c.series());
    return m;
  }

  private static void table(StringBuilder h, Table t, String id) {
    h.append("<table").append(id == null ? "" : " id=\"" + esc(id) + "\"").append("><caption>").append(esc(t.caption()))
        .append("</caption>\n<thead><tr>");
    for (String c : t.headers()) {
      h.append("<th scope=\"col\">").append(esc(c)).append("</th>");
    }
    h.append("</tr></thead>\n<tbody>\n");
    for (List<String> r : t.rows()) {
      h.append("<tr>");
      for (int i = 0; i < r.size(); i++) {
        h.append(i == 0 ? "<th scope=\"row\">" : "<td>").append(esc(r.get(i))).append(i == 0 ? "</th>" : "</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }

  /** JSON safe inside a script element: no {@code </} and no {@code <!--}. */
  private static String json(Object o) {
    try {
      return new ObjectMapper().writeValueAsString(o).replace("<", "\\u003c").replace(">", "\\u003e")
          .replace("&", "\\u0026");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String chartJs() {
    try (InputStream in = RenderDashboard.class.getClassLoader().getResourceAsStream(CHART_JS)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + CHART_JS);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String CSS = """
      :root{--fg:#1f2933;--muted:#52606d;--line:#d9e2ec;--bg:#f5f7fa}
      *{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
      color:var(--fg);background:var(--bg)}header{background:#102a43;color:#fff;padding:16px 24px}
      header h1{margin:0 0 4px;font-size:1.5rem}.sub{margin:2px 0;color:#d9e2ec;font-size:.9rem}
      nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:16px;padding:0;margin:10px 0 0}
      nav a{color:#9fb3c8}main{padding:8px 24px 24px}h2{border-bottom:2px solid var(--line);padding-bottom:4px}
      .note{color:var(--muted);font-size:.9rem}.panels{display:flex;flex-direction:column;gap:16px}
      figure.panel{background:#fff;border:1px solid var(--line);border-radius:6px;margin:0;padding:12px;
      width:100%;overflow-x:auto}figcaption{font-weight:600;margin-bottom:6px}canvas{width:100%;height:auto}
      table{border-collapse:collapse;font-size:.8rem;margin-top:6px}caption{text-align:left;color:var(--muted);
      padding:4px 0}th,td{border:1px solid var(--line);padding:3px 6px;text-align:right}th[scope=row]{text-align:left}
      thead th{background:var(--bg)}details{margin-top:6px}summary{cursor:pointer;color:#243b53}
      .banner{background:#fff3c4;color:#5c3c00;border-bottom:2px solid #f0b429;padding:8px 24px}
      .banner ul{margin:4px 0 0;padding-left:20px}
      #dashboard-errors{background:#ffe3e3;color:#8a1c1c;padding:8px 24px;white-space:pre-wrap}
      footer{color:var(--muted);font-size:.8rem;padding:12px 24px}
      """;

  private static final String SCRIPT = """
      (function () {
        'use strict';
        var palette = ['#2f6fbf', '#d9822b', '#2e8b57', '#b83280', '#6b46c1', '#c53030', '#319795', '#718096',
                       '#975a16', '#2c5282', '#9c4221', '#276749'];
        var errors = [];
        function report(message) {
          errors.push(String(message));
          var box = document.getElementById('dashboard-errors');
          box.hidden = false;
          box.textContent = 'Dashboard errors:\\n' + errors.join('\\n');
          document.body.setAttribute('data-errors', String(errors.length));
          if (window.console) { console.error('dashboard: ' + message); }
        }
        window.addEventListener('error', function (e) { report(e.message); });
        // where each category's marker was drawn: the label of the band whose drawn bar holds its point, by
        // pixels (e.g. "Decile 8"), "none" without a marker, "outside the bands" below p1 or above p99; a headless browser checks it against the table
        function markerBands(chart, s) {
          var marker = s.series.findIndex(function (d) { return d.kind === 'marker'; });
          return s.labels.map(function (label, j) {
            var pt = marker < 0 ? null : chart.getDatasetMeta(marker).data[j];
            var found = 'none';
            if (pt && s.series[marker].values[j] !== null) {
              found = 'outside the bands';
              s.series.forEach(function (d, k) {
                var bar = d.kind === 'band' ? chart.getDatasetMeta(k).data[j] : null;
                if (bar && d.ranges[j] && pt.y <= Math.max(bar.y, bar.base) && pt.y >= Math.min(bar.y, bar.base)) {
                  found = d.label;
                }
              });
            }
            return label + ': ' + found;
          }).join('; ');
        }
        var drawn = 0, specs = [];
        try {
          specs = JSON.parse(document.getElementById('dashboard-data').textContent);
          Chart.defaults.font.family = 'system-ui, sans-serif';
          specs.forEach(function (s) {
            var canvas = document.getElementById(s.id);
            try {
              var bands = s.series.filter(function (d) { return d.kind === 'band'; }).length, band = 0;
              var datasets = s.series.map(function (d, i) {
                if (d.kind === 'band') {
                  var shade = 'hsl(210, 45%, ' + (90 - Math.round(55 * band++ / Math.max(1, bands - 1))) + '%)';
                  return { label: d.label, data: d.ranges, backgroundColor: shade, borderColor: '#ffffff',
                           borderWidth: 1, grouped: false, barPercentage: 0.9, order: 3 };
                }
                if (d.kind === 'interval') {
                  return { label: d.label, data: d.ranges, backgroundColor: '#1f2933', borderColor: '#1f2933',
                           grouped: false, barPercentage: 0.1, maxBarThickness: 8, order: 2 };
                }
                if (d.kind === 'marker') {
                  return { type: 'line', label: d.label, data: d.values, showLine: false, pointRadius: 7,
                           pointStyle: 'rectRot', backgroundColor: '#d9822b', borderColor: '#1f2933', order: 1 };
                }
                var color = d.dashed ? '#9aa5b1' : palette[i % palette.length];
                return { label: d.label, data: d.values, backgroundColor: color, borderColor: color,
                         borderDash: d.dashed ? [6, 4] : [], borderWidth: d.dashed ? 2 : 1, spanGaps: false };
              });
              var chart = new Chart(canvas, {
                type: s.type,
                data: { labels: s.labels, datasets: datasets },
                options: {
                  animation: false, responsive: false,
                  plugins: { title: { display: true, text: s.title },
                             legend: { display: s.series.length > 1, position: 'bottom' } },
                  scales: { x: { title: { display: true, text: s.xLabel } },
                            y: { beginAtZero: true, title: { display: true, text: s.yLabel } } }
                }
              });
              var px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data, painted = 0;
              for (var i = 3; i < px.length; i += 4) { if (px[i] !== 0) { painted++; } }
              canvas.setAttribute('data-painted-pixels', String(painted));
              canvas.setAttribute('data-rendered', painted > 0 ? 'true' : 'false');
              if (bands > 0) { canvas.setAttribute('data-marker-bands', markerBands(chart, s)); }
              if (painted > 0) { drawn++; } else { report(s.id + ': nothing drawn'); }
            } catch (e) {
              canvas.setAttribute('data-rendered', 'false');
              report(s.id + ': ' + e.message);
            }
          });
        } catch (e) {
          report(e.message);
        }
        document.body.setAttribute('data-charts-expected', String(specs.length));
        document.body.setAttribute('data-charts-rendered', String(drawn));
      })();
      """;
}
