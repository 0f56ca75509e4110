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

  /**
   * Makes patient-level files private: folders 0700 and files 0600 under {@code fileOrDir} (itself included),
   * or 0750/0640 with {@code group} as their group when one is given. On file systems without POSIX
   * permissions (object stores) this does nothing; access is then the bucket's policy.
   */
  public static void restrict(FileSystem fs, Path fileOrDir, String group) throws IOException {
    if (!fs.exists(fileOrDir)) {
      return;
    }
    boolean grouped = group != null && !group.isBlank();
    org.apache.hadoop.fs.permission.FsPermission dirMode =
        new org.apache.hadoop.fs.permission.FsPermission(grouped ? (short) 0750 : (short) 0700);
    org.apache.hadoop.fs.permission.FsPermission fileMode =
        new org.apache.hadoop.fs.permission.FsPermission(grouped ? (short) 0640 : (short) 0600);
    List<org.apache.hadoop.fs.FileStatus> todo = new ArrayList<>();
    todo.add(fs.getFileStatus(fileOrDir));
    while (!todo.isEmpty()) {
      org.apache.hadoop.fs.FileStatus st = todo.remove(todo.size() - 1);
      try {
        fs.setPermission(st.getPath(), st.isDirectory() ? dirMode : fileMode);
        if (grouped) {
          fs.setOwner(st.getPath(), null, group);
        }
      } catch (UnsupportedOperationException e) {
        return; // no POSIX permissions here
      }
      if (st.isDirectory()) {
        todo.addAll(List.of(fs.listStatus(st.getPath())));
      }
    }
  }
}
