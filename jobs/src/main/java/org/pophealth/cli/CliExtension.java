package org.pophealth.cli;

import java.util.List;

/**
 * Commands that ship outside the runtime jar (the demo, benchmarks: {@code pophealth-jobs-<version>-tools.jar})
 * and join {@code bin/pophealth} when their jar is on the classpath, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/org.pophealth.cli.CliExtension}). The runtime code never names them, so a
 * deployment without the tools jar has no generators and no benchmark servers.
 */
public interface CliExtension {
  /** Commands listed before the jobs in {@code --help} (the demo). Picocli command objects. */
  default List<Object> leadingCommands() {
    return List.of();
  }

  /** Commands listed after the tools (benchmarks). Picocli command objects. */
  default List<Object> trailingCommands() {
    return List.of();
  }
}
