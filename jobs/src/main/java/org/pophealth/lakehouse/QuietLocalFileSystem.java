package org.pophealth.lakehouse;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FsServerDefaults;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.local.LocalConfigKeys;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system without a child process per file. Without Hadoop's native library (which
 * Spark does not ship) {@code RawLocalFileSystem} runs {@code chmod} for every file and directory it
 * creates and {@code readlink} twice for every rename, Delta's commits included: about 750 processes for
 * one small golden case. Here permissions are set and links read through {@code java.nio}; symbolic links
 * and anything {@code java.nio} cannot express still take Hadoop's own path. Checksums (.crc side files)
 * are kept, as in Hadoop's {@code LocalFileSystem}.
 *
 * <p>Installed for {@code file:} by {@link SparkSessions#baseConf} ({@code fs.file.impl} for
 * {@code FileSystem}, {@code fs.AbstractFileSystem.file.impl} for {@code FileContext}, which Delta's log
 * store uses for its atomic renames).
 */
public final class QuietLocalFileSystem extends LocalFileSystem {
  public QuietLocalFileSystem() {
    super(new Raw());
  }

  /** The raw (checksum-free) layer, also behind {@link Fs}. */
  static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      String rwx = permission.toString();
      if (rwx.length() == 9 && rwx.matches("[r-][w-][x-][r-][w-][x-][r-][w-][x-]")) {
        try {
          Files.setPosixFilePermissions(pathToFile(p).toPath(), PosixFilePermissions.fromString(rwx));
          return;
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system: Hadoop's way below
        }
      }
      super.setPermission(p, permission);
    }

    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
      File file = pathToFile(f);
      if (!Files.isSymbolicLink(file.toPath())) {
        // what Hadoop returns for a path that is not a link, without asking readlink first
        return getFileStatus(f);
      }
      return super.getFileLinkStatus(f);
    }
  }

  /** {@code FileContext}'s view of the same file system, with checksums (as Hadoop's {@code LocalFs}). */
  public static final class Fs extends ChecksumFs {
    public Fs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(new RawFs(uri, conf));
    }

    public Fs(Configuration conf) throws IOException, URISyntaxException {
      this(org.apache.hadoop.fs.FsConstants.LOCAL_FS_URI, conf);
    }
  }

  /** As Hadoop's {@code RawLocalFs}, over {@link Raw}. */
  static final class RawFs extends DelegateToFileSystem {
    RawFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new Raw(), conf, org.apache.hadoop.fs.FsConstants.LOCAL_FS_URI.getScheme(), false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1;
    }

    @Override
    @SuppressWarnings("deprecation")
    public FsServerDefaults getServerDefaults() throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public FsServerDefaults getServerDefaults(Path f) throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public boolean isValidName(String src) {
      return true;
    }
  }
}
