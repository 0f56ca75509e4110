package org.pophealth.ingest.fhir;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Splits large plain-text files into chunks at line boundaries (one sequential scan counting
 * newlines), so one big {@code Observation.ndjson} is parsed by every core while line numbers stay
 * exact. Gzip files and small files are one chunk each.
 */
public final class PlanChunks {
  private final List<ExportFile> files;
  private final long chunkBytes;
  private final Configuration hadoop;

  public PlanChunks(List<ExportFile> files, long chunkBytes, Configuration hadoop) {
    this.files = files;
    this.chunkBytes = chunkBytes;
    this.hadoop = hadoop;
  }

  public List<Chunk> execute() throws IOException {
    List<Chunk> out = new ArrayList<>();
    for (ExportFile f : files) {
      if (f.gzip() || f.size() <= chunkBytes) {
        out.add(new Chunk(f, 0, -1, 1));
        continue;
      }
      split(f, out);
    }
    // biggest first, so the long tasks start early
    out.sort((a, b) -> Long.compare(estimate(b), estimate(a)));
    return out;
  }

  private long estimate(Chunk c) {
    return c.lines() < 0 ? c.file().size() : chunkBytes;
  }

  private void split(ExportFile f, List<Chunk> out) throws IOException {
    Path p = new Path(f.uri());
    byte[] buf = new byte[1 << 16];
    long pos = 0;
    long chunkStart = 0;
    long chunkFirstLine = 1;
    long line = 1;
    try (InputStream in = p.getFileSystem(hadoop).open(p)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            line++;
            long next = pos + i + 1;
            if (next - chunkStart >= chunkBytes) {
              out.add(new Chunk(f, chunkStart, line - chunkFirstLine, chunkFirstLine));
              chunkStart = next;
              chunkFirstLine = line;
            }
          }
        }
        pos += n;
      }
    }
    if (pos > chunkStart) {
      out.add(new Chunk(f, chunkStart, -1, chunkFirstLine));
    }
  }
}
