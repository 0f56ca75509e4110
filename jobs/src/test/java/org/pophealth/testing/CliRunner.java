package org.pophealth.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.pophealth.cli.PopHealthCli;

/** Runs the CLI in this JVM (sharing the test SparkSession) and captures stdout and stderr. */
public final class CliRunner {
  public record Result(int exitCode, String out, String err) {}

  private CliRunner() {}

  public static Result run(String... args) {
    SharedSpark.spark(); // the CLI attaches to the shared session
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PopHealthCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }
}
