package org.pophealth.io;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;

/** A directory packaged on the classpath (inside the jar or in target/classes) as a {@link Path}. */
public final class ClasspathDirs {
  private ClasspathDirs() {}

  /** The directory holding the classpath resource {@code anyFile} (e.g. {@code measures/cohorts/x.csv}). */
  public static Path parentOf(String anyFile) {
    return parentOf(anyFile, ClasspathDirs.class.getClassLoader());
  }

  /** As {@link #parentOf(String)}, among the resources of {@code classpath}. */
  public static Path parentOf(String anyFile, ClassLoader classpath) {
    Path p = parentOrNull(anyFile, classpath);
    if (p == null) {
      throw new IllegalStateException(anyFile + " is not on the classpath");
    }
    return p;
  }

  /** As {@link #parentOf}, null when the resource is not on the classpath. */
  public static Path parentOrNull(String anyFile) {
    return parentOrNull(anyFile, ClasspathDirs.class.getClassLoader());
  }

  /** As {@link #parentOrNull(String)}, among the resources of {@code classpath}. */
  public static Path parentOrNull(String anyFile, ClassLoader classpath) {
    URL url = classpath.getResource(anyFile);
    if (url == null) {
      return null;
    }
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        FileSystem fs;
        try {
          fs = FileSystems.getFileSystem(uri);
        } catch (FileSystemNotFoundException e) {
          fs = FileSystems.newFileSystem(uri, Map.of());
        }
        return fs.provider().getPath(uri).getParent();
      }
      return Path.of(uri).getParent();
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException("cannot open " + anyFile + ": " + e.getMessage(), e);
    }
  }
}
