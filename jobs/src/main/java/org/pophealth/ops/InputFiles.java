package org.pophealth.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The files a job read, for the audit trail: every regular file under the given paths (recursively; hidden
 * files such as {@code .crc} side files and partial downloads left out), with its size and SHA-256, in path
 * order. Local paths and any Hadoop-compatible URI.
 */
public final class InputFiles {
  /** One file: where, how big, and its SHA-256 (hex). */
  public record InputFile(String path, long bytes, String sha256) {}

  private InputFiles() {}

  public static List<InputFile> describe(List<String> paths, Configuration hadoop) {
    List<InputFile> out = new ArrayList<>();
    for (String p : paths) {
      if (p == null || p.isBlank()) {
        continue;
      }
      Path root = new Path(p);
      try {
        FileSystem fs = root.getFileSystem(hadoop);
        if (!fs.exists(root)) {
          continue;
        }
        FileStatus st = fs.getFileStatus(root);
        if (st.isFile()) {
          out.add(hash(fs, st));
          continue;
        }
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        List<FileStatus> files = new ArrayList<>();
        while (it.hasNext()) {
          LocatedFileStatus f = it.next();
          if (!hidden(root, f.getPath())) {
            files.add(f);
          }
        }
        files.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
        for (FileStatus f : files) {
          out.add(hash(fs, f));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read input " + p + " to record its checksum", e);
      }
    }
    return List.copyOf(out);
  }

  /** A name, or a folder between the root and the file, starting with '.' or '_'. */
  private static boolean hidden(Path root, Path file) {
    for (Path p = file; p != null && !p.equals(root) && p.depth() > root.depth(); p = p.getParent()) {
      String n = p.getName();
      if (n.startsWith(".") || n.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  private static InputFile hash(FileSystem fs, FileStatus st) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = fs.open(st.getPath())) {
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        md.update(buf, 0, n);
      }
    }
    return new InputFile(st.getPath().toUri().getPath().isEmpty() ? st.getPath().toString()
        : st.getPath().toString().replaceFirst("^file:", ""), st.getLen(), HexFormat.of().formatHex(md.digest()));
  }
}
