package org.pophealth.io;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the project checkout (launchers, measure packages) wherever the command runs from. */
public final class ProjectFiles {
  private ProjectFiles() {}

  /** A project-relative path, resolved against $POPHEALTH_HOME (set by bin/pophealth) when not found as given. */
  public static Path path(String p) {
    Path path = Path.of(p);
    String home = System.getenv("POPHEALTH_HOME");
    if (!path.isAbsolute() && home != null && !Files.exists(path)) {
      return Path.of(home).resolve(path);
    }
    return path;
  }
}
