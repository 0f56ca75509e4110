package org.pophealth.cli;

import java.util.concurrent.Callable;
import org.pophealth.lakehouse.ContractRegistry;
import org.pophealth.lakehouse.TableReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "schema", mixinStandardHelpOptions = true,
    description = "Print the table reference (docs/TABLES.md) generated from the contracts in schemas/.")
final class SchemaCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(TableReference.markdown(ContractRegistry.get()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
