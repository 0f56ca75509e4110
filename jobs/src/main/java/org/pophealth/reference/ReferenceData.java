package org.pophealth.reference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.pophealth.io.ClasspathDirs;

/**
 * The one loader of reference data: a folder of {@code measures/} by its packaged name ({@code "cohorts"},
 * {@code "risk/cms-hcc"}), read from the classpath (target/classes or the jar), optionally with files from
 * a directory of the configuration or the command line. CSV files are read as {@link ReferenceTable}s typed
 * by the folder's {@value #DECLARATIONS} (the nearest one up the folder tree: {@code ecqm/columns.yaml}
 * declares the files of every package folder under it; a name declared with {@code YYYY} declares each year's
 * file of that layout, see {@link #yearPattern}); other files (YAML) as bytes or text for their
 * readers to parse. Override files are checked against the packaged declarations: the declaration is the
 * code's contract with its data, whoever supplies the data.
 *
 * <p>Immutable: {@link #overriddenBy}, {@link #replacedBy} and {@link #withFile} return a new folder.
 */
public final class ReferenceData {
  /** The declaration file of a folder: file → column → type. */
  public static final String DECLARATIONS = "columns.yaml";
  private static final String ROOT = "measures/";
  /** Parsed declaration files by URL (the classpath does not change while the JVM runs). */
  private static final Map<String, Map<String, Map<String, Column>>> DECLARED = new ConcurrentHashMap<>();

  private final ClassLoader classpath;
  private final String name;
  private final Path dir;
  private final boolean whole;
  private final String what;
  private final Map<String, Path> files;

  private ReferenceData(ClassLoader classpath, String name, Path dir, boolean whole, String what,
      Map<String, Path> files) {
    this.classpath = classpath;
    this.name = name;
    this.dir = dir;
    this.whole = whole;
    this.what = what;
    this.files = Map.copyOf(files);
  }

  /** The packaged folder {@code measures/<name>/}. */
  public static ReferenceData packaged(String name) {
    return packaged(name, ReferenceData.class.getClassLoader());
  }

  /** As {@link #packaged(String)}, from the resources of {@code classpath} (tests: a jar of their own). */
  static ReferenceData packaged(String name, ClassLoader classpath) {
    if (name.isEmpty() || name.startsWith("/") || name.endsWith("/")) {
      throw new IllegalArgumentException("a folder of measures/ is named like cohorts or risk/cms-hcc: " + name);
    }
    return new ReferenceData(classpath, name, null, false, null, Map.of());
  }

  /**
   * Each file from {@code dir} when it has it, else the packaged one ({@code dir} null: this folder). A
   * {@code dir} that is not a directory is an IllegalArgumentException {@code <what> directory not found}.
   */
  public ReferenceData overriddenBy(String dir, String what) {
    return dir == null ? this : new ReferenceData(classpath, name, directory(dir, what), false, what, files);
  }

  /**
   * Every file from {@code dir}, none packaged ({@code dir} null: this folder); a missing one is an
   * IllegalArgumentException {@code <what>: <file> is missing}.
   */
  public ReferenceData replacedBy(String dir, String what) {
    return dir == null ? this : new ReferenceData(classpath, name, directory(dir, what), true, what, files);
  }

  /** The file {@code file} read from {@code path} (e.g. a file named on the command line). */
  public ReferenceData withFile(String file, Path path) {
    Map<String, Path> m = new HashMap<>(files);
    m.put(file, path);
    return new ReferenceData(classpath, name, dir, whole, what, m);
  }

  /** The packaged name, e.g. {@code cohorts}. */
  public String name() {
    return name;
  }

  /** Where the folder is read from, for messages: the override directory, else {@code measures/<name>/}. */
  public String location() {
    return dir != null ? dir.toString() : ROOT + name + "/";
  }

  /** The file as messages name it: its override path, else {@code measures/<name>/<file>}. */
  public String where(String file) {
    Path p = source(file);
    return p != null ? p.toString() : resource(file);
  }

  /** True when the file is there (in the override, or packaged). */
  public boolean exists(String file) {
    Path p = source(file);
    return p != null ? Files.isRegularFile(p) : classpath.getResource(resource(file)) != null;
  }

  /** The file's bytes; IllegalArgumentException when an override file cannot be read. */
  public byte[] bytes(String file) {
    Path p = source(file);
    if (p == null) {
      try (InputStream in = classpath.getResourceAsStream(resource(file))) {
        if (in == null) {
          throw new IllegalStateException(resource(file) + " is not on the classpath");
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + resource(file) + ": " + e.getMessage(), e);
      }
    }
    if (whole && !files.containsKey(file) && !Files.isRegularFile(p)) {
      throw new IllegalArgumentException(what + ": " + p + " is missing");
    }
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  /** The file as UTF-8 text. */
  public String text(String file) {
    return new String(bytes(file), StandardCharsets.UTF_8);
  }

  /** A CSV file read against its declaration (see {@link ReferenceTable}). */
  public ReferenceTable table(String file) {
    String declaredIn = declarationsOf(name);
    Map<String, Map<String, Column>> declared = declarations(declaredIn);
    Map<String, Column> columns = declared.getOrDefault(file, declared.get(yearPattern(file)));
    if (columns == null) {
      throw new IllegalStateException(where(file) + ": no columns declared for " + file + " in " + declaredIn);
    }
    return ReferenceTable.parse(where(file), text(file), columns, declaredIn);
  }

  /**
   * Names of the files ending in {@code suffix} in the folder's own directory (the override directory when
   * there is one, else the packaged folder), sorted; {@value #DECLARATIONS} left out.
   */
  public List<String> list(String suffix) {
    Path d = dir != null ? dir : packagedDir();
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix) && !n.equals(DECLARATIONS))
          .sorted().toList();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list " + location() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The declaration name of a file of one layout per year: each four-digit number of the name as {@code YYYY}
   * (2026.csv is declared as YYYY.csv, unless it is declared by its own name).
   */
  public static String yearPattern(String file) {
    return file.replaceAll("(?<![0-9])[0-9]{4}(?![0-9])", "YYYY");
  }

  /** The file's override path, null when it comes from the classpath. */
  private Path source(String file) {
    Path p = files.get(file);
    if (p != null || dir == null) {
      return p;
    }
    Path f = dir.resolve(file);
    return whole || Files.isRegularFile(f) ? f : null;
  }

  private String resource(String file) {
    return ROOT + name + "/" + file;
  }

  /** The packaged folder as a Path (inside the jar or in target/classes), found by its declaration file. */
  private Path packagedDir() {
    String declaredIn = declarationsOf(name);
    String folder = declaredIn.substring(ROOT.length(), declaredIn.length() - DECLARATIONS.length() - 1);
    Path d = ClasspathDirs.parentOf(declaredIn, classpath);
    return folder.equals(name) ? d : d.resolve(name.substring(folder.length() + 1));
  }

  /** The resource of the nearest declaration file: measures/<name>/columns.yaml, else its parents'. */
  private String declarationsOf(String folder) {
    for (String f = folder; ; f = f.substring(0, f.lastIndexOf('/'))) {
      String r = ROOT + f + "/" + DECLARATIONS;
      if (classpath.getResource(r) != null) {
        return r;
      }
      if (f.indexOf('/') < 0) {
        throw new IllegalStateException("no " + DECLARATIONS + " for " + ROOT + folder
            + "/ (nor for a folder above it)");
      }
    }
  }

  private Map<String, Map<String, Column>> declarations(String resource) {
    return DECLARED.computeIfAbsent(String.valueOf(classpath.getResource(resource)), url -> {
      try (InputStream in = classpath.getResourceAsStream(resource)) {
        return ColumnDeclarations.parse(resource, in.readAllBytes());
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + resource + ": " + e.getMessage(), e);
      }
    });
  }

  private static Path directory(String dir, String what) {
    Path d = Path.of(dir);
    if (!Files.isDirectory(d)) {
      throw new IllegalArgumentException(what + " directory not found: " + dir);
    }
    return d;
  }
}
