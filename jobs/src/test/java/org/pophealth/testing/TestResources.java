package org.pophealth.testing;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Folders of the test resources ({@code src/test/resources/...}) as paths. */
public final class TestResources {
  private TestResources() {}

  /** The folder {@code src/test/resources/<path>} (e.g. {@code dir("claims/reversals")}). */
  public static Path dir(String path) {
    try {
      return Path.of(TestResources.class.getResource("/" + path).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("no test resources at /" + path, e);
    }
  }
}
