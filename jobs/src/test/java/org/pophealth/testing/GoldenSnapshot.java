package org.pophealth.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A committed fingerprint of a run's tables: per table, the row count and the SHA-256 of its sorted JSON
 * rows ({@link TableSnapshot}), one {@code table<TAB>rows<TAB>sha256} line each. A test compares a fresh
 * run with it instead of running the reference side again (the standalone-cluster demo against the local
 * demo). On a difference the actual rows go to {@code target/snapshot-actual/<name>/<table>.ndjson} for
 * inspection. {@code -Dupdate.snapshots=true} rewrites the committed file under
 * {@code src/test/resources/snapshots/} from the run instead of comparing: review the diff, it is the
 * change in what the pipeline produces.
 */
public final class GoldenSnapshot {
  private GoldenSnapshot() {}

  /** Fingerprint lines of a snapshot, sorted by table. */
  public static List<String> fingerprint(Map<String, List<String>> snapshot) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : new TreeMap<>(snapshot).entrySet()) {
      out.add(e.getKey() + "\t" + e.getValue().size() + "\t" + sha256(e.getValue()));
    }
    return out;
  }

  /** Compares {@code snapshot} with the committed {@code snapshots/<name>.tsv} (or rewrites it, see above). */
  public static void assertMatches(String name, Map<String, List<String>> snapshot) throws IOException {
    List<String> actual = fingerprint(snapshot);
    Path source = Path.of("src/test/resources/snapshots", name + ".tsv");
    if (Boolean.getBoolean("update.snapshots")) {
      Files.createDirectories(source.getParent());
      Files.write(source, actual, StandardCharsets.UTF_8);
      return;
    }
    Path committed = TestResources.dir("snapshots").resolve(name + ".tsv");
    List<String> expected = Files.readAllLines(committed, StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    if (!expected.equals(actual)) {
      Path dir = Path.of("target/snapshot-actual", name);
      Files.createDirectories(dir);
      for (Map.Entry<String, List<String>> e : snapshot.entrySet()) {
        Files.write(dir.resolve(e.getKey() + ".ndjson"), e.getValue(), StandardCharsets.UTF_8);
      }
    }
    assertEquals(String.join("\n", expected), String.join("\n", actual),
        "tables differ from snapshots/" + name + ".tsv (actual rows in " + Path.of("target/snapshot-actual", name)
            .toAbsolutePath() + "; -Dupdate.snapshots=true rewrites the snapshot when the change is intended)");
  }

  private static String sha256(List<String> rows) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String r : rows) {
        md.update(r.getBytes(StandardCharsets.UTF_8));
        md.update((byte) '\n');
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
