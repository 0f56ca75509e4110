package org.pophealth.ingest.fhir.bulk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step: one bulk export from kick-off to a local export directory that {@code ingest-fhir --dir}
 * reads (the files plus {@code manifest.json} with urls rewritten to the local names). Resumes an
 * export left by a killed run (state file in the download dir) without a new kick-off; on Ctrl-C
 * or shutdown it cancels the server's job (DELETE) when {@code cancel_on_abort}.
 */
public final class RunBulkExport {
  private static final Logger LOG = LoggerFactory.getLogger(RunBulkExport.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final DateTimeFormatter DIR_NAME =
      DateTimeFormatter.ofPattern("'export-'yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final BulkHttp http;
  private final BulkSettings settings;
  private volatile boolean finished;

  public RunBulkExport(BulkHttp http) {
    this.http = http;
    this.settings = http.settings();
  }

  /**
   * Where the export landed and what it took.
   *
   * @param statusUrl the export's status URL (DELETEd once the export is ingested)
   * @param outcomes OperationOutcomes of the error files: errors and informational apart
   */
  public record Result(Path exportDir, BulkManifest manifest, boolean resumed, int polls,
      DownloadExportFiles.Result download, int retries, java.time.Instant since, String statusUrl,
      CountErrorOutcomes.Result outcomes, int manifestPages) {}

  /**
   * What identifies one export of a run in the resume state: since, until, types, filters, patients (as a
   * hash: no patient ids in the state's key). An export left by a killed run resumes only for the same key.
   */
  static String key(BulkSettings s) {
    String patients = s.patients().isEmpty() ? "" : Integer.toHexString(String.join(",", s.patients()).hashCode());
    return "since=" + s.since() + ";until=" + s.protocol().until() + ";types=" + String.join(",", s.types())
        + ";filters=" + String.join(",", s.typeFilters()) + ";patients=" + s.patients().size() + ":" + patients;
  }

  /** True when the download dir holds an export in flight for these settings (same server and key). */
  public static boolean inFlight(BulkSettings s) throws IOException {
    BulkExportState st = BulkExportState.load(s.downloadDir());
    return st != null && s.baseUrl().equals(st.data().baseUrl()) && key(s).equals(st.data().key());
  }

  /**
   * Runs (or resumes) the export. A resumed export whose job the server no longer knows (404/410,
   * e.g. expired while the client was down) is forgotten and started again with a new kick-off.
   */
  public Result execute() throws IOException {
    try {
      return run();
    } catch (BulkExportException e) {
      BulkExportState st = BulkExportState.load(settings.downloadDir());
      boolean gone = e.status() == 404 || e.status() == 410;
      if (gone && st != null && st.data().manifest() == null && !startedHere) {
        LOG.warn("the export being resumed is gone on the server (HTTP {}): starting a new one", e.status());
        st.clear();
        return run();
      }
      throw e;
    }
  }

  private boolean startedHere;

  private Result run() throws IOException {
    Path downloadDir = settings.downloadDir();
    Files.createDirectories(downloadDir);
    BulkExportState state = BulkExportState.load(downloadDir);
    boolean sameServer = state != null && settings.baseUrl().equals(state.data().baseUrl());
    boolean resumed = sameServer && (state.data().key() == null || key(settings).equals(state.data().key()));
    if (state != null && !resumed) {
      LOG.warn("state file for {} found in the download dir; starting a new export",
          sameServer ? "another export (other types, since or patients)" : "another server");
    }
    if (!resumed) {
      KickOffExport.Result k = new KickOffExport(http).execute();
      startedHere = true;
      Path exportDir = downloadDir.resolve(DIR_NAME.format(Instant.now()));
      state = BulkExportState.create(downloadDir, new BulkExportState.Data(settings.baseUrl(), k.statusUrl(),
          k.requestUrl(), exportDir.toString(), k.since() == null ? null : k.since().toString(), null, null,
          key(settings)));
    } else {
      LOG.info("resuming the bulk export of an earlier run ({} files already downloaded)",
          state.data().files() == null ? 0 : state.data().files().size());
    }
    BulkExportState st = state;
    AtomicBoolean inShutdown = new AtomicBoolean();
    Thread hook = new Thread(() -> {
      inShutdown.set(true);
      if (!finished && settings.cancelOnAbort()) {
        LOG.warn("aborted: cancelling the bulk export on the server");
        new CancelExport(http, st.data().statusUrl()).execute();
        try {
          st.clear();
        } catch (IOException ignored) {
          // the next run finds the state and gets a 404 for the cancelled job
        }
      }
    }, "bulk-export-abort");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      int polls = 0;
      int pages = 0;
      BulkManifest manifest;
      if (st.data().manifest() == null) {
        PollExportStatus.Result p = new PollExportStatus(http, st.data().statusUrl()).execute();
        polls = p.polls();
        pages = p.pages();
        manifest = p.manifest();
        st.manifest(manifest.toJson(null));
      } else {
        manifest = BulkManifest.parse(JSON.writeValueAsBytes(st.data().manifest()), StandardCharsets.UTF_8);
      }
      Path exportDir = Path.of(st.data().exportDir());
      DownloadExportFiles.Result d = new DownloadExportFiles(http, manifest, exportDir, st.data().files(),
          st::fileDone).execute();
      List<String> names = DownloadExportFiles.localNames(manifest);
      JSON.writeValue(exportDir.resolve("manifest.json").toFile(), manifest.toJson(names));
      CountErrorOutcomes.Result outcomes = new CountErrorOutcomes(exportDir, d).execute();
      finished = true;
      String since = st.data().since();
      return new Result(exportDir, manifest, resumed, polls, d, http.retries(),
          since == null ? null : java.time.Instant.parse(since), st.data().statusUrl(), outcomes, pages);
    } finally {
      finished = true;
      if (!inShutdown.get()) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
          // already shutting down
        }
      }
    }
  }

  /** After a successful ingest: the export is done, forget the resume state (the files stay). */
  public static void complete(Path downloadDir) throws IOException {
    BulkExportState s = BulkExportState.load(downloadDir);
    if (s != null) {
      s.clear();
    }
  }

  /** {@code --cancel}: DELETE the export in flight, if any, and forget it. */
  public static CancelExport.Result cancel(BulkHttp http) throws IOException {
    BulkExportState s = BulkExportState.load(http.settings().downloadDir());
    if (s == null) {
      return new CancelExport.Result(false, 0);
    }
    CancelExport.Result r = new CancelExport(http, s.data().statusUrl()).execute();
    s.clear();
    return r;
  }
}
