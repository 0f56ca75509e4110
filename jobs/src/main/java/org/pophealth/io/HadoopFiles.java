package org.pophealth.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/** Files written through Hadoop's file system for people to receive (publications, the dashboard). */
public final class HadoopFiles {
  private HadoopFiles() {}

  /**
   * Deletes the checksum side files ({@code .list.csv.crc}, ...) the local file system writes beside each file,
   * for one file or every file under a folder: a delivered folder holds only what its audience receives.
   */
  public static void removeChecksums(FileSystem fileSystem, Path fileOrDir) throws IOException {
    if (!(fileSystem instanceof ChecksumFileSystem checksummed)) {
      return; // HDFS, S3 and the like write no side files
    }
    // the checksummed file system hides its .crc files from listings: list the raw one
    FileSystem raw = checksummed.getRawFileSystem();
    if (!raw.exists(fileOrDir)) {
      return;
    }
    List<Path> crc = new ArrayList<>();
    if (raw.getFileStatus(fileOrDir).isFile()) {
      crc.add(new Path(fileOrDir.getParent(), "." + fileOrDir.getName() + ".crc"));
    } else {
      RemoteIterator<LocatedFileStatus> it = raw.listFiles(fileOrDir, true);
      while (it.hasNext()) {
        Path p = it.next().getPath();
        if (p.getName().startsWith(".") && p.getName().endsWith(".crc")) {
          crc.add(p);
        }
      }
    }
    for (Path p : crc) {
      raw.delete(p, false);
    }
  }
}
