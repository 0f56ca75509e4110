package org.pophealth.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server for tests: initdb into a temporary folder and pg_ctl start on 127.0.0.1 and a
 * free port (as the {@code postgres} user when the tests run as root, which PostgreSQL refuses). The
 * binaries come from PATH or the Debian package's /usr/lib/postgresql/N/bin.
 */
public final class LocalPostgres implements AutoCloseable {
  private final Path bin;
  private final Path data;
  private final int port;
  private final boolean asPostgres;

  private LocalPostgres(Path bin, Path data, int port, boolean asPostgres) {
    this.bin = bin;
    this.data = data;
    this.port = port;
    this.asPostgres = asPostgres;
  }

  public static LocalPostgres start() throws IOException, InterruptedException {
    Path bin = findBin();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("pophealth-pg-");
    Path data = dir.resolve("data");
    if (root) {
      run(List.of("chown", "-R", "postgres", dir.toString()), false);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    LocalPostgres pg = new LocalPostgres(bin, data, port, root);
    run(pg.cmd(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8"), true);
    run(pg.cmd(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-l", dir.resolve("log").toString(),
        "-o", "-p " + port + " -h 127.0.0.1 -k " + dir, "start"), true);
    return pg;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  private List<String> cmd(String... args) {
    List<String> out = new ArrayList<>();
    if (asPostgres) {
      out.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    out.addAll(List.of(args));
    return out;
  }

  private static Path findBin() {
    for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!p.isEmpty() && Files.isExecutable(Path.of(p, "initdb"))) {
        return Path.of(p);
      }
    }
    try (var s = Files.list(Path.of("/usr/lib/postgresql"))) {
      for (Path v : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (Files.isExecutable(v.resolve("bin/initdb"))) {
          return v.resolve("bin");
        }
      }
    } catch (IOException e) {
      // not installed there
    }
    throw new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
        + "/usr/lib/postgresql/*/bin: install the Debian package postgresql (.ci/run does)");
  }

  private static void run(List<String> cmd, boolean check) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + cmd);
    }
    if (check && p.exitValue() != 0) {
      throw new IllegalStateException("failed (" + p.exitValue() + "): " + cmd + "\n" + out);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run(cmd(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"), false);
  }
}
