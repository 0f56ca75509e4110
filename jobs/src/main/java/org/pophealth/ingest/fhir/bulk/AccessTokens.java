package org.pophealth.ingest.fhir.bulk;

/** Source of bearer tokens; implementations cache and refresh. */
public interface AccessTokens {
  /** A valid access token (fetched or refreshed when needed). */
  String token();

  /**
   * Forgets {@code rejected} (it got a 401), so the next {@link #token()} fetches a new one; a token
   * already replaced by another thread is left alone, so parallel downloads refresh once.
   */
  void invalidate(String rejected);

  /**
   * The token endpoint the tokens come from, once known (its origin may receive them, see
   * {@link TokenOrigins}); null when there is none or it is not known yet.
   */
  default java.net.URI tokenEndpoint() {
    return null;
  }
}
