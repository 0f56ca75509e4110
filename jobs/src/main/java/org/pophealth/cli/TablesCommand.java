package org.pophealth.cli;

import org.pophealth.jobs.JobContext;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "tables", mixinStandardHelpOptions = true,
    description = "List every table of the lakehouse: zone, name, rows, Delta version, last update.")
final class TablesCommand implements Callable<Integer> {
  @ParentCommand PopHealthCli parent;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    new TablesCommandRunner(new JobContext(parent.global).lakehouse()).print(spec.commandLine().getOut());
    return 0;
  }
}
