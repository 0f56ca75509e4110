package org.pophealth.ingest.fhir.bulk;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Checks every file url of a manifest before anything is downloaded: each must be an absolute http(s)
 * url, and when the manifest says {@code requiresAccessToken} (and a token is configured) each must be
 * on an origin the token may go to ({@link TokenOrigins}). The first offending entry is the error,
 * named by kind, index and type ({@code output[2] (Observation)}) and, for a foreign host, by origin:
 * never by the url's path or query, which may carry identifiers.
 */
final class ManifestUrls {
  private ManifestUrls() {}

  /**
   * @param tokenMayGoTo null when no token is sent with the files (not required, or none configured)
   * @param allowed the allowed origins, for the message
   * @return the urls in {@link BulkManifest#all()} order
   */
  static List<URI> check(BulkManifest m, Predicate<URI> tokenMayGoTo, Supplier<String> allowed) {
    List<URI> urls = new ArrayList<>();
    for (String kind : List.of("output", "deleted", "error")) {
      List<BulkManifest.Entry> entries = switch (kind) {
        case "output" -> m.output();
        case "deleted" -> m.deleted();
        default -> m.error();
      };
      for (int i = 0; i < entries.size(); i++) {
        BulkManifest.Entry e = entries.get(i);
        String name = "bulk manifest entry " + kind + "[" + i + "]" + (e.safeType() == null ? "" : " (" + e.safeType() + ")");
        URI uri = parse(e.url());
        if (e.url() == null || e.url().isBlank()) {
          throw new BulkExportException(name + " has no url; nothing was downloaded", 200);
        }
        if (uri == null) {
          throw new BulkExportException(name + " has a url that is not an absolute http or https url;"
              + " nothing was downloaded", 200);
        }
        if (tokenMayGoTo != null && !tokenMayGoTo.test(uri)) {
          throw new BulkExportException(name + " is on " + TokenOrigins.of(uri) + " and the manifest says"
              + " requiresAccessToken, but the access token goes only to " + allowed.get() + "; nothing was"
              + " downloaded. If that origin is the server's own file host, add it to the source's token_origins",
              200);
        }
        urls.add(uri);
      }
    }
    return List.copyOf(urls);
  }

  /** The url as an absolute http(s) URI with a host, else null. */
  private static URI parse(String url) {
    if (url == null || url.isBlank()) {
      return null;
    }
    try {
      URI u = new URI(url.trim());
      return u.isAbsolute() && TokenOrigins.of(u) != null ? u : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
