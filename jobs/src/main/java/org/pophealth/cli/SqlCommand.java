package org.pophealth.cli;

import org.pophealth.jobs.JobContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.hadoop.util.ShutdownHookManager;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.lakehouse.SqlGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import org.pophealth.io.TextTable;

@Command(name = "sql", mixinStandardHelpOptions = true,
    description = {
      "Run Spark SQL against the lakehouse; tables are addressed as zone.table (e.g. silver.patient).",
      "Read-only by default: queries (SELECT, WITH, VALUES, range), SHOW, DESCRIBE and EXPLAIN over the lakehouse's",
      "tables only; anything else (file paths, writes, DDL, SET, reflect, ...) is refused with a one-line reason.",
      "Every statement, refused ones included, is recorded in ops.sql_query (never its result rows).",
      "With --format csv, stdout holds exactly the CSV (header, then rows); logs go to stderr."})
final class SqlCommand implements Callable<Integer> {
  enum Format { table, csv, json }

  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "QUERY", description = "The SQL query.")
  String query;

  @Option(names = "--stdin", description = {"Session mode for notebooks: read one query per line from stdin (a JSON",
      "string), answer each with JSON rows then a line {\"__end__\": rows, \"__columns__\": [...]} or {\"__error__\": message}.",
      "Its ops.sql_query rows are appended every " + SqlConsole.BATCH + " statements, after 60 s, and at the end."})
  boolean stdin;

  @Option(names = "--admin", description = {"Maintenance mode: also INSERT, UPDATE, DELETE, MERGE, TRUNCATE, OPTIMIZE, VACUUM,",
      "RESTORE, REFRESH, CACHE, ANALYZE and ALTER TABLE ... SET TBLPROPERTIES on the lakehouse's tables by name",
      "(ops.* tables: INSERT INTO only). Prints a warning; each statement is recorded at once."})
  boolean admin;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or json (one object per line); default ${DEFAULT-VALUE}.")
  Format format;

  @Override
  public Integer call() throws Exception {
    if (!stdin && query == null) {
      throw new IllegalArgumentException("a QUERY is required (or --stdin)");
    }
    JobContext ctx = new JobContext(parent.global);
    Lakehouse lh = ctx.lakehouse();
    PrintWriter out = spec.commandLine().getOut();
    SqlGuard.Mode mode = admin ? SqlGuard.Mode.ADMIN : SqlGuard.Mode.READ_ONLY;
    // maintenance writes: one writer at a time, like a job (queries need no lease)
    try (org.pophealth.ops.LakehouseLease lease = admin ? ctx.lease("sql --admin") : null;
        SqlConsole console = SqlConsole.open(lh, mode, stdin ? "stdin" : "cli", spec.commandLine().getErr())) {
      if (stdin) {
        return session(console, System.in, out);
      }
      console.run(query, df -> print(df, out));
    }
    out.flush();
    return 0;
  }

  private long print(Dataset<Row> df, PrintWriter out) {
    long[] n = {0};
    switch (format) {
      case json -> df.toJSON().toLocalIterator().forEachRemaining(r -> {
        out.println(r);
        n[0]++;
      });
      case csv -> {
        out.println(String.join(",", List.of(df.columns()).stream().map(SqlCommand::csv).toList()));
        df.toLocalIterator().forEachRemaining(r -> {
          out.println(csvRow(r));
          n[0]++;
        });
      }
      default -> {
        StructField[] fields = df.schema().fields();
        String[] names = new String[fields.length];
        for (int i = 0; i < fields.length; i++) {
          names[i] = fields[i].name();
        }
        TextTable t = new TextTable(names);
        List<Row> rows = df.collectAsList();
        for (Row r : rows) {
          Object[] cells = new Object[r.size()];
          for (int i = 0; i < r.size(); i++) {
            cells[i] = cell(r.get(i));
          }
          t.row(cells);
        }
        t.print(out);
        out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
        n[0] = rows.size();
      }
    }
    return n[0];
  }

  /**
   * One JVM for many queries: a notebook kernel keeps this process and sends its queries here. The audit
   * rows still buffered are appended at end of input, or by a shutdown hook when the process is stopped.
   */
  static int session(SqlConsole console, InputStream stdin, PrintWriter out) {
    ObjectMapper json = new ObjectMapper();
    // before Spark's own hook (priority 40) stops the SparkContext: SIGTERM and Ctrl-C still record the buffer
    Runnable flushOnExit = () -> {
      try {
        console.flush();
      } catch (RuntimeException e) {
        System.err.println("error: " + SqlConsole.oneLine(e));
      }
    };
    ShutdownHookManager.get().addShutdownHook(flushOnExit, 50);
    try (BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        try {
          String q = json.readValue(line, String.class);
          String[] columns = {null};
          long n = console.run(q, result -> {
            long[] count = {0};
            result.toJSON().toLocalIterator().forEachRemaining(r -> {
              out.println(r);
              count[0]++;
            });
            columns[0] = json.writeValueAsString(List.of(result.columns()));
            return count[0];
          });
          // JSON rows leave null fields out: the column list lets the caller keep all-null columns
          out.println("{\"__end__\": " + n + ", \"__columns__\": " + columns[0] + "}");
        } catch (Exception e) {
          out.println("{\"__error__\": " + json.writeValueAsString(SqlConsole.oneLine(e)) + "}");
        }
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      ShutdownHookManager.get().removeShutdownHook(flushOnExit);
    }
    return 0;
  }

  private static String csvRow(Row r) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < r.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      Object v = r.get(i);
      sb.append(v == null ? "" : csv(cell(v)));
    }
    return sb.toString();
  }

  static String cell(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof scala.collection.Seq<?> s) {
      return scala.collection.JavaConverters.seqAsJavaList(s).toString();
    }
    if (v instanceof scala.collection.Map<?, ?> m) {
      return scala.collection.JavaConverters.mapAsJavaMap(m).toString();
    }
    return v.toString();
  }

  static String csv(String s) {
    if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }
}
