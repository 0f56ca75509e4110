package org.pophealth.ops;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Properties;

/**
 * Who runs, where, and which build: what every audit row carries. The user is the operating-system account
 * of the process (the JVM's {@code user.name}, taken from the process's uid, not from {@code $USER}); the
 * host is the machine's name; the version and git commit come from the build ({@code pophealth-git.properties},
 * written by the build into the jar).
 *
 * @param user OS account running the process
 * @param host host name
 * @param pid process id
 * @param version product version
 * @param gitCommit commit the build was made from ({@code +dirty} when the working tree had changes;
 *     {@code unknown} for a build outside a git checkout)
 */
public record Provenance(String user, String host, long pid, String version, String gitCommit) {
  private static volatile Provenance current;

  /** This process's provenance (computed once). */
  public static Provenance current() {
    Provenance p = current;
    if (p == null) {
      Properties build = new Properties();
      try (InputStream in = Provenance.class.getResourceAsStream("/pophealth-git.properties")) {
        if (in != null) {
          build.load(in);
        }
      } catch (IOException e) {
        // no build information: recorded as unknown
      }
      String commit = build.getProperty("git.commit.id", "").isBlank() ? "unknown" : build.getProperty("git.commit.id");
      if ("true".equals(build.getProperty("git.dirty")) && !commit.equals("unknown")) {
        commit += "+dirty";
      }
      String version = build.getProperty("git.build.version", "");
      if (version.isBlank()) {
        String v = Provenance.class.getPackage().getImplementationVersion();
        version = v == null ? "unknown" : v;
      }
      p = new Provenance(System.getProperty("user.name", "unknown"), hostName(), ProcessHandle.current().pid(),
          version, commit);
      current = p;
    }
    return p;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      String h = System.getenv("HOSTNAME");
      return h == null || h.isBlank() ? "unknown" : h;
    }
  }
}
