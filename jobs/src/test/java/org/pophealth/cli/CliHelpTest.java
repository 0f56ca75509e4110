package org.pophealth.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's {@code --help} renders as written. Picocli formats descriptions with {@code String.format}: a
 * bare {@code %} ("0.5% of patients") makes it print a warning to the console and show the text raw.
 */
class CliHelpTest {
  @Test
  void everyCommandsHelpRendersWithoutAFormatWarning() {
    List<String> broken = new ArrayList<>();
    List<CommandLine> all = new ArrayList<>();
    collect(PopHealthCli.commandLine(), all);
    PrintStream err = System.err;
    for (CommandLine c : all) {
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        c.getUsageMessage();
      } finally {
        System.setErr(err);
      }
      String warnings = captured.toString(StandardCharsets.UTF_8);
      if (warnings.contains("Could not format")) {
        broken.add(c.getCommandSpec().qualifiedName() + ": " + warnings.lines().findFirst().orElse(""));
      }
    }
    assertTrue(all.size() > 30, "commands walked: " + all.size());
    assertTrue(broken.isEmpty(), "help text picocli cannot format (write % as %%):\n" + String.join("\n", broken));
  }

  private static void collect(CommandLine c, List<CommandLine> out) {
    out.add(c);
    c.getSubcommands().values().stream().distinct().forEach(s -> collect(s, out));
  }
}
