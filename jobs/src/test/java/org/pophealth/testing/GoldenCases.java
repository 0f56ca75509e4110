package org.pophealth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The golden cases of a capability: the folders under {@code src/test/resources/<capability>/}, one
 * case each, sorted. {@code -Dgolden.cases=a,b} runs only the named cases (to iterate on one case).
 */
public final class GoldenCases {
  private GoldenCases() {}

  /** Case names for a parameterized runner's {@code @MethodSource}. */
  public static Stream<String> names(String capability) {
    String only = System.getProperty("golden.cases");
    List<String> selected = only == null ? null : List.of(only.split(","));
    try (Stream<Path> s = Files.list(dir(capability))) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
          .filter(n -> selected == null || selected.contains(n)).sorted().toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The folder of a capability ({@code dir("claims")}) or of one case ({@code dir("claims/reversals")}). */
  public static Path dir(String path) {
    try {
      return Path.of(GoldenCases.class.getResource("/" + path).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("no test resources at /" + path, e);
    }
  }
}
