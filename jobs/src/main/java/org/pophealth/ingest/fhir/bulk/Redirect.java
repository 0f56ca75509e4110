package org.pophealth.ingest.fhir.bulk;

import java.net.URI;
import java.util.Locale;

/**
 * One redirect hop, decided without following it: where to go and with which method. The bulk client
 * follows redirects itself (the JDK client's automatic following would keep the {@code Authorization}
 * header on another host); {@link BulkHttp} decides per hop whether the token goes along.
 *
 * <p>Rules (those of browsers and curl): 301, 302, 303, 307 and 308 with a {@code Location} are
 * redirects; the location is resolved against the current URL; 303 turns any method but HEAD into GET,
 * 301 and 302 turn POST into GET, 307 and 308 keep method and body; only http and https targets are
 * followed, and never from https down to http.
 *
 * @param uri the next hop
 * @param method the next hop's method
 */
public record Redirect(URI uri, String method) {
  /** Most hops followed for one request; one more is an error. */
  public static final int MAX_HOPS = 5;

  /** True for the statuses that redirect (when a Location is given). */
  public static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /**
   * The hop a redirect answer asks for.
   *
   * @param what the request, for messages ("download of Patient.1.ndjson")
   * @throws BulkExportException when the location is unusable, not http(s), or a downgrade from https
   */
  public static Redirect of(String what, URI current, String method, int status, String location) {
    URI next;
    try {
      next = current.resolve(new URI(location.trim()));
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      throw new BulkExportException(what + ": HTTP " + status + " redirects to an unreadable Location", status);
    }
    String origin = TokenOrigins.of(next);
    if (origin == null) {
      throw new BulkExportException(what + ": HTTP " + status + " redirects to something other than an http(s) url",
          status);
    }
    if ("https".equalsIgnoreCase(current.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
      throw new BulkExportException(what + ": refusing a redirect from https down to " + origin, status);
    }
    String m = method.toUpperCase(Locale.ROOT);
    if (status == 303 && !m.equals("HEAD") || (status == 301 || status == 302) && m.equals("POST")) {
      m = "GET";
    }
    return new Redirect(next, m);
  }
}
