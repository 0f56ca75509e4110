package org.pophealth.views;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.io.CsvLines;

/**
 * A view's rows as one CSV file ({@code view run --csv}): the header, then a line per row in the frame's order;
 * arrays as JSON arrays, null as an empty field. The file is written next to its final name and moved into
 * place when complete, owner-only (a view holds patient-level data).
 */
final class ViewCsv {
  private ViewCsv() {}

  /** Writes the rows; returns how many. */
  static long write(Dataset<Row> rows, Path file) {
    Path target = file.toAbsolutePath();
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    long n = 0;
    try {
      Files.createDirectories(target.getParent());
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
        List<String> header = new ArrayList<>();
        for (String c : rows.columns()) {
          header.add(CsvLines.quote(c));
        }
        w.write(String.join(",", header));
        w.write('\n');
        for (Iterator<Row> it = rows.toLocalIterator(); it.hasNext(); n++) {
          Row r = it.next();
          List<String> cells = new ArrayList<>(r.size());
          for (int i = 0; i < r.size(); i++) {
            cells.add(CsvLines.quote(cell(r.get(i))));
          }
          w.write(String.join(",", cells));
          w.write('\n');
        }
      }
      Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
    return n;
  }

  private static String cell(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      return ViewTypes.text(new ArrayList<>(scala.collection.JavaConverters.seqAsJavaList(seq)));
    }
    return ViewTypes.text(v);
  }
}
