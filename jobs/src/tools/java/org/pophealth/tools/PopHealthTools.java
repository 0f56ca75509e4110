package org.pophealth.tools;

import java.util.List;
import org.pophealth.cli.CliExtension;
import org.pophealth.tools.bench.BenchCommand;
import org.pophealth.tools.demo.DemoCommand;

/** The tools jar's commands: {@code demo} first in {@code --help}, {@code bench} with the other tools. */
public final class PopHealthTools implements CliExtension {
  @Override
  public List<Object> leadingCommands() {
    return List.of(new DemoCommand());
  }

  @Override
  public List<Object> trailingCommands() {
    return List.of(new BenchCommand());
  }
}
