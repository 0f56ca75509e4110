package org.pophealth.ingest.claims;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Job step: lists a claims delivery directory. {@code medical_claim*}, {@code pharmacy_claim*} and
 * {@code eligibility*} files ending in {@code .csv} or {@code .parquet} (a Parquet file or a directory
 * of part files) are flat claims files; {@code *.ndjson[.gz]} and {@code manifest.json} make the
 * directory (also) a payer FHIR export. Anything else is listed as not ingested.
 */
public final class ReadClaimFiles {
  /** One flat claims file. */
  public record FlatFile(String path, String relative, ClaimTable table, String format, long size)
      implements java.io.Serializable {}

  /** What the directory holds. */
  public record Delivery(String directory, List<FlatFile> flatFiles, boolean hasFhir, List<String> ignored,
      Instant deliveryTime) {}

  private final String directory;
  private final Configuration hadoop;

  public ReadClaimFiles(String directory, Configuration hadoop) {
    this.directory = directory;
    this.hadoop = hadoop;
  }

  public Delivery execute() throws IOException {
    Path dir = new Path(directory);
    FileSystem fs = dir.getFileSystem(hadoop);
    if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) {
      throw new FileNotFoundException("claims directory not found: " + directory);
    }
    List<FlatFile> flat = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    boolean fhir = false;
    long newest = 0;
    FileStatus[] list = fs.listStatus(dir);
    java.util.Arrays.sort(list, java.util.Comparator.comparing(s -> s.getPath().getName()));
    for (FileStatus st : list) {
      String name = st.getPath().getName();
      if (name.startsWith(".") || name.startsWith("_")) {
        continue;
      }
      newest = Math.max(newest, st.getModificationTime());
      String lower = name.toLowerCase(Locale.ROOT);
      var table = ClaimTable.forFileName(lower);
      if (table.isPresent() && lower.endsWith(".csv") && st.isFile()) {
        flat.add(new FlatFile(st.getPath().toString(), name, table.get(), "csv", st.getLen()));
      } else if (table.isPresent() && lower.endsWith(".parquet")) {
        flat.add(new FlatFile(st.getPath().toString(), name, table.get(), "parquet", st.getLen()));
      } else if (lower.endsWith(".ndjson") || lower.endsWith(".ndjson.gz") || lower.equals("manifest.json")) {
        fhir = true;
      } else {
        ignored.add(name);
      }
    }
    return new Delivery(directory, flat, fhir, ignored, Instant.ofEpochMilli(newest == 0 ? 0 : newest));
  }
}
