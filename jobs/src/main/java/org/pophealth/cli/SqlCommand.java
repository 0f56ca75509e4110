package org.pophealth.cli;

import org.pophealth.jobs.JobContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.pophealth.lakehouse.Lakehouse;
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
      "With --format csv, stdout holds exactly the CSV (header, then rows); logs go to stderr."})
final class SqlCommand implements Callable<Integer> {
  enum Format { table, csv, json }

  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "QUERY", description = "The SQL query.")
  String query;

  @Option(names = "--stdin", description = {"Session mode for notebooks: read one query per line from stdin (a JSON",
      "string), answer each with JSON rows then a line {\"__end__\": rows, \"__columns__\": [...]} or {\"__error__\": message}."})
  boolean stdin;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or json (one object per line); default ${DEFAULT-VALUE}.")
  Format format;

  @Override
  public Integer call() {
    Lakehouse lh = new JobContext(parent.global).lakehouse();
    lh.registerCatalog();
    PrintWriter out = spec.commandLine().getOut();
    if (stdin) {
      return session(lh, out);
    }
    if (query == null) {
      throw new IllegalArgumentException("a QUERY is required (or --stdin)");
    }
    Dataset<Row> df = lh.spark().sql(query);
    switch (format) {
      case json -> df.toJSON().toLocalIterator().forEachRemaining(out::println);
      case csv -> {
        out.println(String.join(",", List.of(df.columns()).stream().map(SqlCommand::csv).toList()));
        df.toLocalIterator().forEachRemaining(r -> out.println(csvRow(r)));
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
      }
    }
    out.flush();
    return 0;
  }

  /** One JVM for many queries: a notebook kernel keeps this process and sends its queries here. */
  private static int session(Lakehouse lh, PrintWriter out) {
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        try {
          String q = json.readValue(line, String.class);
          long[] n = {0};
          org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> result = lh.spark().sql(q);
          result.toJSON().toLocalIterator().forEachRemaining(r -> {
            out.println(r);
            n[0]++;
          });
          // JSON rows leave null fields out: the column list lets the caller keep all-null columns
          out.println("{\"__end__\": " + n[0] + ", \"__columns__\": "
              + json.writeValueAsString(java.util.List.of(result.columns())) + "}");
        } catch (Exception e) {
          String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n")[0];
          out.println("{\"__error__\": " + json.writeValueAsString(m) + "}");
        }
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
