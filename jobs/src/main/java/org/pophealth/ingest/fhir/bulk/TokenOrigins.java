package org.pophealth.ingest.fhir.bulk;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where the bearer token may be sent: the origin (scheme, host, port) of the FHIR base URL, the origin
 * of the token endpoint that issued it, and the origins the source lists in {@code token_origins} (a
 * separate file host of the same server). Any other origin never receives it.
 */
public final class TokenOrigins {
  private final String base;
  private final Set<String> configured;
  private final AccessTokens tokens;

  /**
   * @param baseUrl the FHIR base URL
   * @param configured the source's {@code token_origins} ({@code scheme://host[:port]} each)
   * @param tokens the token source (its token endpoint's origin is allowed once known), null for none
   */
  public TokenOrigins(String baseUrl, List<String> configured, AccessTokens tokens) {
    this.base = of(URI.create(baseUrl));
    this.configured = new LinkedHashSet<>(normalize(configured));
    this.tokens = tokens;
  }

  /** True when a request to {@code uri} may carry the access token. */
  public boolean allows(URI uri) {
    String o = of(uri);
    if (o == null) {
      return false;
    }
    if (o.equals(base) || configured.contains(o)) {
      return true;
    }
    URI endpoint = tokens == null ? null : tokens.tokenEndpoint();
    return endpoint != null && o.equals(of(endpoint));
  }

  /** The origins named in messages: the FHIR server's and the configured ones. */
  public String describe() {
    List<String> all = new ArrayList<>();
    all.add(base + " (the FHIR server)");
    URI endpoint = tokens == null ? null : tokens.tokenEndpoint();
    if (endpoint != null && !base.equals(of(endpoint))) {
      all.add(of(endpoint) + " (the token endpoint)");
    }
    all.addAll(configured);
    return String.join(", ", all);
  }

  /**
   * The origin of an absolute http(s) URI as {@code scheme://host[:port]} (lower case, the port only
   * when it is not the scheme's default), null when the URI has no http(s) scheme or no host.
   */
  public static String of(URI uri) {
    if (uri == null || uri.getScheme() == null || uri.getHost() == null || uri.getHost().isEmpty()) {
      return null;
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int defaultPort = switch (scheme) {
      case "http" -> 80;
      case "https" -> 443;
      default -> -1;
    };
    if (defaultPort < 0) {
      return null;
    }
    int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    return scheme + "://" + host + (port == defaultPort ? "" : ":" + port);
  }

  /**
   * {@code token_origins} entries as origins; an entry that is not {@code scheme://host[:port]} (with
   * http or https, nothing after the port but an optional {@code /}) is a configuration error.
   */
  public static List<String> normalize(List<String> entries) {
    List<String> out = new ArrayList<>();
    for (String e : entries == null ? List.<String>of() : entries) {
      String o = null;
      try {
        URI u = new URI(e == null ? "" : e.trim());
        boolean bare = (u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))
            && u.getRawQuery() == null && u.getRawFragment() == null && u.getRawUserInfo() == null;
        o = bare ? of(u) : null;
      } catch (java.net.URISyntaxException ignored) {
        // reported below
      }
      if (o == null) {
        throw new IllegalArgumentException("token_origins entry '" + e
            + "' is not an origin: write scheme://host[:port] with http or https, no path");
      }
      out.add(o);
    }
    return List.copyOf(out);
  }
}
