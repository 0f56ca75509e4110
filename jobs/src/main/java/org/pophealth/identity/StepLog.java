package org.pophealth.identity;

import org.slf4j.Logger;

/** The identity runs' step log: each step's seconds on the caller's logger, so a slow run shows where it went. */
final class StepLog {
  private StepLog() {}

  /** Logs the seconds since {@code since} (System.nanoTime) for {@code name}; returns now, the next step's start. */
  static long step(Logger log, String name, long since) {
    long now = System.nanoTime();
    log.info("identity: {}: {} s", name, org.pophealth.io.Messages.seconds(now - since));
    return now;
  }
}
