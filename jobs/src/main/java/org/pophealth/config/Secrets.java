package org.pophealth.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Secrets named by the configuration, never held in it: an environment variable, else a file. */
public final class Secrets {
  private Secrets() {}

  /**
   * The value of the environment variable {@code envName} when it is set and not blank, else the content of
   * {@code file} (stripped), else null.
   *
   * @param fileKey the key naming the file, for the error when it cannot be read (the file's path, never its content)
   */
  public static String fromEnvOrFile(String envName, String file, String fileKey) {
    String env = envName == null || envName.isBlank() ? null : System.getenv(envName);
    if (env != null && !env.isBlank()) {
      return env;
    }
    if (file != null && !file.isBlank()) {
      try {
        return Files.readString(Path.of(file)).strip();
      } catch (IOException e) {
        throw new IllegalArgumentException(fileKey + " cannot be read: " + file);
      }
    }
    return null;
  }
}
