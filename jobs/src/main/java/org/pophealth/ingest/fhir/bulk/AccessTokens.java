package org.pophealth.ingest.fhir.bulk;

/** Source of bearer tokens; implementations cache and refresh. */
public interface AccessTokens {
  /** A valid access token (fetched or refreshed when needed). */
  String token();

  /** Forgets the cached token (after a 401), so the next {@link #token()} fetches a new one. */
  void invalidate();
}
