package org.pophealth.ops.alerts;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.pophealth.io.Messages;

/**
 * {@code alerts.command}: a program run without a shell (argv as configured), the event as one JSON document on
 * its standard input; exit 0 is sent. Its output is discarded; it is killed after the timeout.
 */
final class CommandNotifier implements Notifier {
  private final List<String> argv;
  private final double timeoutSeconds;

  CommandNotifier(List<String> argv, double timeoutSeconds) {
    if (timeoutSeconds <= 0) {
      throw new IllegalArgumentException("alerts.command_timeout_seconds must be above 0");
    }
    if (argv.stream().anyMatch(a -> a == null || a.isEmpty())) {
      throw new IllegalArgumentException("alerts.command: every argument must be a non-empty string");
    }
    this.argv = List.copyOf(argv);
    this.timeoutSeconds = timeoutSeconds;
  }

  @Override
  public String name() {
    return "command";
  }

  @Override
  public Outcome send(AlertEvent event) {
    Process p;
    try {
      p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      return new Outcome(false, 1, "cannot start " + argv.get(0) + ": " + Messages.firstLine(e.getMessage()));
    }
    try {
      try (OutputStream in = p.getOutputStream()) {
        in.write(event.json());
      } catch (IOException e) {
        // the program closed its input early: its exit code decides
      }
      if (!p.waitFor((long) (timeoutSeconds * 1000), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Outcome(false, 1, "timed out after " + timeoutSeconds + " s: killed");
      }
      int code = p.exitValue();
      return code == 0 ? new Outcome(true, 1, null) : new Outcome(false, 1, "exit " + code);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Outcome(false, 1, "interrupted");
    }
  }
}
