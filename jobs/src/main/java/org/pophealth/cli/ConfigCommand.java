package org.pophealth.cli;

import java.util.concurrent.Callable;
import org.pophealth.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Print the documented default configuration (every key and its default), or check a file with --config.")
final class ConfigCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (parent.global.config() != null) {
      ConfigLoader.load(parent.global.config());
      spec.commandLine().getOut().println("config " + parent.global.config() + " is valid");
    } else {
      spec.commandLine().getOut().print(ConfigLoader.defaultsText());
    }
    spec.commandLine().getOut().flush();
    return 0;
  }
}
